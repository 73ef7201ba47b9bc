#pragma once
// Searching for the pages and the API: one index reader a thread, reopened every second; results
// with their 相关搜索 cached like rendered pages; a budget of searches per client address and hour;
// snippets only from pages the reader may see; searches logged in memory for 相关搜索 and written
// by the site's flusher.
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
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

/// How many searches each client address made in its current hour (search.distinct_queries_per_hour,
/// search.budget_addresses). Thread-safe.
class SearchBudget {
  public:
    SearchBudget(std::size_t per_hour, std::size_t max_addresses)
        : per_hour_(per_hour), max_addresses_(max_addresses) {}

    /// Counts a search of `query` by `address` unless it asked the same query this hour (another
    /// page or sort of it costs nothing more); TooManyRequestsError (with the seconds until its
    /// hour ends) when it has asked per_hour distinct queries already. Nothing is counted when
    /// per_hour is 0.
    void charge(const std::string& address, const std::string& query);

  private:
    using Clock = std::chrono::steady_clock;
    struct Window {
        Clock::time_point start;
        std::vector<std::uint64_t> queries;  // hashes of the distinct queries asked in it
    };

    std::size_t per_hour_;
    std::size_t max_addresses_;
    std::mutex mutex_;
    std::unordered_map<std::string, Window> windows_;
};

class SearchService {
  public:
    struct Limits {
        std::chrono::seconds max_age{0};
        std::size_t max_entries = 0;
        std::size_t related_searches = 0;
        search::SearchOptions search;       // query limits, snippets, the reader's reopening, the log's bound
        std::size_t searches_per_hour = 0;  // per client address; 0 = no limit
        std::size_t budget_addresses = 1;
        bool all_text_public = false;  // site.public_text = all: snippets of every page
    };

    /// `blocklist_file` is the operator's 相关搜索 blocklist (search/blocklist.h).
    SearchService(const std::filesystem::path& index_dir, const std::filesystem::path& blocklist_file,
                  Repository& repository, DocumentCache& documents, const PreviewAccess& access,
                  const ContentGeneration& generation, const Limits& limits);

    /// The results of `request` with their related searches, from the cache while fresh. A search
    /// not in the cache is charged to the client's address first: TooManyRequestsError when its
    /// budget is used up. A hit on a page the reader may not see has no snippet. Errors of the
    /// index and the repository propagate.
    /// With accounts, the cache key will need the reader's entitlement.
    std::shared_ptr<const SearchOutcome> search(const Request& req, const search::SearchRequest& request);

    /// Logs a search answered (for 相关搜索) when it asked for the first results. Call once its
    /// response is made: an answer from memory that needs work after all runs again in a pool.
    void log(const Request& req, const search::SearchRequest& request, const SearchOutcome& outcome);

    /// This thread's reader of the index, reopened after search.reader_reopen_ms so new documents
    /// show. NeedsWork under MemoryOnly (cache.h).
    const search::IndexReader& index();
    /// The revision of the index this thread reads (IndexReader::revision), part of the cache keys
    /// of results. Under MemoryOnly: the revision the newest reader of any thread opened, or
    /// NeedsWork before there is one.
    std::string index_revision();

    /// Writes the logged searches to the database and prunes the log (search::SearchLog::flush).
    void flush_log();

    /// Up to `count` searches to suggest on a document's page: logged searches that led to it and
    /// clear the bar (search.suggest_min_addresses, _min_days), then its key terms; of two
    /// characters or more, each once, none the blocklist blocks. Errors of the index and the
    /// repository propagate.
    std::vector<std::string> document_searches(std::int64_t document_id, std::size_t count);

  private:
    search::SearchResults run(const Request& req, const search::SearchRequest& request);

    std::filesystem::path index_dir_;
    Repository& repository_;
    DocumentCache& documents_;
    const PreviewAccess& access_;
    std::size_t related_searches_;
    search::SearchOptions options_;
    ExpiringCache<std::string, std::shared_ptr<const SearchOutcome>> cache_;
    std::mutex revision_mutex_;
    std::string newest_revision_;  // of the reader opened last, by any thread
    bool all_text_public_;
    SearchBudget budget_;
    search::SearchBlocklist blocklist_;
    search::SearchLog log_;
};

}  // namespace wenku::web
