// Writing a connection's responses (session.h): small bodies through Beast, files with
// sendfile(2); then the access log line, and the next request or the close.
#include <sys/sendfile.h>
#include <sys/socket.h>

#include <cerrno>

#include <fmt/format.h>

#include "web/file_cache.h"
#include "web/session.h"

namespace wenku::web {
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {
constexpr auto write_seconds = std::chrono::seconds(60);  // a response not taken in this long is cut
constexpr auto linger_seconds = std::chrono::seconds(2);  // reading what follows a refusal
constexpr std::size_t linger_bytes = 1 << 20;
}  // namespace

/// The server's own answers (refusals and malformed requests): plain text, never cached, with
/// the security headers every response carries.
void Session::reply_plain(int code, const std::string& message, bool keep, const Headers& extra) {
    if (started_ == Clock::time_point{}) started_ = Clock::now();
    busy_ = true;
    keep_alive_ = keep;
    Response res;
    res.status = code;
    res.text(message + "\n", "text/plain; charset=utf-8");
    res.set("Cache-Control", "no-store");
    set_security_headers(res);
    for (const auto& [n, v] : extra) res.set(n, v);
    write(std::move(res));
}

void Session::write(Response res) {
    if (server_.stopping) keep_alive_ = false;
    status_ = res.status;
    if (res.file) return write_file(std::move(res));
    response_body_ = res.body ? res.body : std::make_shared<const std::string>();
    const std::size_t size = res.send_size();
    response_.emplace();
    response_->version(11);
    response_->result(static_cast<unsigned>(res.status));
    response_->set(http::field::server, "wenku");
    for (auto& [n, v] : res.headers) response_->set(n, v);
    response_->keep_alive(keep_alive_);
    // An HTTP/1.0 client closes unless told the connection stays open.
    if (keep_alive_ && http10_) response_->set(http::field::connection, "keep-alive");
    if (head_ || res.status == 304 || res.status == 204) {
        response_->body() = http::span_body<const char>::value_type(response_body_->data(), 0);
        if (res.status != 304 && res.status != 204) response_->content_length(size);
    } else {
        response_->body() =
            http::span_body<const char>::value_type(response_body_->data() + res.offset, size);
        response_->content_length(size);
    }
    stream_.expires_after(write_seconds);
    http::async_write(stream_, *response_, beast::bind_front_handler(&Session::on_write, shared_from_this()));
}

/// A file goes out as the header (one send with MSG_MORE, so it shares a packet with the file's
/// first bytes) and then sendfile(2) straight from the page cache: no copy through this process.
void Session::write_file(Response res) {
    const std::size_t size = res.send_size();
    file_ = std::move(res.file);
    file_offset_ = res.offset;
    file_remaining_ = head_ ? 0 : size;
    file_sent_ = 0;
    const auto reason = http::obsolete_reason(http::int_to_status(static_cast<unsigned>(res.status)));
    header_text_ = fmt::format("HTTP/1.1 {} {}\r\nServer: wenku\r\n", res.status,
                               std::string_view(reason.data(), reason.size()));
    for (const auto& [n, v] : res.headers) header_text_ += n + ": " + v + "\r\n";
    const char* connection = !keep_alive_ ? "Connection: close\r\n"
                             : http10_    ? "Connection: keep-alive\r\n"
                                          : "";
    header_text_ += fmt::format("Content-Length: {}\r\n{}\r\n", size, connection);
    const ssize_t n = ::send(stream_.socket().native_handle(), header_text_.data(), header_text_.size(),
                             MSG_NOSIGNAL | (file_remaining_ > 0 ? MSG_MORE : 0));
    if (n == static_cast<ssize_t>(header_text_.size())) return send_file_part();
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        return on_write(beast::error_code(errno, beast::system_category()), 0);
    }
    const std::size_t sent = n > 0 ? static_cast<std::size_t>(n) : 0;
    stream_.expires_after(write_seconds);
    net::async_write(stream_, net::buffer(header_text_.data() + sent, header_text_.size() - sent),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         if (ec) return self->on_write(ec, 0);
                         self->send_file_part();
                     });
}

void Session::send_file_part() {
    auto& socket = stream_.socket();
    beast::error_code ec;
    socket.native_non_blocking(true, ec);
    while (file_remaining_ > 0) {
        off_t offset = static_cast<off_t>(file_offset_);
        const ssize_t n = ::sendfile(socket.native_handle(), file_->fd(), &offset,
                                     std::min<std::size_t>(file_remaining_, std::size_t{1} << 22));
        if (n > 0) {
            file_offset_ += static_cast<std::size_t>(n);
            file_remaining_ -= static_cast<std::size_t>(n);
            file_sent_ += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            // The socket is full: wait until it drains, but not forever.
            send_timer_.expires_after(write_seconds);
            send_timer_.async_wait([self = shared_from_this()](beast::error_code e) {
                beast::error_code ignored;
                if (!e) self->stream_.socket().cancel(ignored);
            });
            socket.async_wait(tcp::socket::wait_write, [self = shared_from_this()](beast::error_code e) {
                self->send_timer_.cancel();
                if (e) return self->on_write(e, self->file_sent_);
                self->send_file_part();
            });
            return;
        }
        // An error, or the file ended early (n == 0): the response cannot be completed.
        return on_write(beast::error_code(n < 0 ? errno : EIO, beast::system_category()), file_sent_);
    }
    on_write({}, file_sent_);
}

void Session::on_write(beast::error_code ec, std::size_t bytes) {
    file_.reset();
    const double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    server_.metrics.observe(status_, seconds, bytes);
    if (server_.access_log) log_request(bytes, seconds);
    busy_ = false;
    started_ = {};
    response_.reset();
    response_body_.reset();
    if (ec) return close();
    if (!keep_alive_) return body_unread_ ? linger() : close();
    read_request();
}

/// One access log line: the client's address, the request line as sent (escaped: it is the
/// client's), the status, the bytes sent and the time taken.
void Session::log_request(std::size_t bytes, double seconds) {
    fmt::memory_buffer line;
    fmt::format_to(std::back_inserter(line), "{} \"{} {}\" {} {} {:.2f}ms", client_,
                   log_escape(request_.method), log_escape(logged_target_), status_, bytes, seconds * 1000);
    server_.access_log->write(std::string_view(line.data(), line.size()));
}

void Session::close() {
    busy_ = false;
    release_slots();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
}

/// After a refusal sent before the request's body was read: stops sending and reads (and drops)
/// what the client still sends for a moment, so that closing does not reset the connection
/// before the client has read the refusal.
void Session::linger() {
    release_slots();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(linger_seconds);
    window_bytes_ = 0;
    drain();
}

void Session::drain() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(64 * 1024),
                            [self = shared_from_this()](beast::error_code e, std::size_t n) {
                                self->window_bytes_ += n;
                                if (e || self->window_bytes_ > linger_bytes) return self->close();
                                self->drain();
                            });
}

}  // namespace wenku::web
