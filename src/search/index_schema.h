#pragma once
// Inside the index (index_*.cpp, not for other callers): how a library document is laid out in
// Xapian, its terms, value slots and stored data, shared by the writer, the builder and the reader.
#include <xapian.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/document.h"
#include "search/search_options.h"

namespace wenku::search::detail {

// Term prefixes (Xapian's conventions: upper-case letters for fields and filters). Text terms
// have none.
inline constexpr const char* title_prefix = "S";
inline constexpr const char* id_prefix = "Q";
inline constexpr const char* format_prefix = "F";
inline constexpr const char* category_prefix = "C";
inline constexpr const char* uploader_prefix = "U";
/// A key term of the whole text (key_terms_of), without positions: how locked pages can match.
inline constexpr const char* key_prefix = "K";
/// Marks documents of one page, indexed without positions (see make_document).
inline constexpr const char* single_page_term = "XSINGLE";

// Value slots.
enum Slot : Xapian::valueno {
    created_slot = 0,
    downloads_slot,
    views_slot,
    favorites_slot,
    category_slot,
    format_slot,
    single_page_slot,
    public_pages_slot  // how many leading pages' text is indexed (TextPolicy::public_pages)
};

/// The metadata key under which the index records the TextPolicy::fingerprint() its documents
/// follow; reconcile_index() indexes every document anew when it differs from the site's.
inline constexpr const char* text_policy_key = "wenku.text_policy";

/// Positions: a page starts this many positions after the last token of the one before, so no
/// phrase spans two pages; a token after punctuation is two positions on, so none spans that.
inline constexpr Xapian::termpos page_gap = 100;

/// Xapian's limit on a term's length. A longer term would make adding its document fail and
/// discard every change since the last commit, so such terms are never indexed, and a query
/// asking for one matches nothing.
inline constexpr std::size_t max_term_bytes = 245;

/// Whether `term` can be in the index (not too long, no NUL byte).
bool indexable(const std::string& term);

/// The boolean term that identifies a document: "Q<id>".
std::string id_term(std::int64_t id);

/// The index document id of a library document; throws UsageError outside Xapian's range.
Xapian::docid docid_of(std::int64_t id);

/// The index document of a library document. Only the public pages (policy.public_pages(), the
/// leading ones) give text terms: characters and words with page-separated positions (none for a
/// single page) and character pairs. The whole text gives only its key terms (key_terms_of, prefix
/// K, no positions), which the document page shows anyway: a locked page can make the document
/// match through them, never through a phrase, a pair or a position. Also title terms, filter
/// terms, sort and facet values, and stored data (title, each public page's first position, the
/// key terms).
Xapian::Document make_document(const Document& d, const std::vector<Page>& pages,
                               const std::vector<Category>& chain, const TextPolicy& policy);

/// The `count` key terms of a text: its character pairs and words of three or more characters
/// that occur most often, and at least twice, less pairs of a very common character (的, 是 ...)
/// and numbers; ties go to the one that comes first. With how often each occurs.
std::vector<std::pair<std::string, int>> key_terms_of(const std::vector<Page>& pages, std::size_t count);

/// What make_document() stored in an index document's data; empty when the data is damaged.
struct StoredData {
    std::string title;
    std::vector<Xapian::termpos> starts;  // each public page's first position; empty for a single page
    std::vector<std::string> keys;        // the key terms, most frequent first
};
StoredData stored_data(const Xapian::Document& doc);

/// True for a document indexed without positions.
inline bool is_single_page(const Xapian::Document& doc) { return !doc.get_value(single_page_slot).empty(); }

}  // namespace wenku::search::detail
