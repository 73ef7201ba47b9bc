#pragma once
// Token buckets by client address (http.rate_per_ip, http.rate_burst) in a bounded table: when it
// holds http.rate_table_entries addresses, a new one takes the place of the least recently seen,
// whose bucket has refilled the longest (an address spraying new addresses costs no one else their
// bucket while the table has room for the active ones).
#include <chrono>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

namespace wenku::web {

class RateLimiter {
  public:
    using Clock = std::chrono::steady_clock;

    /// `rate` requests a second sustained (0 = no limit), `burst` at once (at least 1), for at
    /// most `max_addresses` addresses at a time.
    RateLimiter(double rate, double burst, std::size_t max_addresses);

    /// Whether `address` may make a request at `now` (taking a token when it may).
    bool allow(const std::string& address, Clock::time_point now = Clock::now());
    /// Addresses tracked now.
    std::size_t size() const;

  private:
    struct Bucket {
        std::string address;
        double tokens;
        Clock::time_point last;
    };
    using Order = std::list<Bucket>;  // most recently seen first

    const double rate_, burst_;
    const std::size_t max_addresses_;
    mutable std::mutex mutex_;
    Order order_;
    std::unordered_map<std::string, Order::iterator> buckets_;
};

}  // namespace wenku::web
