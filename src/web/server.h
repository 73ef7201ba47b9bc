#pragma once
// The HTTP/1.1 server: Boost.Beast, asynchronous; network threads (one per core) only read and
// write. A request's header is read first; its class (WorkClass: light, pages, search, upload)
// picks the bounded pool of threads (work_pools.h) that will answer it, so one class's flood never
// delays another; a full pool answers 503 before the body is read. Limits, checked in this order:
// connections (all, and per client address), the header's time and the minimum byte rate, the
// per-address rate and requests at once (429), the requests in flight and the pool's queue (503),
// the body's size (413) and, for an upload, whether it may be sent at all (AdmitUpload). Upload
// bodies stream to a file. It logs each request, counts everything for /metrics, and stops
// gracefully: no new connections, requests and uploads in progress finish, idle connections close.
#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/ip_network.h"
#include "web/http.h"
#include "web/metrics.h"
#include "web/work_pools.h"

namespace wenku::web {

struct ServerOptions {
    std::string address = "127.0.0.1";
    unsigned short port = 8080;  // 0 = any free port (see Server::port())
    int threads = 0;             // network threads; 0 = one per core
    std::uint64_t max_upload_bytes = 200ull << 20;
    std::size_t max_body_bytes = 64 << 10;  // requests that are not uploads
    int max_in_flight = 256;                // requests admitted (queued or being handled); more get 503
    int max_connections = 4096;             // more are closed at once
    int max_connections_per_address = 64;   // more from one address are closed at once
    int max_requests_per_address = 8;       // queued or being handled at once; more get 429
    double rate_per_ip = 0;                 // sustained requests per second per client address; 0 = no limit
    double rate_burst = 0;                  // bucket size
    std::size_t rate_table_entries = 100000;
    int idle_seconds = 30;                   // a keep-alive connection waiting for a request
    int header_seconds = 10;                 // a request header, from its first byte
    int busy_percent = 75;                   // of max_connections: above it, idle and header time are
    int busy_header_seconds = 2;             //   busy_header_seconds
    std::uint64_t min_rate_bytes = 1024;     // a header or body slower than this a second over a
    int min_rate_seconds = 10;               //   window of this many seconds is cut; 0 = no minimum
    int upload_seconds = 600;                // reading one upload body
    int stop_grace_seconds = 60;             // requests in progress get this long after stop()
    std::vector<IpNetwork> trusted_proxies;  // peers whose X-Forwarded-For / X-Real-IP is believed
    std::array<WorkPoolOptions, work_class_count> pools;
    std::filesystem::path upload_dir;  // where upload bodies are written
    bool access_log = true;
};

/// What the server asks of the site.
struct ServerHooks {
    /// The response to a request; runs on a pool thread. An exception becomes a plain 500.
    std::function<Response(Request&)> handle;
    /// What the request (header only) costs: its pool, and whether its body is an upload. Runs on
    /// a network thread: it must be cheap.
    std::function<WorkClass(const Request&)> work_class;
    /// The response to a request without a body when it can be given from memory at once, else
    /// none (the request then goes to its pool). Runs on a network thread: it must not block.
    /// Empty: every request goes to a pool.
    std::function<std::optional<Response>(Request&)> answer_from_memory;
    /// Asked with an upload's header before any body byte is read: none to read the body, or the
    /// refusal to answer at once (the connection then closes). Empty: every upload may be sent.
    std::function<std::optional<Response>(const Request&)> admit_upload;
};

class Server {
  public:
    /// Binds and listens (throws EnvironmentError when the address is taken); starts the pools.
    Server(const ServerOptions& options, ServerHooks hooks, Metrics& metrics);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    unsigned short port() const;
    /// Serves until stop(); runs the network threads and returns when they are done.
    void run();
    /// Graceful stop, callable from any thread: stops accepting, closes idle connections, lets
    /// requests and uploads in progress finish (up to options.stop_grace_seconds), then closes
    /// everything.
    void stop();

    struct Impl;

  private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace wenku::web
