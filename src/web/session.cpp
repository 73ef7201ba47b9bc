#include "web/session.h"

#include <limits>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/errors.h"
#include "web/http_parsing.h"

namespace wenku::web {
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr std::size_t header_limit = 16 * 1024;
constexpr std::size_t read_size = 64 * 1024;

std::string random_name() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return fmt::format("upload-{:016x}", rng());
}

/// Feeds what `buffer` holds to `parser` until it is done or needs more; the error it meets, if any.
template <class Parser>
beast::error_code feed(Parser& parser, beast::flat_buffer& buffer) {
    beast::error_code ec;
    while (buffer.size() > 0 && !parser.is_done()) {
        const std::size_t used = parser.put(buffer.data(), ec);
        buffer.consume(used);
        if (ec == http::error::need_more) return {};
        if (ec || used == 0) break;
    }
    return ec;
}

}  // namespace

Session::Session(Server::Impl& server, tcp::socket socket, std::string peer)
    : server_(server),
      keep_server_(server.shared_from_this()),
      stream_(std::move(socket)),
      send_timer_(stream_.get_executor()),
      peer_(std::move(peer)) {
    beast::error_code ec;
    stream_.socket().set_option(tcp::no_delay(true), ec);
    server_.metrics.connection_opened();
    ++server_.open_sessions;
}

Session::~Session() {
    release_slots();
    remove_upload_file();
    server_.address_limits.close_connection(peer_);
    server_.metrics.connection_closed();
    --server_.open_sessions;
}

void Session::start() { read_request(); }

void Session::close_if_idle() {
    if (!busy_) close();
}

// --- the header ---

void Session::read_request() {
    if (server_.stopping) return close();
    request_ = Request{};
    string_parser_.reset();
    file_parser_.reset();
    header_parser_.emplace();
    header_parser_->header_limit(header_limit);
    header_parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    body_unread_ = false;
    client_ = peer_;
    phase_ = Phase::idle;
    phase_started_ = Clock::now();
    if (buffer_.size() > 0) {  // pipelined: the next request's bytes are here already
        count_bytes(0);
        return parse_header();
    }
    read_header_bytes();
}

void Session::read_header_bytes() {
    stream_.expires_at(read_deadline());
    stream_.async_read_some(buffer_.prepare(read_size),
                            beast::bind_front_handler(&Session::on_header_bytes, shared_from_this()));
}

void Session::on_header_bytes(beast::error_code ec, std::size_t bytes) {
    if (ec) {
        if (ec == beast::error::timeout && phase_ == Phase::header)
            server_.metrics.refused(Metrics::Limit::slow);
        return close();
    }
    buffer_.commit(bytes);
    count_bytes(bytes);
    parse_header();
}

void Session::parse_header() {
    beast::error_code ec;
    const std::size_t used = header_parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec == http::error::header_limit) return reply_plain(431, "the request header is over 16 KiB", false);
    if (ec && ec != http::error::need_more) return reply_plain(400, "bad request: " + ec.message(), false);
    if (header_parser_->is_header_done()) return on_header();
    if (too_slow()) return close();
    read_header_bytes();
}

void Session::on_header() {
    busy_ = true;
    started_ = Clock::now();
    const auto& h = header_parser_->get();
    request_.method = std::string(h.method_string());
    request_.target = std::string(h.target());
    logged_target_ = request_.target;
    for (const auto& field : h) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto [it, fresh] = request_.headers.emplace(std::move(name), std::string(field.value()));
        if (!fresh && it->first == "x-forwarded-for") it->second += ", " + std::string(field.value());
    }
    keep_alive_ = h.keep_alive();
    http10_ = h.version() == 10;
    head_ = h.method() == http::verb::head;
    client_ = server_.proxies.client_address(peer_, request_.header("x-forwarded-for"),
                                             request_.header("x-real-ip"));
    request_.remote_ip = client_;
    request_.forwarded_https =
        server_.proxies.trusts(peer_) && beast::iequals(request_.header("x-forwarded-proto"), "https");
    // A client speaking as to a proxy sends "GET http://host/path": the host is in the target.
    if (auto absolute = split_absolute_target(request_.target)) {
        request_.target = std::move(absolute->origin);
        request_.headers.insert_or_assign("host", std::move(absolute->authority));
    }
    const auto q = request_.target.find('?');
    auto path = percent_decode(std::string_view(request_.target).substr(0, q), false);
    if (!path || path->empty() || path->front() != '/') return reply_plain(400, "bad request target", false);
    request_.path = std::move(*path);
    if (q != std::string::npos) parse_form(std::string_view(request_.target).substr(q + 1), request_.query);
    work_ = server_.hooks.work_class(request_);
    body_unread_ = !header_parser_->is_done();
    if (!admit()) return;
    if (header_parser_->is_done()) return dispatch();

    const bool upload = work_ == WorkClass::upload;
    const std::uint64_t limit = upload ? server_.options.max_upload_bytes : server_.options.max_body_bytes;
    if (const auto length = header_parser_->content_length(); length && *length > limit) {
        server_.metrics.refused(Metrics::Limit::too_large);
        release_slots();
        return reply_plain(413, fmt::format("the body is {} bytes; the limit is {} bytes", *length, limit),
                           false);
    }
    if (upload && server_.hooks.admit_upload) {
        if (auto refusal = server_.hooks.admit_upload(request_)) {
            release_slots();
            keep_alive_ = false;
            return write(std::move(*refusal));
        }
    }
    if (upload) {
        file_parser_.emplace(std::move(*header_parser_));
        file_parser_->body_limit(limit);
        request_.body_file = server_.options.upload_dir / random_name();
        beast::error_code open_ec;
        file_parser_->get().body().open(request_.body_file.c_str(), beast::file_mode::write, open_ec);
        if (open_ec) {
            request_.body_file.clear();
            release_slots();
            return reply_plain(500, "cannot store the upload: " + open_ec.message(), false);
        }
    } else {
        string_parser_.emplace(std::move(*header_parser_));
        string_parser_->body_limit(limit);
    }
    if (beast::iequals(request_.header("expect"), "100-continue")) {
        stream_.expires_after(std::chrono::seconds(server_.options.idle_seconds));
        return http::async_write(stream_, continue_response_,
                                 [self = shared_from_this()](beast::error_code e, std::size_t) {
                                     if (e) return self->close();
                                     self->read_body();
                                 });
    }
    read_body();
}

/// The per-address rate and requests at once, the requests in flight and the pool's queue, in
/// that order; a refusal is answered here (false). So is a request without a body that the site
/// answers from memory (false): it never waits behind a pool's queue.
bool Session::admit() {
    // A refusal before the body is read closes the connection when a body follows.
    const bool keep = keep_alive_ && !body_unread_;
    const Headers retry{{"Retry-After", "1"}};
    if (!server_.limiter.allow(client_)) {
        server_.metrics.refused(Metrics::Limit::rate);
        reply_plain(429, "too many requests from " + client_ + "; slow down", keep, retry);
        return false;
    }
    if (!server_.address_limits.start_request(client_)) {
        server_.metrics.refused(Metrics::Limit::requests_per_address);
        reply_plain(429, "too many requests at once from " + client_ + "; wait for the answers", keep, retry);
        return false;
    }
    holds_address_slot_ = true;
    auto& in_flight = server_.metrics.in_flight();
    if (++in_flight > server_.options.max_in_flight) {
        --in_flight;
        release_slots();
        server_.metrics.refused(Metrics::Limit::in_flight);
        reply_plain(503, "the server is busy; try again", keep, retry);
        return false;
    }
    holds_in_flight_ = true;
    if (!body_unread_ && server_.hooks.answer_from_memory) {
        if (auto res = server_.hooks.answer_from_memory(request_)) {
            server_.metrics.answered_from_memory();
            release_slots();
            write(std::move(*res));
            return false;
        }
    }
    if (!server_.pools.admit(work_)) {
        release_slots();
        server_.metrics.refused_queue(static_cast<std::size_t>(work_));
        reply_plain(503, fmt::format("the server is busy ({}); try again", work_class_name(work_)), keep,
                    retry);
        return false;
    }
    holds_pool_place_ = true;
    return true;
}

// --- the body ---

void Session::read_body() {
    phase_ = Phase::body;
    phase_started_ = window_started_ = Clock::now();
    window_bytes_ = 0;
    parse_body();
}

void Session::read_body_bytes() {
    stream_.expires_at(read_deadline());
    stream_.async_read_some(buffer_.prepare(read_size),
                            beast::bind_front_handler(&Session::on_body_bytes, shared_from_this()));
}

void Session::on_body_bytes(beast::error_code ec, std::size_t bytes) {
    if (ec) {
        if (ec == beast::error::timeout) server_.metrics.refused(Metrics::Limit::slow);
        return close();
    }
    buffer_.commit(bytes);
    count_bytes(bytes);
    parse_body();
}

void Session::parse_body() {
    const beast::error_code ec = file_parser_ ? feed(*file_parser_, buffer_) : feed(*string_parser_, buffer_);
    if (ec == http::error::body_limit) {
        server_.metrics.refused(Metrics::Limit::too_large);
        release_slots();
        const auto limit = file_parser_ ? server_.options.max_upload_bytes : server_.options.max_body_bytes;
        return reply_plain(413, fmt::format("the body is over the limit of {} bytes", limit), false);
    }
    if (ec && file_parser_ && is_out_of_space(ec)) {
        // The disk filled while the upload was written: what came of it goes, and the client is
        // told to come back (no path: the message is the system's, which names none).
        release_slots();
        file_parser_->get().body().close();  // its space returns only once it is closed, too
        remove_upload_file();
        spdlog::warn("an upload from {} was cut: {}", client_, ec.message());
        return reply_plain(507, "the server has no room for this upload now; try again later", false,
                           {{"Retry-After", "60"}});
    }
    if (ec) return reply_plain(400, "bad request body: " + ec.message(), false);
    if (file_parser_ ? file_parser_->is_done() : string_parser_->is_done()) return on_body();
    if (too_slow()) {
        server_.metrics.refused(Metrics::Limit::slow);
        return close();
    }
    read_body_bytes();
}

void Session::on_body() {
    body_unread_ = false;
    if (file_parser_) {
        file_parser_->get().body().close();
        std::error_code size_ec;
        request_.body_size = std::filesystem::file_size(request_.body_file, size_ec);
    } else {
        request_.body = std::move(string_parser_->get().body());
        request_.body_size = request_.body.size();
    }
    dispatch();
}

// --- the answer, from the pool ---

void Session::dispatch() {
    holds_pool_place_ = false;  // run() takes the place over
    server_.pools.run(work_, [self = shared_from_this()] { self->answer(); });
}

void Session::answer() {
    Response res;
    try {
        res = server_.hooks.handle(request_);
    } catch (const std::exception& e) {
        spdlog::error("{} {}: {}", request_.method, request_.target, e.what());
        res = Response{};
        res.status = 500;
        res.text("internal error\n", "text/plain; charset=utf-8");
        set_security_headers(res);
    }
    net::post(stream_.get_executor(), [self = shared_from_this(), res = std::move(res)]() mutable {
        self->release_slots();
        self->remove_upload_file();
        self->write(std::move(res));
    });
}

// --- limits ---

/// When the read now starting must end: the phase's time (idle: http.idle_seconds; header:
/// http.header_seconds from its first byte; both busy_header_seconds under pressure; body: the
/// upload or idle time), and the end of the rate window.
Session::Clock::time_point Session::read_deadline() const {
    const ServerOptions& o = server_.options;
    const bool pressure = phase_ != Phase::body && server_.under_pressure();
    int seconds = o.idle_seconds;
    if (phase_ == Phase::header) seconds = o.header_seconds;
    if (phase_ == Phase::body && work_ == WorkClass::upload) seconds = o.upload_seconds;
    if (pressure) seconds = std::min(seconds, o.busy_header_seconds);
    auto deadline = phase_started_ + std::chrono::seconds(seconds);
    if (phase_ != Phase::idle && o.min_rate_seconds > 0 && o.min_rate_bytes > 0)
        deadline = std::min(deadline, window_started_ + std::chrono::seconds(o.min_rate_seconds));
    return deadline;
}

/// Counts bytes received; the first byte of a request starts its header's clock and a rate window.
void Session::count_bytes(std::size_t bytes) {
    if (phase_ == Phase::idle && buffer_.size() > 0) {
        phase_ = Phase::header;
        phase_started_ = window_started_ = Clock::now();
        window_bytes_ = buffer_.size();
        return;
    }
    window_bytes_ += bytes;
}

/// Whether the window of http.min_rate_seconds has passed with fewer bytes than the minimum rate
/// asks; when it passed with enough, a new window starts.
bool Session::too_slow() {
    const ServerOptions& o = server_.options;
    if (phase_ == Phase::idle || o.min_rate_seconds <= 0 || o.min_rate_bytes == 0) return false;
    const auto now = Clock::now();
    if (now - window_started_ < std::chrono::seconds(o.min_rate_seconds)) return false;
    if (window_bytes_ < o.min_rate_bytes * static_cast<std::uint64_t>(o.min_rate_seconds)) return true;
    window_started_ = now;
    window_bytes_ = 0;
    return false;
}

void Session::release_slots() {
    if (holds_address_slot_) server_.address_limits.end_request(client_);
    if (holds_in_flight_) --server_.metrics.in_flight();
    if (holds_pool_place_) server_.pools.cancel(work_);
    holds_address_slot_ = holds_in_flight_ = holds_pool_place_ = false;
}

void Session::remove_upload_file() {
    if (!request_.body_file.empty()) {
        std::error_code ec;
        std::filesystem::remove(request_.body_file, ec);
        request_.body_file.clear();
    }
}

}  // namespace wenku::web
