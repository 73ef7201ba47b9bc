#include "search/search_log.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

namespace wenku::search {

namespace {

/// Different clients of one query kept in memory until a flush: enough for any sensible bar.
constexpr std::size_t max_pending_clients = 64;

/// What the log keeps of a search: nothing when it found nothing or may not be suggested.
std::optional<LoggedSearch> loggable(const SearchResults& results, const std::string& client,
                                     const SearchOptions& options, const SearchBlocklist* blocklist) {
    if (results.hits.empty() ||
        !suggestible(results.canonical_query, results.plain_query, options.suggest_max_chars, blocklist)) {
        return std::nullopt;
    }
    LoggedSearch search{results.canonical_query, {}, 1, {client}};
    for (const auto& h : results.hits) {
        if (search.top_ids.size() == logged_results) break;
        search.top_ids.push_back(h.document_id);
    }
    return search;
}

}  // namespace

/// Adds `from`'s clients to `to`'s, each once, up to max_pending_clients.
void merge_clients(LoggedSearch& to, const LoggedSearch& from) {
    for (const auto& c : from.clients) {
        if (to.clients.size() >= max_pending_clients) return;
        if (std::find(to.clients.begin(), to.clients.end(), c) == to.clients.end()) to.clients.push_back(c);
    }
}

void record_search(Repository& repository, const SearchResults& results, const std::string& client,
                   const SearchOptions& options, const SearchBlocklist* blocklist) {
    if (auto search = loggable(results, client, options, blocklist)) repository.record_searches({*search});
}

SearchLog::SearchLog(const SearchOptions& options, const SearchBlocklist* blocklist)
    : options_(options), blocklist_(blocklist), max_pending_(options.log_max_pending) {}

void SearchLog::add(const SearchResults& results, const std::string& client) {
    auto search = loggable(results, client, options_, blocklist_);
    if (!search) return;
    std::lock_guard lock(mutex_);
    if (const auto it = by_query_.find(search->query); it != by_query_.end()) {
        LoggedSearch& known = *it->second;
        ++known.times;
        merge_clients(known, *search);
        known.top_ids = std::move(search->top_ids);
        queue_.splice(queue_.end(), queue_, it->second);  // now the most recently searched
        return;
    }
    const auto added = queue_.insert(queue_.end(), std::move(*search));
    by_query_.emplace(added->query, added);
    drop_beyond_bound();
}

void SearchLog::flush(Repository& repository) {
    Queue batch;
    {
        std::lock_guard lock(mutex_);
        batch.swap(queue_);
        by_query_.clear();
    }
    if (!batch.empty()) {
        try {
            repository.record_searches(std::vector<LoggedSearch>(batch.begin(), batch.end()));
        } catch (...) {
            restore(std::move(batch));
            report_dropped();
            throw;
        }
    }
    report_dropped();
    repository.prune_search_log(options_.log_max_days, static_cast<std::int64_t>(options_.log_max_queries));
}

std::size_t SearchLog::pending() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

void SearchLog::restore(Queue batch) {
    std::lock_guard lock(mutex_);
    // The batch is older than anything counted since: a query searched again meanwhile keeps its
    // place and newer results and takes over the batch's count; the rest go first, in their order.
    for (auto it = batch.begin(); it != batch.end();) {
        if (const auto known = by_query_.find(it->query); known != by_query_.end()) {
            known->second->times += it->times;
            merge_clients(*known->second, *it);
            it = batch.erase(it);
        } else {
            ++it;
        }
    }
    for (auto it = batch.begin(); it != batch.end(); ++it) by_query_[it->query] = it;
    queue_.splice(queue_.begin(), batch);
    drop_beyond_bound();
}

void SearchLog::drop_beyond_bound() {
    while (queue_.size() > max_pending_) {
        ++dropped_queries_;
        dropped_searches_ += queue_.front().times;
        by_query_.erase(queue_.front().query);
        queue_.pop_front();
    }
}

void SearchLog::report_dropped() {
    std::int64_t queries = 0;
    std::int64_t searches = 0;
    {
        std::lock_guard lock(mutex_);
        std::swap(queries, dropped_queries_);
        std::swap(searches, dropped_searches_);
    }
    if (queries > 0) {
        spdlog::warn(
            "search log: {} searches of {} queries dropped unwritten: more than {} queries were waiting "
            "(search.log_max_pending)",
            searches, queries, max_pending_);
    }
}

}  // namespace wenku::search
