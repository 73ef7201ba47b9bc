#pragma once
// Near-duplicate detection: the same report uploaded again under another name, with a new title
// or a paragraph touched up. A document's text becomes a MinHash signature over character
// shingles; two signatures estimate the Jaccard similarity of the documents' shingle sets, and
// LSH bands of the signature find the documents worth comparing without comparing every one.
//
// Text is compared after fold() (Traditional → Simplified, full-width → ASCII, lower case) and
// with everything but CJK and word characters dropped, so a copy converted to Traditional, or
// re-typeset with other spaces and punctuation, has the same signature.
//
// Changing the shingles, the hash functions or the sizes below changes every signature: stored
// signatures would no longer compare with new ones and would have to be computed again.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/document.h"

namespace wenku::search {

/// Hash functions: the estimate's standard error is sqrt(J(1-J)/128), ±0.027 at J = 0.9.
inline constexpr std::size_t minhash_size = 128;
inline constexpr std::size_t band_count = 32;  // LSH bands of band_rows values each
inline constexpr std::size_t band_rows = minhash_size / band_count;
inline constexpr std::size_t shingle_length = 5;  // code points per shingle
/// Texts with fewer significant characters (CJK and word characters) get no signature: short
/// texts share too much by chance to call one a copy of another.
inline constexpr std::size_t min_significant_chars = 50;
/// Only the text's first bytes are read, so signing stays linear and bounded for huge documents.
inline constexpr std::size_t max_signed_bytes = 4 << 20;

/// Builds the signature of a text given in pieces (a document's pages, in order), as if the
/// pieces were one text. Each piece must be whole UTF-8 (invalid sequences are dropped).
class SignatureBuilder {
  public:
    SignatureBuilder();

    /// Adds the next piece; past max_signed_bytes in all, the rest is ignored.
    void add(std::string_view utf8);
    /// The signature, or none when the text has fewer than min_significant_chars significant
    /// characters.
    std::optional<TextSignature> finish() const;

  private:
    void add_char(char32_t c);

    std::vector<std::uint32_t> minhash_;
    std::array<char32_t, shingle_length> window_{};  // the last shingle_length significant characters
    std::size_t significant_ = 0;
    std::size_t bytes_read_ = 0;
};

/// The signature of one text (SignatureBuilder with a single piece).
std::optional<TextSignature> sign_text(std::string_view utf8);

/// Estimated Jaccard similarity of the two texts' shingle sets, 0-1: the share of MinHash values
/// the signatures have in common. Throws UsageError for a signature of the wrong size.
double estimated_similarity(const TextSignature& a, const TextSignature& b);

/// `similarity` as whole percent, rounded down, for messages ("93% the same").
int similarity_percent(double similarity);

}  // namespace wenku::search
