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
    void refused(const char* why);  // "rate", "in_flight", "connections", "too_large"
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
    std::atomic<std::uint64_t> refused_rate_{0}, refused_in_flight_{0}, refused_connections_{0},
        refused_too_large_{0};
};

}  // namespace wenku::web
