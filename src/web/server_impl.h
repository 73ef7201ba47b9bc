#pragma once
// What the server's parts share (server.cpp: listening, accepting, stopping; session.cpp: one
// connection). Internal to the server.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio.hpp>

#include "web/access_log.h"
#include "web/client_address.h"
#include "web/connection_limits.h"
#include "web/rate_limiter.h"
#include "web/server.h"
#include "web/work_pools.h"

namespace wenku::web {

class Session;

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
    Impl(const ServerOptions& o, ServerHooks h, Metrics& m);

    const ServerOptions options;
    const ServerHooks hooks;
    Metrics& metrics;
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor acceptor;
    boost::asio::steady_timer accept_retry;  // after a failed accept (out of descriptors)
    RateLimiter limiter;
    AddressLimits address_limits;
    TrustedProxies proxies;
    WorkPools pools;
    std::atomic<bool> stopping{false};
    std::mutex sessions_mutex;
    std::vector<std::weak_ptr<Session>> sessions;
    std::atomic<int> open_sessions{0};
    std::unique_ptr<AccessLog> access_log;  // stdout, when options.access_log
    boost::asio::steady_timer log_timer;

    /// Whether the open connections are above options.busy_percent of the maximum: idle
    /// connections and request headers then get options.busy_header_seconds.
    bool under_pressure() const;

    void listen();
    void accept();
    void flush_log_every_second();
    void track(const std::shared_ptr<Session>& s);
    void start_session(boost::asio::ip::tcp::socket socket, std::string peer);
};

}  // namespace wenku::web
