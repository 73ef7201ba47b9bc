#pragma once
// Searching for the pages and the API: one index reader a thread, reopened every second; results
// with their 相关搜索 cached like rendered pages; snippets only from pages the reader may see;
// searches logged in memory for 相关搜索 and written by the site's flusher.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "search/search_index.h"
#include "search/search_options.h"
#include "search/suggest.h"
#include "store/repository.h"
#include "web/cache.h"
#include "web/documents.h"

namespace wenku::web {

/// A search's results and the searches to suggest after it.
struct SearchOutcome {
    search::SearchResults results;
    std::vector<std::string> related;
};

class SearchService {
  public:
    struct Limits {
        std::chrono::seconds max_age{0};
        std::size_t max_entries = 0;
        std::size_t related_searches = 0;
        search::SearchOptions search;  // query limits, snippets, the reader's reopening, the log's bound
    };

    SearchService(const std::filesystem::path& index_dir, Repository& repository, DocumentCache& documents,
                  const PreviewAccess& access, const ContentGeneration& generation, const Limits& limits);

    /// The results of `request` with their related searches, from the cache while fresh. A hit on
    /// a page the reader may not see has no snippet (it says where, not what). A search from its
    /// first result is logged. Errors of the index and the repository propagate.
    /// With accounts, the cache key will need the reader's entitlement.
    std::shared_ptr<const SearchOutcome> search(const Request& req, const search::SearchRequest& request);

    /// This thread's reader of the index, reopened after search.reader_reopen_ms so new documents show.
    const search::IndexReader& index();

    /// Writes the logged searches to the database (search::SearchLog::flush).
    void flush_log();

  private:
    search::SearchResults run(const Request& req, const search::SearchRequest& request);

    std::filesystem::path index_dir_;
    Repository& repository_;
    DocumentCache& documents_;
    const PreviewAccess& access_;
    std::size_t related_searches_;
    search::SearchOptions options_;
    ExpiringCache<std::string, std::shared_ptr<const SearchOutcome>> cache_;
    search::SearchLog log_;
};

}  // namespace wenku::web
