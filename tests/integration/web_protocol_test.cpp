// The HTTP layer's own behaviour through the real binary: its refusals carry the site's security
// headers, absolute-form targets and HTTP/1.0 keep-alive work, X-Forwarded-For is believed only
// from a trusted proxy, the access log escapes what the client sent, uploads are refused before
// their body when uploads are closed, and SIGTERM lets an upload in flight finish.
#include <csignal>
#include <thread>

#include <gtest/gtest.h>

#include "support/folder_files.h"
#include "web_fixture.h"

using namespace web_fixture;

namespace {

/// The access log (the server's stdout) once it holds `needle` (it is written every second);
/// what it holds after 5 s otherwise.
std::string log_with(const fs::path& data, const std::string& needle) {
    std::string out;
    for (int i = 0; i < 100; ++i) {
        out = read_file(data / "serve.out");
        if (contains(out, needle)) break;
        std::this_thread::sleep_for(50ms);
    }
    return out;
}

/// The access log lines that end a request of `target` (as logged).
std::vector<std::string> log_lines(const std::string& log, const std::string& target) {
    std::vector<std::string> lines;
    std::size_t at = 0;
    while ((at = log.find(target, at)) != std::string::npos) {
        const auto start = log.rfind('\n', at) + 1;
        const auto end = log.find('\n', at);
        lines.push_back(log.substr(start, end - start));
        at = end;
    }
    return lines;
}

}  // namespace

TEST(WebProtocolTest, TheServersOwnRefusalsCarryTheSecurityHeaders) {
    TempDir data;
    ServedLibrary server(
        data.path(),
        "http.access_log = 0\nhttp.rate_per_ip = 1\nhttp.rate_burst = 1\nhttp.max_body_kb = 1\n");
    const unsigned short port = server.port();
    {  // 400: a target that is no path
        HttpConnection c(port);
        c.send("GET nopath HTTP/1.1\r\nHost: x\r\n\r\n");
        const auto r = c.read_response();
        EXPECT_EQ(r.status, 400);
        expect_security_headers(r, "400");
    }
    {  // 431: a header over 16 KiB
        HttpConnection c(port);
        c.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n");
        const auto r = c.read_response();
        EXPECT_EQ(r.status, 431);
        expect_security_headers(r, "431");
    }
    {  // 413: a body over http.max_body_kb, then 429: over the rate
        HttpConnection c(port, 5s, "127.0.0.2");
        c.send("POST /d/1/report HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n");
        const auto r = c.read_response();
        EXPECT_EQ(r.status, 413);
        expect_security_headers(r, "413");
        HttpConnection again(port, 5s, "127.0.0.2");
        const auto limited = again.request("GET", "/healthz");
        EXPECT_EQ(limited.status, 429);
        expect_security_headers(limited, "429");
        EXPECT_EQ(limited.header("cache-control"), "no-store");
    }
    EXPECT_EQ(server.stop(10s), 0) << server.log();
}

TEST(WebProtocolTest, AbsoluteFormTargetsAreAnsweredLikeTheirPath) {
    TempDir data;
    ServedLibrary server(data.path(), "http.access_log = 0\nhttp.rate_per_ip = 0\n");
    HttpConnection c(server.port());
    for (const std::string target : {"http://127.0.0.1/healthz", "HTTP://example.com:8080/healthz?x=1"}) {
        const auto r = c.request("GET", target);
        EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    }
    const auto css = c.request("GET", "http://127.0.0.1/static/site.css");
    EXPECT_EQ(css.status, 200);
    EXPECT_EQ(css.header("content-type").substr(0, 8), "text/css");
    const auto home = c.request("GET", "http://127.0.0.1");  // an empty path is "/"
    EXPECT_EQ(home.status, 200);
    EXPECT_EQ(c.request("GET", "ftp://127.0.0.1/healthz").status, 400);
    EXPECT_EQ(server.stop(10s), 0) << server.log();
}

TEST(WebProtocolTest, Http10KeepAliveIsAnsweredWithKeepAlive) {
    TempDir data;
    ServedLibrary server(data.path(), "http.access_log = 0\nhttp.rate_per_ip = 0\n");
    HttpConnection c(server.port());
    // A page (written by Beast) and a static file (sendfile) on one HTTP/1.0 connection.
    for (const std::string target : {"/healthz", "/static/site.css", "/healthz"}) {
        c.send("GET " + target + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        const auto r = c.read_response();
        EXPECT_EQ(r.status, 200) << target;
        EXPECT_EQ(r.header("connection"), "keep-alive") << target;
    }
    // Without keep-alive, HTTP/1.0 closes after the response.
    c.send("GET /healthz HTTP/1.0\r\n\r\n");
    EXPECT_EQ(c.read_response().status, 200);
    EXPECT_TRUE(c.closed_by_server(5s));
    EXPECT_EQ(server.stop(10s), 0) << server.log();
}

TEST(WebProtocolTest, ForwardedAddressesAreBelievedOnlyFromTrustedProxies) {
    TempDir data;
    ServedLibrary server(data.path(),
                         "http.trusted_proxies = 127.0.0.2, 10.0.0.0/8\nhttp.rate_per_ip = 1\n"
                         "http.rate_burst = 2\n");
    const unsigned short port = server.port();
    const auto from = [&](const std::string& address, const std::string& target, const std::string& xff) {
        HttpConnection c(port, 10s, address);
        return c.request("GET", target, {}, {{"X-Forwarded-For", xff}}).status;
    };
    // Through the trusted proxy, each forwarded client has a bucket of its own (burst 2).
    EXPECT_EQ(from("127.0.0.2", "/healthz?a1", "203.0.113.1"), 200);
    EXPECT_EQ(from("127.0.0.2", "/healthz?a2", "203.0.113.1"), 200);
    EXPECT_EQ(from("127.0.0.2", "/healthz?a3", "203.0.113.1"), 429);
    EXPECT_EQ(from("127.0.0.2", "/healthz?b1", "203.0.113.2"), 200);
    // The right-most address that is not a trusted proxy is the client.
    EXPECT_EQ(from("127.0.0.2", "/healthz?c1", "198.51.100.7, 10.1.2.3"), 200);
    // From an untrusted peer the header is ignored: one bucket, whatever it claims.
    EXPECT_EQ(from("127.0.0.3", "/healthz?d1", "203.0.113.3"), 200);
    EXPECT_EQ(from("127.0.0.3", "/healthz?d2", "203.0.113.4"), 200);
    EXPECT_EQ(from("127.0.0.3", "/healthz?d3", "203.0.113.5"), 429);

    const std::string log = log_with(data.path(), "/healthz?d3");
    const auto first = [&](const std::string& target) {
        const auto lines = log_lines(log, target + "\"");
        return lines.empty() ? std::string() : lines.front();
    };
    EXPECT_TRUE(first("/healthz?b1").find("203.0.113.2 ") != std::string::npos) << log;
    EXPECT_TRUE(first("/healthz?c1").find("198.51.100.7 ") != std::string::npos) << log;
    EXPECT_TRUE(first("/healthz?d1").find("127.0.0.3 ") != std::string::npos) << log;
    EXPECT_EQ(server.stop(10s), 0) << server.log();
}

TEST(WebProtocolTest, TheAccessLogEscapesWhatTheClientSent) {
    TempDir data;
    ServedLibrary server(data.path(), "http.rate_per_ip = 0\n");
    HttpConnection c(server.port());
    // A quote, a backslash and bytes that are not UTF-8 in the target; a well-formed 文 is kept.
    const auto r = c.request("GET", std::string("/no\"such\\page\xff\xfe") + "文");
    EXPECT_EQ(r.status, 404);
    const std::string log = log_with(data.path(), "such");
    const auto lines = log_lines(log, "such");
    ASSERT_EQ(lines.size(), 1u) << log;
    EXPECT_TRUE(contains(lines[0], "\"GET /no\\x22such\\x5cpage\\xff\\xfe文\" 404")) << lines[0];
    EXPECT_EQ(occurrences(lines[0], "\""), 2u) << "only the quotes around the request line: " << lines[0];
    EXPECT_EQ(server.stop(10s), 0) << server.log();
}

TEST(WebProtocolTest, UploadsAreRefusedBeforeTheirBodyWhenClosed) {
    TempDir data;
    ServedLibrary server(data.path(), "http.access_log = 0\nsite.uploads = 0\n");
    const fs::path uploads = data.path() / "uploads";
    ASSERT_TRUE(fs::is_directory(uploads));
    HttpConnection c(server.port(), 5s);
    // The header and ten bytes of a 100,000-byte body: the answer comes without the rest.
    c.send(
        "POST /api/documents?name=closed.txt HTTP/1.1\r\nHost: x\r\nContent-Length: "
        "100000\r\n\r\n0123456789");
    HttpResponse r;
    ASSERT_NO_THROW(r = c.read_response()) << "no answer until the body is sent";
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(json_of(r)["error"]["code"], "uploads_closed");
    EXPECT_EQ(r.header("connection"), "close");
    expect_security_headers(r, "403 uploads closed");
    EXPECT_EQ(files_in(uploads), 0u) << "an upload body was written while uploads are closed";
    EXPECT_TRUE(c.closed_by_server(5s));
    // With Expect: 100-continue the refusal comes instead of the 100.
    HttpConnection expecting(server.port(), 5s);
    expecting.send(
        "POST /api/documents?name=closed.txt HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
        "Content-Length: 100000\r\n\r\n");
    EXPECT_EQ(expecting.read_response(false, true).status, 403);
    EXPECT_EQ(files_in(uploads), 0u);
    EXPECT_EQ(server.stop(10s), 0) << server.log();
}

TEST(WebProtocolTest, SigtermLetsAnUploadInFlightFinish) {
    TempDir data;
    // No minimum rate: the upload pauses longer than the old fixed 10 s grace.
    ServedLibrary server(data.path(),
                         "http.access_log = 0\nhttp.min_rate_seconds = 0\nhttp.stop_grace_seconds = 30\n");
    std::string body;
    for (int i = 0; i < 200; ++i) body += "停止时仍在上传的文件 line " + std::to_string(i) + "\n";
    HttpConnection uploading(server.port(), 30s);
    uploading.send("POST /api/documents?name=slow-at-stop.txt HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 100));
    HttpConnection idle(server.port());
    ASSERT_EQ(idle.request("GET", "/healthz").status, 200);
    std::this_thread::sleep_for(300ms);
    server.process().send_signal(SIGTERM);
    EXPECT_TRUE(idle.closed_by_server(5s)) << "an idle connection was kept open on SIGTERM";
    std::this_thread::sleep_for(11s);
    EXPECT_FALSE(server.process().wait(0ms)) << "the server ended with an upload in flight";
    uploading.send(body.substr(100));
    const auto r = uploading.read_response();
    EXPECT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.header("connection"), "close");
    const auto code = server.process().wait(10s);
    ASSERT_TRUE(code.has_value()) << "still running after the upload finished";
    EXPECT_EQ(*code, 0) << server.log();
    EXPECT_TRUE(documents_by_name(data.path()).count("slow-at-stop.txt"));
}
