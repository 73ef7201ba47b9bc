#pragma once
// Views and downloads, counted in memory on the request path and written to the database in
// batches (the site's flusher, every http.flush_seconds, and when the site stops).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>

namespace wenku::web {

class ViewCounts {
  public:
    /// Writes one document's counts to the database: Repository::add_counts.
    using Write = std::function<void(std::int64_t id, std::int64_t views, std::int64_t downloads)>;

    /// `backlog_limit`: documents whose counts are kept while writes fail (http.count_backlog_entries).
    explicit ViewCounts(std::size_t backlog_limit) : backlog_limit_(backlog_limit) {}

    void add(std::int64_t id, int views, int downloads);

    /// Writes every pending count with `write`, oldest first. When a write throws, the counts not
    /// yet written are kept (added to those counted meanwhile) for the next flush, and the error
    /// propagates; nothing is written twice. While more than `backlog_limit` documents are pending
    /// after a failure, the oldest documents' counts are dropped and a warning says how many.
    void flush(const Write& write);

    /// Documents with counts waiting to be written.
    std::size_t pending() const;

  private:
    struct Pending {
        std::int64_t views = 0;
        std::int64_t downloads = 0;
        std::uint64_t since = 0;  // order of the first count not yet written
    };

    void keep(std::unordered_map<std::int64_t, Pending>& unwritten);

    const std::size_t backlog_limit_;
    mutable std::mutex mutex_;
    std::unordered_map<std::int64_t, Pending> pending_;
    std::uint64_t next_since_ = 0;
};

}  // namespace wenku::web
