#pragma once
// Inside the index (index_*.cpp, not for other callers): how a library document is laid out in
// Xapian, its terms, value slots and stored data, shared by the writer, the builder and the reader.
#include <xapian.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/document.h"

namespace wenku::search::detail {

// Term prefixes (Xapian's conventions: upper-case letters for fields and filters). Text terms
// have none.
inline constexpr const char* title_prefix = "S";
inline constexpr const char* id_prefix = "Q";
inline constexpr const char* format_prefix = "F";
inline constexpr const char* category_prefix = "C";
inline constexpr const char* uploader_prefix = "U";
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
    single_page_slot
};

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

/// The index document of a library document: text terms with page-separated positions (none for
/// a single page), title terms, filter terms, sort and facet values, and stored data (title and
/// each page's first position).
Xapian::Document make_document(const Document& d, const std::vector<Page>& pages,
                               const std::vector<Category>& chain);

/// What make_document() stored in an index document's data; empty when the data is damaged.
struct StoredData {
    std::string title;
    std::vector<Xapian::termpos> starts;  // each page's first position; empty for a single page
};
StoredData stored_data(const Xapian::Document& doc);

/// True for a document indexed without positions.
inline bool is_single_page(const Xapian::Document& doc) { return !doc.get_value(single_page_slot).empty(); }

}  // namespace wenku::search::detail
