#include "web/connection_limits.h"

namespace wenku::web {

bool AddressLimits::open_connection(const std::string& address) {
    std::lock_guard lock(mutex_);
    Held& h = held_[address];
    if (h.connections >= max_connections_) {
        forget_if_empty(held_.find(address));
        return false;
    }
    ++h.connections;
    return true;
}

void AddressLimits::open_uncapped_connection(const std::string& address) {
    std::lock_guard lock(mutex_);
    ++held_[address].connections;
}

void AddressLimits::close_connection(const std::string& address) {
    std::lock_guard lock(mutex_);
    const auto it = held_.find(address);
    if (it == held_.end()) return;
    --it->second.connections;
    forget_if_empty(it);
}

bool AddressLimits::start_request(const std::string& address) {
    std::lock_guard lock(mutex_);
    Held& h = held_[address];
    if (h.requests >= max_requests_) {
        forget_if_empty(held_.find(address));
        return false;
    }
    ++h.requests;
    return true;
}

void AddressLimits::end_request(const std::string& address) {
    std::lock_guard lock(mutex_);
    const auto it = held_.find(address);
    if (it == held_.end()) return;
    --it->second.requests;
    forget_if_empty(it);
}

std::size_t AddressLimits::addresses() const {
    std::lock_guard lock(mutex_);
    return held_.size();
}

void AddressLimits::forget_if_empty(std::unordered_map<std::string, Held>::iterator it) {
    if (it->second.connections <= 0 && it->second.requests <= 0) held_.erase(it);
}

}  // namespace wenku::web
