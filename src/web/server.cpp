#include "web/server.h"

#include <sys/sendfile.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <limits>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/errors.h"
#include "web/access_log.h"
#include "web/file_cache.h"
#include "web/http_parsing.h"

namespace wenku::web {
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

/// Token buckets by client address.
class RateLimiter {
  public:
    RateLimiter(double rate, double burst) : rate_(rate), burst_(burst > 0 ? burst : std::max(1.0, rate)) {}
    bool allow(const std::string& ip) {
        if (rate_ <= 0) return true;
        const auto now = Clock::now();
        std::lock_guard lock(mutex_);
        if (buckets_.size() > 100000) buckets_.clear();  // bounded memory under address spraying
        auto [it, fresh] = buckets_.try_emplace(ip, Bucket{burst_, now});
        Bucket& b = it->second;
        if (!fresh) {
            b.tokens =
                std::min(burst_, b.tokens + rate_ * std::chrono::duration<double>(now - b.last).count());
            b.last = now;
        }
        if (b.tokens < 1) return false;
        b.tokens -= 1;
        return true;
    }

  private:
    struct Bucket {
        double tokens;
        Clock::time_point last;
    };
    double rate_, burst_;
    std::mutex mutex_;
    std::unordered_map<std::string, Bucket> buckets_;
};

std::string random_name() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return fmt::format("upload-{:016x}", rng());
}

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
    ServerOptions options;
    Handler handler;
    IsUpload is_upload;
    Metrics& metrics;
    net::io_context ioc;
    tcp::acceptor acceptor;
    RateLimiter limiter;
    std::atomic<bool> stopping{false};
    std::mutex sessions_mutex;
    std::vector<std::weak_ptr<struct Session>> sessions;
    std::atomic<int> open_sessions{0};
    std::unique_ptr<AccessLog> access_log;  // stdout, when options.access_log
    net::steady_timer log_timer;

    Impl(const ServerOptions& o, Handler h, IsUpload u, Metrics& m)
        : options(o),
          handler(std::move(h)),
          is_upload(std::move(u)),
          metrics(m),
          ioc(o.threads),
          acceptor(net::make_strand(ioc)),
          limiter(o.rate_per_ip, o.rate_burst),
          log_timer(ioc) {
        if (o.access_log) access_log = std::make_unique<AccessLog>(STDOUT_FILENO);
    }

    /// Writes the access log out every second.
    void flush_log_every_second() {
        if (!access_log) return;
        log_timer.expires_after(std::chrono::seconds(1));
        log_timer.async_wait([self = shared_from_this()](beast::error_code ec) {
            self->access_log->flush();
            if (!ec && !self->stopping) self->flush_log_every_second();
        });
    }

    void listen();
    void accept();
    void track(const std::shared_ptr<struct Session>& s);
};

struct Session : std::enable_shared_from_this<Session> {
    using Impl = Server::Impl;
    Impl& server;
    std::shared_ptr<Impl> keep_server;
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    std::optional<http::request_parser<http::empty_body>> header_parser;
    std::optional<http::request_parser<http::string_body>> string_parser;
    std::optional<http::request_parser<http::file_body>> file_parser;
    std::optional<http::response<http::span_body<const char>>> response;
    // a file being sent (write_file)
    std::shared_ptr<const OpenFile> file;
    std::size_t file_offset = 0, file_remaining = 0, file_sent = 0;
    std::string header_text;
    net::steady_timer send_timer;
    http::response<http::empty_body> continue_response{http::status::continue_, 11};
    std::shared_ptr<const std::string> response_body;
    Request request;
    std::string remote_ip;
    std::atomic<bool> busy{false};
    bool keep_alive = true;
    bool head = false;
    int status = 0;
    Clock::time_point started;

    Session(Impl& s, tcp::socket socket)
        : server(s),
          keep_server(s.shared_from_this()),
          stream(std::move(socket)),
          send_timer(stream.get_executor()) {
        beast::error_code ec;
        const auto endpoint = stream.socket().remote_endpoint(ec);
        if (!ec) remote_ip = endpoint.address().to_string();
        stream.socket().set_option(tcp::no_delay(true), ec);
        server.metrics.connection_opened();
        ++server.open_sessions;
    }
    ~Session() {
        server.metrics.connection_closed();
        --server.open_sessions;
        remove_upload_file();
    }

    void remove_upload_file() {
        if (!request.body_file.empty()) {
            std::error_code ec;
            std::filesystem::remove(request.body_file, ec);
            request.body_file.clear();
        }
    }

    void read_header() {
        if (server.stopping) return close();
        request = Request{};
        string_parser.reset();
        file_parser.reset();
        header_parser.emplace();
        header_parser->header_limit(16 * 1024);
        header_parser->body_limit(std::numeric_limits<std::uint64_t>::max());
        stream.expires_after(std::chrono::seconds(server.options.idle_seconds));
        http::async_read_header(stream, buffer, *header_parser,
                                beast::bind_front_handler(&Session::on_header, shared_from_this()));
    }

    void on_header(beast::error_code ec, std::size_t) {
        if (ec) {
            if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
                ec == net::error::operation_aborted || ec == net::error::connection_reset ||
                ec == net::error::eof) {
                return close();
            }
            if (ec == http::error::header_limit)
                return reply_plain(431, "the request header is over 16 KiB", false);
            return reply_plain(400, "bad request: " + ec.message(), false);
        }
        busy = true;
        started = Clock::now();
        const auto& h = header_parser->get();
        request.method = std::string(h.method_string());
        request.target = std::string(h.target());
        request.remote_ip = remote_ip;
        for (const auto& field : h) {
            std::string name(field.name_string());
            for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            request.headers.emplace(std::move(name), std::string(field.value()));
        }
        keep_alive = h.keep_alive();
        head = h.method() == http::verb::head;
        const auto q = request.target.find('?');
        auto path = percent_decode(std::string_view(request.target).substr(0, q), false);
        if (!path || path->empty() || path->front() != '/')
            return reply_plain(400, "bad request target", false);
        request.path = std::move(*path);
        if (q != std::string::npos) parse_form(std::string_view(request.target).substr(q + 1), request.query);

        if (!server.limiter.allow(remote_ip)) {
            server.metrics.refused("rate");
            return reply_plain(429, "too many requests from " + remote_ip + "; slow down",
                               !header_parser->is_done() ? false : keep_alive, {{"Retry-After", "1"}});
        }
        if (header_parser->is_done()) return handle();

        const bool upload = server.is_upload(request);
        const std::uint64_t limit = upload ? server.options.max_upload_bytes : server.options.max_body_bytes;
        if (const auto length = header_parser->content_length(); length && *length > limit) {
            server.metrics.refused("too_large");
            return reply_plain(
                413, fmt::format("the body is {} bytes; the limit is {} bytes", *length, limit), false);
        }
        const bool expect_continue = beast::iequals(request.header("expect"), "100-continue");
        if (upload) {
            file_parser.emplace(std::move(*header_parser));
            file_parser->body_limit(limit);
            request.body_file = server.options.upload_dir / random_name();
            beast::error_code open_ec;
            file_parser->get().body().open(request.body_file.c_str(), beast::file_mode::write, open_ec);
            if (open_ec) {
                request.body_file.clear();
                return reply_plain(500, "cannot store the upload: " + open_ec.message(), false);
            }
            stream.expires_after(std::chrono::seconds(server.options.upload_seconds));
        } else {
            string_parser.emplace(std::move(*header_parser));
            string_parser->body_limit(limit);
        }
        if (expect_continue) {
            http::async_write(stream, continue_response,
                              [self = shared_from_this()](beast::error_code e, std::size_t) {
                                  if (e) return self->close();
                                  self->read_body();
                              });
        } else {
            read_body();
        }
    }

    void read_body() {
        auto done = beast::bind_front_handler(&Session::on_body, shared_from_this());
        if (file_parser)
            http::async_read(stream, buffer, *file_parser, std::move(done));
        else
            http::async_read(stream, buffer, *string_parser, std::move(done));
    }

    void on_body(beast::error_code ec, std::size_t) {
        if (ec == http::error::body_limit) {
            server.metrics.refused("too_large");
            const auto limit = file_parser ? server.options.max_upload_bytes : server.options.max_body_bytes;
            return reply_plain(413, fmt::format("the body is over the limit of {} bytes", limit), false);
        }
        if (ec) return close();
        if (file_parser) {
            beast::error_code close_ec;
            file_parser->get().body().close();
            request.body_size = std::filesystem::file_size(request.body_file);
        } else {
            request.body = std::move(string_parser->get().body());
            request.body_size = request.body.size();
        }
        handle();
    }

    void handle() {
        auto& in_flight = server.metrics.in_flight();
        if (++in_flight > server.options.max_in_flight) {
            --in_flight;
            server.metrics.refused("in_flight");
            return reply_plain(503, "the server is busy; try again", keep_alive, {{"Retry-After", "1"}});
        }
        Response res;
        try {
            res = server.handler(request);
        } catch (const std::exception& e) {
            spdlog::error("{} {}: {}", request.method, request.target, e.what());
            res = Response{};
            res.status = 500;
            res.text("internal error\n", "text/plain; charset=utf-8");
        }
        --in_flight;
        remove_upload_file();
        write(std::move(res));
    }

    void reply_plain(int code, const std::string& message, bool keep,
                     std::vector<std::pair<std::string, std::string>> extra = {}) {
        if (started == Clock::time_point{}) started = Clock::now();
        busy = true;
        keep_alive = keep;
        Response res;
        res.status = code;
        res.text(message + "\n", "text/plain; charset=utf-8");
        for (auto& [n, v] : extra) res.set(n, v);
        write(std::move(res));
    }

    void write(Response res) {
        if (server.stopping) keep_alive = false;
        status = res.status;
        if (res.file) return write_file(std::move(res));
        response_body = res.body ? res.body : std::make_shared<const std::string>();
        const std::size_t size = res.send_size();
        response.emplace();
        response->version(11);
        response->result(static_cast<unsigned>(res.status));
        response->set(http::field::server, "wenku");
        for (auto& [n, v] : res.headers) response->set(n, v);
        response->keep_alive(keep_alive);
        if (head || res.status == 304 || res.status == 204) {
            response->body() = http::span_body<const char>::value_type(response_body->data(), 0);
            if (res.status != 304 && res.status != 204) response->content_length(size);
        } else {
            response->body() =
                http::span_body<const char>::value_type(response_body->data() + res.offset, size);
            response->content_length(size);
        }
        stream.expires_after(std::chrono::seconds(60));
        http::async_write(stream, *response,
                          beast::bind_front_handler(&Session::on_write, shared_from_this()));
    }

    /// A file goes out as the header (one send with MSG_MORE, so it shares a packet with the
    /// file's first bytes) and then sendfile(2) straight from the page cache: no copy through
    /// this process.
    void write_file(Response res) {
        const std::size_t size = res.send_size();
        file = std::move(res.file);
        file_offset = res.offset;
        file_remaining = head ? 0 : size;
        file_sent = 0;
        const auto reason = http::obsolete_reason(http::int_to_status(static_cast<unsigned>(res.status)));
        header_text = fmt::format("HTTP/1.1 {} {}\r\nServer: wenku\r\n", res.status,
                                  std::string_view(reason.data(), reason.size()));
        for (const auto& [n, v] : res.headers) header_text += n + ": " + v + "\r\n";
        header_text +=
            fmt::format("Content-Length: {}\r\n{}\r\n", size, keep_alive ? "" : "Connection: close\r\n");
        const ssize_t n = ::send(stream.socket().native_handle(), header_text.data(), header_text.size(),
                                 MSG_NOSIGNAL | (file_remaining > 0 ? MSG_MORE : 0));
        if (n == static_cast<ssize_t>(header_text.size())) return send_file_part();
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            return on_write(beast::error_code(errno, beast::system_category()), 0);
        }
        const std::size_t sent = n > 0 ? static_cast<std::size_t>(n) : 0;
        stream.expires_after(std::chrono::seconds(60));
        net::async_write(stream, net::buffer(header_text.data() + sent, header_text.size() - sent),
                         [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             if (ec) return self->on_write(ec, 0);
                             self->send_file_part();
                         });
    }

    void send_file_part() {
        auto& socket = stream.socket();
        beast::error_code ec;
        socket.native_non_blocking(true, ec);
        while (file_remaining > 0) {
            off_t offset = static_cast<off_t>(file_offset);
            const ssize_t n = ::sendfile(socket.native_handle(), file->fd(), &offset,
                                         std::min<std::size_t>(file_remaining, std::size_t{1} << 22));
            if (n > 0) {
                file_offset += static_cast<std::size_t>(n);
                file_remaining -= static_cast<std::size_t>(n);
                file_sent += static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                // The socket is full: wait until it drains, but not forever.
                send_timer.expires_after(std::chrono::seconds(60));
                send_timer.async_wait([self = shared_from_this()](beast::error_code e) {
                    beast::error_code ignored;
                    if (!e) self->stream.socket().cancel(ignored);
                });
                socket.async_wait(tcp::socket::wait_write, [self = shared_from_this()](beast::error_code e) {
                    self->send_timer.cancel();
                    if (e) return self->on_write(e, self->file_sent);
                    self->send_file_part();
                });
                return;
            }
            // An error, or the file ended early (n == 0): the response cannot be completed.
            return on_write(beast::error_code(n < 0 ? errno : EIO, beast::system_category()), file_sent);
        }
        on_write({}, file_sent);
    }

    void on_write(beast::error_code ec, std::size_t bytes) {
        file.reset();
        const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
        server.metrics.observe(status, seconds, bytes);
        if (server.access_log) {
            fmt::memory_buffer line;
            fmt::format_to(std::back_inserter(line), "{} \"{} {}\" {} {} {:.2f}ms", remote_ip, request.method,
                           request.target, status, bytes, seconds * 1000);
            server.access_log->write(std::string_view(line.data(), line.size()));
        }
        busy = false;
        started = {};
        response.reset();
        response_body.reset();
        if (ec || !keep_alive) return close();
        read_header();
    }

    void close() {
        busy = false;
        beast::error_code ec;
        stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        stream.socket().close(ec);
    }
};

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

void Server::Impl::accept() {
    acceptor.async_accept(
        net::make_strand(ioc), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
            if (ec == net::error::operation_aborted || !self->acceptor.is_open()) return;
            if (!ec) {
                if (self->open_sessions >= self->options.max_connections) {
                    self->metrics.refused("connections");
                    beast::error_code ignored;
                    socket.close(ignored);
                } else {
                    auto session = std::make_shared<Session>(*self, std::move(socket));
                    self->track(session);
                    net::dispatch(session->stream.get_executor(), [session] { session->read_header(); });
                }
            }
            self->accept();
        });
}

Server::Server(const ServerOptions& options, Handler handler, IsUpload is_upload, Metrics& metrics) {
    // A peer that closes while sendfile(2) writes to it must not kill the process.
    std::signal(SIGPIPE, SIG_IGN);
    ServerOptions o = options;
    if (o.threads <= 0) o.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    impl_ = std::make_shared<Impl>(o, std::move(handler), std::move(is_upload), metrics);
    impl_->listen();
}

Server::~Server() {
    beast::error_code ec;
    impl_->acceptor.close(ec);
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

void Server::stop(int grace_seconds) {
    auto impl = impl_;
    net::post(impl->ioc, [impl, grace_seconds] {
        if (impl->stopping.exchange(true)) return;
        beast::error_code ec;
        impl->acceptor.close(ec);
        std::vector<std::shared_ptr<Session>> alive;
        {
            std::lock_guard lock(impl->sessions_mutex);
            for (auto& w : impl->sessions) {
                if (auto s = w.lock()) alive.push_back(std::move(s));
            }
        }
        // Idle connections (waiting for a request) close now; busy ones close after their response.
        for (auto& s : alive) {
            net::post(s->stream.get_executor(), [s] {
                if (!s->busy) s->close();
            });
        }
        wait_for_sessions(impl, std::make_shared<net::steady_timer>(impl->ioc),
                          Clock::now() + std::chrono::seconds(grace_seconds));
    });
}

}  // namespace wenku::web
