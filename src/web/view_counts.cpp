#include "web/view_counts.h"

#include <algorithm>
#include <vector>

namespace wenku::web {

void ViewCounts::add(std::int64_t id, int views, int downloads) {
    std::lock_guard lock(mutex_);
    auto [it, added] = pending_.try_emplace(id);
    if (added) it->second.since = next_since_++;
    it->second.views += views;
    it->second.downloads += downloads;
}

void ViewCounts::flush(const Write& write) {
    std::unordered_map<std::int64_t, Pending> batch;
    {
        std::lock_guard lock(mutex_);
        batch.swap(pending_);
    }
    std::vector<std::pair<std::uint64_t, std::int64_t>> order;  // (since, id): oldest first
    order.reserve(batch.size());
    for (const auto& [id, p] : batch) order.emplace_back(p.since, id);
    std::sort(order.begin(), order.end());
    for (const auto& [since, id] : order) {
        const Pending& p = batch.at(id);
        write(id, p.views, p.downloads);
    }
}

std::size_t ViewCounts::pending() const {
    std::lock_guard lock(mutex_);
    return pending_.size();
}

}  // namespace wenku::web
