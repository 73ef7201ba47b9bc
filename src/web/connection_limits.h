#pragma once
// What one client address may hold at once: open connections, and requests being handled or queued.
// Only addresses holding something are kept, so the table is as large as the open connections.
#include <mutex>
#include <string>
#include <unordered_map>

namespace wenku::web {

class AddressLimits {
  public:
    AddressLimits(int max_connections, int max_requests)
        : max_connections_(max_connections), max_requests_(max_requests) {}

    /// Counts a connection of `address`; false (nothing counted) when it holds its maximum.
    bool open_connection(const std::string& address);
    /// Counts a connection that no cap applies to (a trusted proxy's), so close_connection balances it.
    void open_uncapped_connection(const std::string& address);
    void close_connection(const std::string& address);
    /// Counts a request of `address`; false (nothing counted) when it holds its maximum.
    bool start_request(const std::string& address);
    void end_request(const std::string& address);
    /// Addresses holding a connection or a request now.
    std::size_t addresses() const;

  private:
    struct Held {
        int connections = 0;
        int requests = 0;
    };
    void forget_if_empty(std::unordered_map<std::string, Held>::iterator it);  // mutex_ held

    const int max_connections_, max_requests_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Held> held_;
};

}  // namespace wenku::web
