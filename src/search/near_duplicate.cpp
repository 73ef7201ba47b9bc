#include "search/near_duplicate.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "core/errors.h"
#include "core/utf8.h"
#include "search/fold.h"

namespace wenku::search {

namespace {

/// MurmurHash3's 64-bit finaliser: every input bit affects every output bit.
constexpr std::uint64_t mix64(std::uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

/// SplitMix64: a fixed stream of well-spread constants from a seed.
constexpr std::uint64_t split_mix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// Fixed seeds: signatures must be the same in every process and every version that stores them.
constexpr std::uint64_t shingle_seed = 0x77656e6b75736831ULL;  // "wenkush1"
constexpr std::uint64_t band_seed = 0x77656e6b7562616eULL;     // "wenkuban"
constexpr std::uint64_t hash_function_seed = 0x77656e6b756d6831ULL;

/// One of the signature's hash functions: the high 32 bits of multiplier·h + increment (mod 2^64),
/// with an odd multiplier. On an already well-mixed 64-bit h this multiply-add-shift family is as
/// good as independent hash functions for MinHash, at one multiplication per value.
struct HashFunction {
    std::uint64_t multiplier;
    std::uint64_t increment;
    constexpr std::uint32_t operator()(std::uint64_t h) const {
        return static_cast<std::uint32_t>((multiplier * h + increment) >> 32);
    }
};

consteval std::array<HashFunction, minhash_size> make_hash_functions() {
    std::array<HashFunction, minhash_size> functions{};
    std::uint64_t state = hash_function_seed;
    for (auto& f : functions) {
        f.multiplier = split_mix64(state) | 1;
        f.increment = split_mix64(state);
    }
    return functions;
}

constexpr std::array<HashFunction, minhash_size> hash_functions = make_hash_functions();

bool is_significant(char32_t folded) { return is_cjk(folded) || is_word_char(folded); }

}  // namespace

SignatureBuilder::SignatureBuilder() : minhash_(minhash_size, std::numeric_limits<std::uint32_t>::max()) {}

void SignatureBuilder::add(std::string_view utf8) {
    const std::size_t room = max_signed_bytes - bytes_read_;
    if (utf8.size() > room) utf8 = utf8.substr(0, room);  // a character cut in two is dropped
    bytes_read_ += utf8.size();
    for (const char32_t c : decode_utf8(utf8)) add_char(fold_char(c));
}

void SignatureBuilder::add_char(char32_t c) {
    if (!is_significant(c)) return;
    std::shift_left(window_.begin(), window_.end(), 1);
    window_.back() = c;
    if (++significant_ < shingle_length) return;
    std::uint64_t shingle = shingle_seed;
    for (const char32_t w : window_) shingle = mix64(shingle ^ w);
    for (std::size_t i = 0; i < minhash_size; ++i)
        minhash_[i] = std::min(minhash_[i], hash_functions[i](shingle));
}

std::optional<TextSignature> SignatureBuilder::finish() const {
    if (significant_ < min_significant_chars) return std::nullopt;
    TextSignature signature;
    signature.minhash = minhash_;
    signature.band_hashes.reserve(band_count);
    for (std::size_t band = 0; band < band_count; ++band) {
        std::uint64_t h = band_seed;
        for (std::size_t row = 0; row < band_rows; ++row) h = mix64(h ^ minhash_[band * band_rows + row]);
        signature.band_hashes.push_back(h);
    }
    return signature;
}

std::optional<TextSignature> sign_text(std::string_view utf8) {
    SignatureBuilder builder;
    builder.add(utf8);
    return builder.finish();
}

double estimated_similarity(const TextSignature& a, const TextSignature& b) {
    if (a.minhash.size() != minhash_size || b.minhash.size() != minhash_size) {
        throw UsageError(
            "a text signature has " + std::to_string(minhash_size) + " values, not " +
            std::to_string(a.minhash.size() != minhash_size ? a.minhash.size() : b.minhash.size()));
    }
    std::size_t same = 0;
    for (std::size_t i = 0; i < minhash_size; ++i) same += a.minhash[i] == b.minhash[i] ? 1 : 0;
    return static_cast<double>(same) / static_cast<double>(minhash_size);
}

int similarity_percent(double similarity) {
    // The epsilon keeps 0.29 from printing as 28 through binary rounding.
    return static_cast<int>(std::floor(similarity * 100 + 1e-9));
}

}  // namespace wenku::search
