#pragma once
// One client connection of the server (server.h): reads each request's header and body under the
// time and rate limits, admits the request to its work pool, and writes the response the pool's
// thread made. All of it runs on the connection's strand but the handler, which runs in the pool.
// Internal to the server.
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "web/server_impl.h"

namespace wenku::web {

class Session : public std::enable_shared_from_this<Session> {
  public:
    using Clock = std::chrono::steady_clock;
    using Headers = std::vector<std::pair<std::string, std::string>>;

    /// A connection accepted from `peer`, already counted in the server's per-address limits
    /// (close_connection is called when it ends).
    Session(Server::Impl& server, boost::asio::ip::tcp::socket socket, std::string peer);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    /// Starts reading requests.
    void start();
    /// For a graceful stop: closes the connection unless a request is in progress (its header
    /// read, its response not yet written).
    void close_if_idle();
    boost::asio::any_io_executor executor() { return stream_.get_executor(); }

  private:
    enum class Phase { idle, header, body };

    // Reading a request (session.cpp)
    void read_request();
    void read_header_bytes();
    void on_header_bytes(boost::beast::error_code ec, std::size_t bytes);
    void parse_header();
    void on_header();
    void read_body();
    void read_body_bytes();
    void on_body_bytes(boost::beast::error_code ec, std::size_t bytes);
    void parse_body();
    void on_body();
    void dispatch();
    void answer();
    bool admit();
    void count_bytes(std::size_t bytes);
    bool too_slow();
    Clock::time_point read_deadline() const;
    void release_slots();
    void remove_upload_file();

    // Writing the response (session_write.cpp)
    void reply_plain(int code, const std::string& message, bool keep, const Headers& extra = {});
    void write(Response res);
    void write_file(Response res);
    void send_file_part();
    void on_write(boost::beast::error_code ec, std::size_t bytes);
    void log_request(std::size_t bytes, double seconds);
    void close();
    void linger();
    void drain();

    Server::Impl& server_;
    std::shared_ptr<Server::Impl> keep_server_;
    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::empty_body>> header_parser_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> string_parser_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::file_body>> file_parser_;
    std::optional<boost::beast::http::response<boost::beast::http::span_body<const char>>> response_;
    boost::beast::http::response<boost::beast::http::empty_body> continue_response_{
        boost::beast::http::status::continue_, 11};
    std::shared_ptr<const std::string> response_body_;
    // a file being sent (write_file)
    std::shared_ptr<const OpenFile> file_;
    std::size_t file_offset_ = 0, file_remaining_ = 0, file_sent_ = 0;
    std::string header_text_;
    boost::asio::steady_timer send_timer_;

    const std::string peer_;  // the socket's peer address
    std::string client_;      // the address the request's limits count under (client_address.h)
    Request request_;
    std::string logged_target_;  // the target as sent
    WorkClass work_ = WorkClass::pages;
    std::atomic<bool> busy_{false};  // a request in progress
    bool keep_alive_ = true;
    bool http10_ = false;
    bool head_ = false;
    bool body_unread_ = false;  // the response is sent before the request's body was read
    int status_ = 0;
    Clock::time_point started_{};
    // What the request holds, given back by release_slots()
    bool holds_address_slot_ = false, holds_in_flight_ = false, holds_pool_place_ = false;
    // The time limits and the minimum rate (read_deadline, too_slow)
    Phase phase_ = Phase::idle;
    Clock::time_point phase_started_{};
    Clock::time_point window_started_{};
    std::uint64_t window_bytes_ = 0;
};

}  // namespace wenku::web
