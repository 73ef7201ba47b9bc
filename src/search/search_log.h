#pragma once
// The search log behind 相关搜索 (related searches): each search of plain words that found something
// is counted under its canonical text with the documents it led to first, the day, and who made it
// (the database keeps only a keyed hash of the address). Searches with operators, longer than
// search.suggest_max_chars or on the operator's blocklist are not logged.
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

#include "search/blocklist.h"
#include "search/index_reader.h"
#include "search/search_options.h"
#include "store/repository.h"

namespace wenku::search {

/// Results of a search that the log remembers, and that related searches look at.
inline constexpr std::size_t logged_results = 5;

/// Logs one search by `client` now, if it found something and may be suggested (suggestible(),
/// with the options' length and `blocklist`, which may be null). Throws what
/// Repository::record_searches throws.
void record_search(Repository& repository, const SearchResults& results, const std::string& client,
                   const SearchOptions& options = {}, const SearchBlocklist* blocklist = nullptr);

/// The same, batched for a server: searches are counted in memory by add() and written in one
/// transaction by flush() (the web site flushes every few seconds and when it stops).
///
/// Each flush then prunes the log to search.log_max_days and search.log_max_queries.
///
/// A flush that fails loses nothing: its batch is merged back into what was counted meanwhile and
/// written by the next flush; as Repository::record_searches writes all or nothing, no search is
/// counted twice. What waits is bounded: at most options.log_max_pending distinct queries
/// (search.log_max_pending); past that the least recently searched are dropped, and the next
/// flush logs a warning saying how many. Thread-safe.
class SearchLog {
  public:
    /// `blocklist` (may be null) must outlive the log.
    explicit SearchLog(const SearchOptions& options = {}, const SearchBlocklist* blocklist = nullptr);

    /// Counts a search by `client` (an address) that found something and may be suggested; others
    /// are ignored.
    void add(const SearchResults& results, const std::string& client);

    /// Writes what was counted, in one transaction. On failure rethrows the repository's
    /// exception (EnvironmentError for a database that cannot be written) and keeps the batch for
    /// the next flush, within the bound.
    void flush(Repository& repository);

    /// Distinct queries waiting to be written.
    std::size_t pending() const;

  private:
    using Queue = std::list<LoggedSearch>;  // least recently searched first

    /// Puts a batch that could not be written back before what was counted since.
    void restore(Queue batch);
    /// Drops the least recently searched queries beyond the bound. Needs mutex_.
    void drop_beyond_bound();
    /// Warns about queries dropped since the last warning.
    void report_dropped();

    SearchOptions options_;
    const SearchBlocklist* blocklist_;
    std::size_t max_pending_;
    mutable std::mutex mutex_;
    Queue queue_;
    std::unordered_map<std::string, Queue::iterator> by_query_;
    std::int64_t dropped_queries_ = 0;
    std::int64_t dropped_searches_ = 0;
};

}  // namespace wenku::search
