#include "web/metrics.h"

#include <fmt/format.h>

namespace wenku::web {

void Metrics::observe(int status, double seconds, std::uint64_t bytes) {
    std::size_t s = statuses_.size();
    for (std::size_t i = 0; i < statuses_.size(); ++i) {
        if (statuses_[i] == status) {
            s = i;
            break;
        }
    }
    by_status_[s].fetch_add(1, std::memory_order_relaxed);
    std::size_t b = 0;
    while (b < bounds_.size() && seconds > bounds_[b]) ++b;
    buckets_[b].fetch_add(1, std::memory_order_relaxed);
    duration_micros_.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
    bytes_.fetch_add(bytes, std::memory_order_relaxed);
}

void Metrics::refused(Limit why) {
    const auto i = static_cast<std::size_t>(why);
    if (i < refused_.size()) refused_[i].fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::prometheus() const {
    std::string out;
    out +=
        "# HELP wenku_http_requests_total HTTP requests answered, by status code.\n"
        "# TYPE wenku_http_requests_total counter\n";
    for (std::size_t i = 0; i <= statuses_.size(); ++i) {
        const auto n = by_status_[i].load(std::memory_order_relaxed);
        if (n == 0) continue;
        out += fmt::format("wenku_http_requests_total{{code=\"{}\"}} {}\n",
                           i < statuses_.size() ? std::to_string(statuses_[i]) : std::string("other"), n);
    }
    out +=
        "# HELP wenku_http_request_duration_seconds Time from a request's header to its response written.\n"
        "# TYPE wenku_http_request_duration_seconds histogram\n";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
        cumulative += buckets_[i].load(std::memory_order_relaxed);
        out +=
            fmt::format("wenku_http_request_duration_seconds_bucket{{le=\"{}\"}} {}\n",
                        i < bounds_.size() ? fmt::format("{}", bounds_[i]) : std::string("+Inf"), cumulative);
    }
    out += fmt::format("wenku_http_request_duration_seconds_sum {:.6f}\n",
                       static_cast<double>(duration_micros_.load()) / 1e6);
    out += fmt::format("wenku_http_request_duration_seconds_count {}\n", cumulative);
    out += fmt::format(
        "# HELP wenku_http_response_bytes_total Body bytes sent.\n# TYPE wenku_http_response_bytes_total "
        "counter\n"
        "wenku_http_response_bytes_total {}\n"
        "# HELP wenku_http_connections_total Connections accepted.\n# TYPE wenku_http_connections_total "
        "counter\n"
        "wenku_http_connections_total {}\n"
        "# HELP wenku_http_connections_open Connections open now.\n# TYPE wenku_http_connections_open gauge\n"
        "wenku_http_connections_open {}\n"
        "# HELP wenku_http_in_flight Requests admitted now (queued or being handled).\n# TYPE "
        "wenku_http_in_flight gauge\n"
        "wenku_http_in_flight {}\n"
        "# HELP wenku_http_refused_total Requests or connections refused by a limit.\n"
        "# TYPE wenku_http_refused_total counter\n",
        bytes_.load(), connections_total_.load(), connections_open_.load(), in_flight_.load());
    for (std::size_t i = 0; i < limit_names_.size(); ++i)
        out +=
            fmt::format("wenku_http_refused_total{{limit=\"{}\"}} {}\n", limit_names_[i], refused_[i].load());
    out +=
        "# HELP wenku_http_queue_full_total Requests refused because their work pool's queue was full.\n"
        "# TYPE wenku_http_queue_full_total counter\n";
    for (std::size_t i = 0; i < pool_names_.size(); ++i)
        out += fmt::format("wenku_http_queue_full_total{{pool=\"{}\"}} {}\n", pool_names_[i],
                           queue_full_[i].load());
    out += fmt::format(
        "# HELP wenku_http_accept_errors_total Connections the system could not accept (no descriptors "
        "left).\n# TYPE wenku_http_accept_errors_total counter\nwenku_http_accept_errors_total {}\n",
        accept_errors_.load());
    out += fmt::format(
        "# HELP wenku_http_from_memory_total Requests answered from memory without a work pool (cached "
        "pages and searches, open files).\n# TYPE wenku_http_from_memory_total counter\n"
        "wenku_http_from_memory_total {}\n",
        from_memory_.load());
    return out;
}

}  // namespace wenku::web
