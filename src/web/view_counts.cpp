#include "web/view_counts.h"

#include <algorithm>
#include <vector>

#include <spdlog/spdlog.h>

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
        try {
            write(id, p.views, p.downloads);
        } catch (...) {
            keep(batch);
            throw;
        }
        batch.erase(id);
    }
}

std::size_t ViewCounts::pending() const {
    std::lock_guard lock(mutex_);
    return pending_.size();
}

void ViewCounts::keep(std::unordered_map<std::int64_t, Pending>& unwritten) {
    std::lock_guard lock(mutex_);
    for (const auto& [id, p] : unwritten) {
        auto [it, added] = pending_.try_emplace(id, p);
        if (added) continue;
        it->second.views += p.views;
        it->second.downloads += p.downloads;
        it->second.since = std::min(it->second.since, p.since);
    }
    if (pending_.size() <= backlog_limit_) return;
    std::vector<std::pair<std::uint64_t, std::int64_t>> order;
    order.reserve(pending_.size());
    for (const auto& [id, p] : pending_) order.emplace_back(p.since, id);
    const std::size_t dropped = pending_.size() - backlog_limit_;
    std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(dropped), order.end());
    for (std::size_t i = 0; i < dropped; ++i) pending_.erase(order[i].second);
    spdlog::warn(
        "view and download counts of {} documents dropped: the database refused them and more than {} "
        "were waiting (http.count_backlog_entries)",
        dropped, backlog_limit_);
}

}  // namespace wenku::web
