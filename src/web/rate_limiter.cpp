#include "web/rate_limiter.h"

#include <algorithm>

namespace wenku::web {

RateLimiter::RateLimiter(double rate, double burst, std::size_t max_addresses)
    : rate_(rate), burst_(std::max(1.0, burst)), max_addresses_(std::max<std::size_t>(1, max_addresses)) {}

bool RateLimiter::allow(const std::string& address, Clock::time_point now) {
    if (rate_ <= 0) return true;
    std::lock_guard lock(mutex_);
    Bucket* b = nullptr;
    if (const auto it = buckets_.find(address); it != buckets_.end()) {
        order_.splice(order_.begin(), order_, it->second);
        b = &*it->second;
        b->tokens =
            std::min(burst_, b->tokens + rate_ * std::chrono::duration<double>(now - b->last).count());
        b->last = now;
    } else {
        if (buckets_.size() >= max_addresses_) {
            // Reuse the least recently seen bucket's node for the new address.
            buckets_.erase(order_.back().address);
            order_.splice(order_.begin(), order_, std::prev(order_.end()));
            order_.front() = Bucket{address, burst_, now};
        } else {
            order_.push_front(Bucket{address, burst_, now});
        }
        buckets_.emplace(address, order_.begin());
        b = &order_.front();
    }
    if (b->tokens < 1) return false;
    b->tokens -= 1;
    return true;
}

std::size_t RateLimiter::size() const {
    std::lock_guard lock(mutex_);
    return buckets_.size();
}

}  // namespace wenku::web
