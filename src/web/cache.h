#pragma once
// What the site keeps between requests (rendered pages, documents, searches, the category list),
// all in one kind of cache. An entry is fresh while the library's content has not changed since it
// was made (ContentGeneration) and it is younger than the cache's maximum age: another process,
// such as `wenku rm`, may change documents without telling this one. Each cache holds a bounded
// number of entries.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <unordered_map>
#include <vector>

namespace wenku::web {

/// Thrown on a thread answering from memory (MemoryOnly) where answering would need work: a cache
/// miss, a file to open, an index to read. The request then goes to its work pool.
struct NeedsWork : std::runtime_error {
    NeedsWork() : std::runtime_error("the answer is not in memory") {}
};

/// While one lives, this thread answers only from what is in memory: the caches (ExpiringCache,
/// FileCache) throw NeedsWork instead of making what they miss. The network threads answer cached
/// pages, previews and static files this way, without a hand-over to a pool.
class MemoryOnly {
  public:
    MemoryOnly() : previous_(active_) { active_ = true; }
    ~MemoryOnly() { active_ = previous_; }
    MemoryOnly(const MemoryOnly&) = delete;
    MemoryOnly& operator=(const MemoryOnly&) = delete;

    /// Throws NeedsWork when a MemoryOnly lives on this thread.
    static void forbid_work() {
        if (active_) throw NeedsWork();
    }
    static bool active() { return active_; }

  private:
    bool previous_;
    static inline thread_local bool active_ = false;
};

/// Counts the changes to the library's documents (added, converted, removed) this process saw.
class ContentGeneration {
  public:
    std::uint64_t current() const { return value_.load(); }
    /// Makes everything cached until now stale.
    void advance() { value_.fetch_add(1); }

  private:
    std::atomic<std::uint64_t> value_{1};
};

/// A thread-safe map from Key to Value whose entries are fresh while the content generation they
/// were made in is current and they are younger than `max_age`. At most `max_entries` are kept:
/// when it is full, the stale entries are dropped, or the older half when none is stale; 0 keeps
/// nothing. Values are copied out under a lock: make them cheap to copy (a shared_ptr to
/// something immutable).
template <class Key, class Value, class Hash = std::hash<Key>>
class ExpiringCache {
  public:
    using Clock = std::chrono::steady_clock;

    ExpiringCache(const ContentGeneration& generation, std::chrono::seconds max_age, std::size_t max_entries)
        : generation_(generation), max_age_(max_age), max_entries_(max_entries) {}

    /// The fresh value of `key`, or else the one `make()` returns, which is kept. make() runs
    /// outside the lock, so threads missing the same key at once each make it (the last one is
    /// kept). An exception from make() propagates, and nothing is kept. Under MemoryOnly a miss
    /// throws NeedsWork and make() does not run.
    template <class Make>
    Value get(const Key& key, Make&& make) {
        const std::uint64_t generation = generation_.current();
        const auto now = Clock::now();
        {
            std::lock_guard lock(mutex_);
            if (auto it = entries_.find(key); it != entries_.end() && fresh(it->second, generation, now)) {
                return it->second.value;
            }
        }
        MemoryOnly::forbid_work();
        Value value = make();
        if (max_entries_ > 0) {
            std::lock_guard lock(mutex_);
            if (entries_.size() >= max_entries_ && !entries_.contains(key)) make_room(generation, now);
            entries_.insert_or_assign(key, Entry{value, generation, now});
        }
        return value;
    }

    /// Entries held, fresh or not.
    std::size_t size() const {
        std::lock_guard lock(mutex_);
        return entries_.size();
    }

  private:
    struct Entry {
        Value value;
        std::uint64_t generation;
        Clock::time_point made;
    };

    bool fresh(const Entry& entry, std::uint64_t generation, Clock::time_point now) const {
        return entry.generation == generation && now - entry.made < max_age_;
    }

    /// Drops the stale entries; when none is, the older half, so a flood of new keys (searches,
    /// say) cannot empty the cache of what everyone else asks for.
    void make_room(std::uint64_t generation, Clock::time_point now) {
        std::erase_if(entries_, [&](const auto& kv) { return !fresh(kv.second, generation, now); });
        if (entries_.size() < max_entries_) return;
        std::vector<Clock::time_point> made;
        made.reserve(entries_.size());
        for (const auto& kv : entries_) made.push_back(kv.second.made);
        const auto middle = made.begin() + static_cast<std::ptrdiff_t>((made.size() - 1) / 2);
        std::nth_element(made.begin(), middle, made.end());
        const Clock::time_point cut = *middle;
        std::erase_if(entries_, [&](const auto& kv) { return kv.second.made <= cut; });
    }

    const ContentGeneration& generation_;
    const std::chrono::seconds max_age_;
    const std::size_t max_entries_;
    mutable std::mutex mutex_;
    std::unordered_map<Key, Entry, Hash> entries_;
};

}  // namespace wenku::web
