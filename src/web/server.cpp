#include "web/server.h"

#include <csignal>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/errors.h"
#include "web/server_impl.h"
#include "web/session.h"

namespace wenku::web {
namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {
/// After accept(2) fails (no file descriptors left, most often), the server waits this long before
/// accepting again instead of failing again at once in a loop.
constexpr auto accept_pause = std::chrono::milliseconds(100);
}  // namespace

Server::Server(const ServerOptions& options, ServerHooks hooks, Metrics& metrics) {
    // A peer that closes while sendfile(2) writes to it must not kill the process.
    std::signal(SIGPIPE, SIG_IGN);
    ServerOptions o = options;
    if (o.threads <= 0) o.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    impl_ = std::make_shared<Impl>(o, std::move(hooks), metrics);
    impl_->listen();
}

Server::~Server() {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->pools.shutdown();
}

unsigned short Server::port() const {
    beast::error_code ec;
    return impl_->acceptor.local_endpoint(ec).port();
}

void Server::run() {
    impl_->accept();
    impl_->flush_log_every_second();
    std::vector<std::thread> threads;
    for (int i = 1; i < impl_->options.threads; ++i) threads.emplace_back([this] { impl_->ioc.run(); });
    impl_->ioc.run();
    for (auto& t : threads) t.join();
    // No handler may run once run() has returned: the site it calls may go away.
    impl_->pools.shutdown();
    if (impl_->access_log) impl_->access_log->flush();
}

namespace {
/// Stops the io_context when every connection has closed or the deadline has passed.
void wait_for_sessions(const std::shared_ptr<Server::Impl>& impl,
                       const std::shared_ptr<net::steady_timer>& timer, Clock::time_point deadline) {
    if (impl->open_sessions == 0 || Clock::now() >= deadline) {
        impl->ioc.stop();
        return;
    }
    timer->expires_after(std::chrono::milliseconds(20));
    timer->async_wait(
        [impl, timer, deadline](beast::error_code) { wait_for_sessions(impl, timer, deadline); });
}
}  // namespace

void Server::stop() {
    auto impl = impl_;
    net::post(impl->ioc, [impl] {
        if (impl->stopping.exchange(true)) return;
        beast::error_code ec;
        impl->acceptor.close(ec);
        impl->accept_retry.cancel();
        std::vector<std::shared_ptr<Session>> alive;
        {
            std::lock_guard lock(impl->sessions_mutex);
            for (auto& w : impl->sessions) {
                if (auto s = w.lock()) alive.push_back(std::move(s));
            }
        }
        // Idle connections (waiting for a request) close now; busy ones close after their response.
        for (auto& s : alive) net::post(s->executor(), [s] { s->close_if_idle(); });
        wait_for_sessions(impl, std::make_shared<net::steady_timer>(impl->ioc),
                          Clock::now() + std::chrono::seconds(impl->options.stop_grace_seconds));
    });
}

// --- Server::Impl ---

namespace {
std::array<WorkPoolOptions, work_class_count> checked_pools(
    std::array<WorkPoolOptions, work_class_count> pools) {
    for (auto& p : pools) {
        p.threads = std::max(1, p.threads);
        p.queue = std::max(1, p.queue);
    }
    return pools;
}
}  // namespace

Server::Impl::Impl(const ServerOptions& o, ServerHooks h, Metrics& m)
    : options(o),
      hooks(std::move(h)),
      metrics(m),
      ioc(o.threads),
      acceptor(net::make_strand(ioc)),
      accept_retry(acceptor.get_executor()),
      limiter(o.rate_per_ip, o.rate_burst > 0 ? o.rate_burst : std::max(1.0, o.rate_per_ip),
              o.rate_table_entries),
      address_limits(o.max_connections_per_address, o.max_requests_per_address),
      proxies(o.trusted_proxies),
      pools(checked_pools(o.pools)),
      log_timer(ioc) {
    if (o.access_log) access_log = std::make_unique<AccessLog>(STDOUT_FILENO);
}

bool Server::Impl::under_pressure() const {
    return static_cast<long long>(open_sessions.load()) * 100 >=
           static_cast<long long>(options.max_connections) * options.busy_percent;
}

void Server::Impl::flush_log_every_second() {
    if (!access_log) return;
    log_timer.expires_after(std::chrono::seconds(1));
    log_timer.async_wait([self = shared_from_this()](beast::error_code ec) {
        self->access_log->flush();
        if (!ec && !self->stopping) self->flush_log_every_second();
    });
}

void Server::Impl::listen() {
    beast::error_code ec;
    const auto address = net::ip::make_address(options.address, ec);
    if (ec) throw UsageError("http.address '" + options.address + "' is not an IP address");
    const tcp::endpoint endpoint{address, options.port};
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
        throw EnvironmentError(
            fmt::format("cannot listen on {}:{}: {}", options.address, options.port, ec.message()));
    }
}

void Server::Impl::track(const std::shared_ptr<Session>& s) {
    std::lock_guard lock(sessions_mutex);
    if (sessions.size() > 1024) {
        std::erase_if(sessions, [](const auto& w) { return w.expired(); });
    }
    sessions.push_back(s);
}

/// Accepts connections one after the other. A connection over the total or its address's maximum
/// is closed at once (a trusted proxy's connections have no per-address cap: they carry many
/// clients). When accept(2) fails, accepting pauses briefly rather than failing in a loop.
void Server::Impl::accept() {
    acceptor.async_accept(net::make_strand(ioc),
                          [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                              if (ec == net::error::operation_aborted || !self->acceptor.is_open()) return;
                              if (ec) {
                                  self->metrics.accept_failed();
                                  spdlog::warn("cannot accept a connection: {}", ec.message());
                                  self->accept_retry.expires_after(accept_pause);
                                  self->accept_retry.async_wait([self](beast::error_code e) {
                                      if (!e && !self->stopping) self->accept();
                                  });
                                  return;
                              }
                              beast::error_code peer_ec;
                              const auto endpoint = socket.remote_endpoint(peer_ec);
                              std::string peer = peer_ec ? std::string() : endpoint.address().to_string();
                              beast::error_code ignored;
                              if (self->open_sessions >= self->options.max_connections) {
                                  self->metrics.refused(Metrics::Limit::connections);
                                  socket.close(ignored);
                              } else if (self->proxies.trusts(peer)) {
                                  self->address_limits.open_uncapped_connection(peer);
                                  self->start_session(std::move(socket), std::move(peer));
                              } else if (!self->address_limits.open_connection(peer)) {
                                  self->metrics.refused(Metrics::Limit::connections_per_address);
                                  socket.close(ignored);
                              } else {
                                  self->start_session(std::move(socket), std::move(peer));
                              }
                              self->accept();
                          });
}

void Server::Impl::start_session(tcp::socket socket, std::string peer) {
    auto session = std::make_shared<Session>(*this, std::move(socket), std::move(peer));
    track(session);
    net::dispatch(session->executor(), [session] { session->start(); });
}

}  // namespace wenku::web
