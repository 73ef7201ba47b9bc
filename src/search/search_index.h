#pragma once
// The full-text index: Xapian, one index document per library document, derived from the
// database (rebuildable with rebuild_index(), kept up to date by the ingest pipeline, reconciled
// with the database at start-up). Chinese is indexed as characters (with positions) and character
// pairs, other scripts as words; Traditional and Simplified fold together (fold.h). Each page's
// first position is recorded, so a hit names the pages it occurs on.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/document.h"
#include "search/highlight.h"

namespace wenku {
class Repository;
}

namespace wenku::search {

enum class SearchSort { relevance, newest, downloads, views, favorites };

/// "relevance", "newest", "downloads", "views", "favorites"; throws UsageError otherwise.
SearchSort search_sort_from_string(const std::string& s);

struct SearchRequest {
    std::string query;                       // the search box (query.h syntax)
    std::size_t offset = 0;                  // results to skip (paging)
    std::size_t limit = 10;                  // results to return
    SearchSort sort = SearchSort::relevance;
    bool exact_total = true;                 // count every match (else an estimate from the top)
    bool facets = false;                     // count matches per category and format
    std::optional<std::int64_t> category_id; // the category and its subtree
    std::string format;                      // e.g. "pdf"
};

struct SearchHit {
    std::int64_t document_id = 0;
    std::string title;
    std::vector<Fragment> title_fragments;   // the title with what matched
    std::vector<int> pages;                  // pages the query's words occur on, ascending
    int page = 1;                            // the page to open: most occurrences, else the first
    std::vector<Fragment> snippet;           // a passage of that page
    double weight = 0;                       // relevance
};

struct SearchResults {
    std::int64_t total = 0;                  // documents that match
    bool total_exact = false;
    std::vector<SearchHit> hits;
    std::map<std::int64_t, std::int64_t> categories;  // category id → matches (requested facets)
    std::map<std::string, std::int64_t> formats;      // format → matches (requested facets)
    std::string canonical_query;             // ParsedQuery::canonical()
};

/// A page's text, for snippets: (document, page number) → text, nullopt when it is gone.
using PageTextSource = std::function<std::optional<std::string>(std::int64_t document_id, int page)>;

/// Reads the index. Not thread-safe: one reader a thread (opening one takes well under 1 ms).
class IndexReader {
public:
    /// Opens the index in `dir`; an index that does not exist yet reads as empty.
    explicit IndexReader(const std::filesystem::path& dir);
    ~IndexReader();
    IndexReader(IndexReader&&) noexcept;
    IndexReader& operator=(IndexReader&&) noexcept;

    std::int64_t document_count() const;
    /// The ids of the documents in the index, ascending.
    std::vector<std::int64_t> document_ids() const;
    bool contains(std::int64_t document_id) const;

    SearchResults search(const SearchRequest& request, const PageTextSource& page_text) const;

    /// Characteristic terms of a document (its character pairs and words, weighted by how rare
    /// they are in the library and how often the document uses them), best first. For related
    /// documents and keywords; empty when the document is not indexed.
    std::vector<std::pair<std::string, double>> key_terms(std::int64_t document_id, std::size_t count) const;

    /// Documents most like `document_id` (its key terms, title and category), best first,
    /// without itself.
    std::vector<std::int64_t> related(std::int64_t document_id, std::size_t count) const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

/// Changes the index. One writer at a time in all processes (Xapian's lock): the constructor
/// waits up to `wait_seconds` for another writer to finish, then throws EnvironmentError.
class IndexWriter {
public:
    explicit IndexWriter(const std::filesystem::path& dir, int wait_seconds = 30);
    ~IndexWriter();  // commits
    IndexWriter(const IndexWriter&) = delete;
    IndexWriter& operator=(const IndexWriter&) = delete;

    /// Adds or replaces a document (its id is its index document id). `categories` is the chain
    /// from the root to the document's category (Repository::category_chain), empty when none.
    void add(const Document& doc, const std::vector<Page>& pages, const std::vector<Category>& categories);
    void remove(std::int64_t document_id);
    /// Makes the changes durable and visible to readers that reopen.
    void commit();

private:
    struct State;
    std::unique_ptr<State> state_;
};

/// Makes the index hold exactly the ready documents of the database: adds the missing, removes
/// the stray. Cheap when they seem to agree: when the numbers of documents are equal and the
/// newest ready document is indexed, nothing more is compared (`wenku verify` compares all).
/// Returns the number of documents added or removed.
std::int64_t reconcile_index(Repository& repository, const std::filesystem::path& dir);

/// Builds the index from the database anew in a new folder using `threads` threads (each builds a
/// part; the parts are merged and compacted), then puts it in place of the old one. Readers open
/// before keep reading the old one until they reopen. Returns the number of documents indexed.
/// `progress` (optional) is called with documents done so far.
std::int64_t rebuild_index(const std::function<std::unique_ptr<Repository>()>& open_repository,
                           const std::filesystem::path& dir, int threads,
                           const std::function<void(std::int64_t)>& progress = {});

/// Builds an index in `dir` (which must not exist) from documents given by `next` (nullopt when
/// done), with `threads` threads; used by rebuild_index() and by benchmarks. `next` is called
/// from one thread at a time.
struct IndexInput {
    Document document;
    std::vector<Page> pages;
    std::vector<Category> categories;
};
std::int64_t build_index(const std::filesystem::path& dir, int threads,
                         const std::function<std::optional<IndexInput>()>& next,
                         const std::function<void(std::int64_t)>& progress = {});

}  // namespace wenku::search
