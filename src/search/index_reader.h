#pragma once
// Reading the full-text index (search_index.h): searches with page hits, snippets, filters,
// sorting and facets; a document's key terms and related documents.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "search/highlight.h"
#include "search/search_options.h"

namespace wenku::search {

enum class SearchSort { relevance, newest, downloads, views, favorites };

/// "relevance", "newest", "downloads", "views", "favorites"; throws UsageError otherwise.
SearchSort search_sort_from_string(const std::string& s);

struct SearchRequest {
    std::string query;       // the search box (query.h syntax)
    std::size_t offset = 0;  // results to skip (paging)
    std::size_t limit = 10;  // results to return
    SearchSort sort = SearchSort::relevance;
    bool exact_total = true;                  // count every match (else an estimate from the top)
    bool facets = false;                      // count matches per category and format
    std::optional<std::int64_t> category_id;  // the category and its subtree
    std::string format;                       // e.g. "pdf"
};

struct SearchHit {
    std::int64_t document_id = 0;
    std::string title;
    std::vector<Fragment> title_fragments;  // the title with what matched
    std::vector<int> pages;                 // public pages the query's words occur on, ascending
    int page = 1;                           // the page to open: most occurrences, else the first
    std::vector<Fragment> snippet;          // a passage of that page
    double weight = 0;                      // relevance
};

struct SearchResults {
    std::int64_t total = 0;  // documents that match
    bool total_exact = false;
    std::vector<SearchHit> hits;
    std::map<std::int64_t, std::int64_t> categories;  // category id → matches (requested facets)
    std::map<std::string, std::int64_t> formats;      // format → matches (requested facets)
    std::string canonical_query;                      // ParsedQuery::canonical()
    bool plain_query = false;                         // words only: no "phrase", -exclusion or field:value
};

/// A page's text, for snippets: (document, page number) → text, nullopt when it is gone.
using PageTextSource = std::function<std::optional<std::string>(std::int64_t document_id, int page)>;

/// Reads the index at the revision it opened (a writer's later commits are seen by a new reader).
/// Not thread-safe: one reader a thread (opening one takes well under 1 ms).
///
/// Failure: every method throws EnvironmentError when the index cannot be read. A revision that
/// writers replaced while it was being read (two commits meanwhile) is not an error: the reader
/// moves to the newest revision and reads again, a few times at most.
class IndexReader {
  public:
    /// Opens the index in `dir`; an index that does not exist yet reads as empty. `options` give
    /// the query limits, the snippets' length and the related documents' policy.
    explicit IndexReader(const std::filesystem::path& dir, const SearchOptions& options = {});
    ~IndexReader();
    IndexReader(IndexReader&&) noexcept;
    IndexReader& operator=(IndexReader&&) noexcept;

    const SearchOptions& options() const;

    std::int64_t document_count() const;
    /// Which state of the index this reader sees: the database's identity and revision (a rebuilt
    /// index is another database). Equal revisions hold equal documents; "empty" for no index.
    std::string revision() const;
    /// The ids of the documents in the index, ascending.
    std::vector<std::int64_t> document_ids() const;
    bool contains(std::int64_t document_id) const;
    /// The TextPolicy::fingerprint() the index's documents follow; "" for an empty index.
    std::string text_policy() const;
    /// How many leading pages of the document have their text indexed; none when it is not indexed.
    std::optional<int> public_pages(std::int64_t document_id) const;

    SearchResults search(const SearchRequest& request, const PageTextSource& page_text) const;

    /// Characteristic terms of a document: its key terms (chosen from its whole text when it was
    /// indexed, public by design: the document page shows them), weighted by how rare they are in
    /// the library and how often the document uses them, best first. For related documents,
    /// keywords and 相关搜索; empty when the document is not indexed.
    std::vector<std::pair<std::string, double>> key_terms(std::int64_t document_id, std::size_t count) const;

    /// Documents most like `document_id` (its key terms, title and category), best first,
    /// without itself; empty when it is not indexed.
    std::vector<std::int64_t> related(std::int64_t document_id, std::size_t count) const;

  private:
    struct State;  // index_reader_impl.h
    std::unique_ptr<State> state_;
};

}  // namespace wenku::search
