#pragma once
// The HTTP/1.1 server: Boost.Beast, asynchronous, one io_context run by one thread per core.
// It reads a request's header first, so a body over its limit is refused (413) before any of it is
// read; upload bodies stream to a file. It enforces the connection, in-flight and per-IP rate
// limits, logs each request, counts everything for /metrics, and stops gracefully: no new
// connections, requests in progress finish, idle connections close.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "web/http.h"
#include "web/metrics.h"

namespace wenku::web {

struct ServerOptions {
    std::string address = "127.0.0.1";
    unsigned short port = 8080;  // 0 = any free port (see Server::port())
    int threads = 0;             // 0 = one per core
    std::uint64_t max_upload_bytes = 200ull << 20;
    std::size_t max_body_bytes = 64 << 10;  // requests that are not uploads
    int max_in_flight = 256;                // requests being handled at once; more get 503
    int max_connections = 4096;             // more are closed at once
    double rate_per_ip = 0;                 // sustained requests per second per client address; 0 = no limit
    double rate_burst = 0;                  // bucket size
    int idle_seconds = 30;                  // keep-alive and header read timeout
    int upload_seconds = 600;               // reading one upload body
    std::filesystem::path upload_dir;       // where upload bodies are written
    bool access_log = true;
};

class Server {
  public:
    using Handler = std::function<Response(Request&)>;
    /// Whether a request (header only) is an upload: its body goes to a file, up to max_upload_bytes.
    using IsUpload = std::function<bool(const Request&)>;

    /// Binds and listens (throws EnvironmentError when the address is taken).
    Server(const ServerOptions& options, Handler handler, IsUpload is_upload, Metrics& metrics);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    unsigned short port() const;
    /// Serves until stop(); runs the threads and returns when they are done.
    void run();
    /// Graceful stop, callable from any thread or a signal handler's thread: stops accepting,
    /// lets requests in progress finish (up to `grace_seconds`), then closes everything.
    void stop(int grace_seconds = 10);

    struct Impl;

  private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace wenku::web
