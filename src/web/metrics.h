#pragma once
// Counters of the HTTP server for /metrics, in Prometheus' text format. Lock-free on the request path.
#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace wenku::web {

class Metrics {
  public:
    /// One finished request: its status, time from its header to the response written, bytes sent.
    void observe(int status, double seconds, std::uint64_t bytes);
    void connection_opened() {
        ++connections_total_;
        ++connections_open_;
    }
    void connection_closed() { --connections_open_; }
    /// A request or connection refused by a limit.
    enum class Limit {
        rate,                     // http.rate_per_ip (429)
        in_flight,                // http.max_in_flight (503)
        connections,              // http.max_connections (closed)
        too_large,                // a body over its limit (413)
        connections_per_address,  // http.max_connections_per_address (closed)
        requests_per_address,     // http.max_requests_per_address (429)
        slow,                     // a header or body under the minimum rate or over its time (cut)
        queue,                    // a work pool's queue is full (503); also counted by pool
    };
    void refused(Limit why);
    /// A request refused because the queue of its pool was full (counted under Limit::queue too).
    void refused_queue(std::size_t pool) {
        refused(Limit::queue);
        if (pool < queue_full_.size()) ++queue_full_[pool];
    }
    /// A request answered from memory on its network thread (ServerHooks::answer_from_memory).
    void answered_from_memory() { ++from_memory_; }
    /// accept(2) failed (out of file descriptors, say): the server pauses accepting briefly.
    void accept_failed() { ++accept_errors_; }
    std::atomic<int>& in_flight() { return in_flight_; }

    /// The server's metrics as Prometheus text (HELP/TYPE lines and samples).
    std::string prometheus() const;

  private:
    static constexpr std::array<double, 12> bounds_{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                    0.05,   0.1,   0.25,   0.5,   1,    5};
    static constexpr std::array<int, 18> statuses_{200, 201, 202, 206, 301, 303, 304, 400, 401,
                                                   403, 404, 405, 409, 413, 429, 500, 503, 507};
    std::array<std::atomic<std::uint64_t>, statuses_.size() + 1> by_status_{};  // last: other
    std::array<std::atomic<std::uint64_t>, bounds_.size() + 1> buckets_{};      // last: +Inf
    std::atomic<std::uint64_t> duration_micros_{0};
    std::atomic<std::uint64_t> bytes_{0};
    std::atomic<std::uint64_t> connections_total_{0};
    std::atomic<std::int64_t> connections_open_{0};
    std::atomic<int> in_flight_{0};
    static constexpr std::array<const char*, 8> limit_names_{
        "rate_per_ip",          "in_flight",   "connections", "body_size", "connections_per_address",
        "requests_per_address", "slow_client", "queue"};
    static constexpr std::array<const char*, 4> pool_names_{"light", "pages", "search", "upload"};
    std::array<std::atomic<std::uint64_t>, limit_names_.size()> refused_{};
    std::array<std::atomic<std::uint64_t>, pool_names_.size()> queue_full_{};
    std::atomic<std::uint64_t> accept_errors_{0};
    std::atomic<std::uint64_t> from_memory_{0};
};

}  // namespace wenku::web
