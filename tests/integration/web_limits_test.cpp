// Limits through the real binary (web_fixture.h): upload and form bodies over their size, uploads
// without a name or with known content, the per-address rate limit, and the graceful stop on
// SIGTERM (requests in progress finish, counts are saved).
#include <algorithm>
#include <csignal>
#include <thread>

#include <gtest/gtest.h>

#include "web_fixture.h"

using namespace web_fixture;

TEST_F(WebTest, UploadsOverTheSizeLimitAreRefusedBeforeTheBody) {
    // convert.max_file_mb = 1: the header alone earns the 413; the body is never sent.
    HttpConnection c(port(), 5s);
    const auto started = std::chrono::steady_clock::now();
    c.send(
        "POST /api/documents?name=big.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
        "Content-Length: " +
        std::to_string((1 << 20) + 1) + "\r\n\r\n");
    HttpResponse r;
    ASSERT_NO_THROW(r = c.read_response()) << "no answer until the body is sent";
    EXPECT_EQ(r.status, 413) << r.body;
    EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
    EXPECT_TRUE(c.closed_by_server(5s)) << "the connection stays open after refusing the body";

    // The same with Expect: 100-continue: 413 instead of 100.
    HttpConnection expecting(port(), 5s);
    expecting.send(
        "POST /api/documents?name=big.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n"
        "Content-Length: " +
        std::to_string(2 << 20) + "\r\n\r\n");
    ASSERT_NO_THROW(r = expecting.read_response(false, true));
    EXPECT_EQ(r.status, 413);

    // Exactly at the limit: accepted, after a 100 Continue. It is no document: its conversion fails.
    HttpConnection at_limit(port());
    const std::string zeros(1 << 20, '\0');
    at_limit.send(
        "POST /api/documents?name=zeros.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n"
        "Content-Length: " +
        std::to_string(zeros.size()) + "\r\n\r\n");
    EXPECT_EQ(at_limit.read_response(false, true).status, 100);
    at_limit.send(zeros);
    const auto accepted = at_limit.read_response();
    ASSERT_EQ(accepted.status, 201) << accepted.body;
    const std::int64_t id = json_of(accepted)["id"];
    EXPECT_EQ(wait_converted(id), "failed");
    const json status = json_of(get("/api/documents/" + std::to_string(id) + "/status"));
    EXPECT_FALSE(status.value("error", "").empty()) << "a failed document says why";
    EXPECT_EQ(get(doc_path(id)).status, 404);
    EXPECT_EQ(get(doc_path(id) + "/page/1.webp").status, 404);
}

TEST_F(WebTest, FormBodiesOverTheLimitAreRefused) {
    const std::string report = doc_path(long_id_) + "/report";
    {
        // http.max_body_kb = 4
        HttpConnection c(port(), 5s);
        c.send("POST " + report +
               " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 4097\r\n\r\n");
        HttpResponse r;
        ASSERT_NO_THROW(r = c.read_response()) << "no answer until the body is sent";
        EXPECT_EQ(r.status, 413);
    }
    // At the limit: read and judged by the page (a detail over 1000 characters is refused: 400).
    std::string body = "reason=copyright&detail=";
    body += std::string(4096 - body.size(), 'a');
    const auto at_limit = post(report, body, {{"Content-Type", "application/x-www-form-urlencoded"}});
    EXPECT_EQ(at_limit.status, 400) << at_limit.body.substr(0, 300);
    EXPECT_TRUE(contains(at_limit.body, "补充说明不能超过1000字"));
}

TEST_F(WebTest, UploadsNeedANameAndNewContent) {
    const auto nameless = post("/api/documents", "一份没有名字的文件\n");
    EXPECT_EQ(nameless.status, 400);
    EXPECT_EQ(json_of(nameless)["error"]["code"], "bad_request");

    const auto duplicate = post("/api/documents?name=again.txt", hostile_bytes_);
    EXPECT_EQ(duplicate.status, 409) << duplicate.body;
    const json d = json_of(duplicate);
    EXPECT_EQ(d["error"]["code"], "duplicate");
    EXPECT_EQ(d["error"]["existing_id"], hostile_id_);

    // The name from an X-File-Name header (percent-encoded: headers are not UTF-8).
    const auto by_header =
        post("/api/documents", "由头部命名的文件\n", {{"X-File-Name", url_encode("报告.txt")}});
    EXPECT_EQ(by_header.status, 201) << by_header.body;
    EXPECT_EQ(json_of(by_header)["original_name"], "报告.txt");
    // Control characters and bidi overrides are taken out of names.
    const auto controlled = post("/api/documents?name=" + url_encode("\x01"
                                                                     "bad\u202Egpj.txt"),
                                 "控制字符的名字\n");
    EXPECT_EQ(controlled.status, 201) << controlled.body;
    EXPECT_EQ(json_of(controlled)["original_name"], "badgpj.txt");

    const auto empty = post("/api/documents?name=empty.txt", "");
    EXPECT_GE(empty.status, 400) << "an empty upload was accepted";
    EXPECT_LT(empty.status, 500) << empty.body;
}

// --- servers of their own ---

TEST(WebServerTest, ClientsOverTheirRateGet429WithRetryAfter) {
    TempDir data;
    ServedLibrary server(data.path(), "http.access_log = 0\nhttp.rate_per_ip = 5\nhttp.rate_burst = 5\n");
    // Twenty requests at once, pipelined on one keep-alive connection: answered in order.
    HttpConnection connection(server.port());
    std::string requests;
    for (int i = 0; i < 20; ++i) requests += "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    connection.send(requests);
    std::vector<int> statuses;
    int without_retry_after = 0;
    for (int i = 0; i < 20; ++i) {
        HttpResponse r;
        ASSERT_NO_THROW(r = connection.read_response()) << "answer " << i << " of 20 never came";
        statuses.push_back(r.status);
        if (r.status == 429 && r.header("retry-after").empty()) ++without_retry_after;
    }
    const auto count = [&](int s) { return std::count(statuses.begin(), statuses.end(), s); };
    for (int i = 0; i < 5; ++i) EXPECT_EQ(statuses[i], 200) << "request " << i << " is within the burst";
    EXPECT_GE(count(429), 10) << "rate 5/s, burst 5, 20 requests at once";
    EXPECT_EQ(count(200) + count(429), 20);
    EXPECT_EQ(without_retry_after, 0);
    // The bucket refills.
    std::this_thread::sleep_for(1200ms);
    const auto metrics = http_request(server.port(), "GET", "/metrics");
    EXPECT_EQ(metrics.status, 200);
    EXPECT_TRUE(contains(metrics.body,
                         "wenku_http_refused_total{limit=\"rate_per_ip\"} " + std::to_string(count(429))))
        << metrics.body;
    EXPECT_TRUE(
        contains(metrics.body, "wenku_http_requests_total{code=\"429\"} " + std::to_string(count(429))));
    EXPECT_EQ(server.stop(10s), 0) << server.log();
}

TEST(WebServerTest, SigtermFinishesRequestsInProgressAndExitsZero) {
    TempDir data;
    TempDir files;
    write_file(files.path() / "counted.txt", "浏览次数\n一份用来计数的文件 counted\n");
    const std::int64_t id =
        added_id(run_wenku(data.path(), {"add", (files.path() / "counted.txt").string()}));
    ServedLibrary server(data.path(), "http.access_log = 0\n");
    HttpConnection idle(server.port());
    ASSERT_EQ(idle.request("GET", "/healthz").status, 200);
    // Views and downloads are counted in memory and saved in batches: the stop saves them.
    const std::string d = "/d/" + std::to_string(id);
    ASSERT_EQ(http_request(server.port(), "GET", d).status, 200);
    ASSERT_EQ(http_request(server.port(), "GET", d).status, 200);
    ASSERT_EQ(http_request(server.port(), "GET", d + "/download").status, 200);
    ASSERT_EQ(http_request(server.port(), "HEAD", d + "/download").status, 200);

    // An upload in progress: header and half its body sent.
    std::string body;
    for (int i = 0; i < 200; ++i) body += "停止时上传的文件 line " + std::to_string(i) + "\n";
    HttpConnection busy(server.port());
    busy.send("POST /api/documents?name=late.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " +
              std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, body.size() / 2));
    std::this_thread::sleep_for(300ms);

    const auto signalled = std::chrono::steady_clock::now();
    server.process().send_signal(SIGTERM);
    EXPECT_TRUE(idle.closed_by_server(5s)) << "an idle connection was not closed on SIGTERM";
    EXPECT_FALSE(server.process().wait(0ms)) << "the server ended with a request in progress";
    EXPECT_THROW(HttpConnection{server.port()}, std::runtime_error) << "new connections are still accepted";

    busy.send(body.substr(body.size() / 2));
    const auto r = busy.read_response();
    EXPECT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.header("connection"), "close");

    const auto code = server.process().wait(10s);
    ASSERT_TRUE(code.has_value()) << "still running 10 s after SIGTERM";
    EXPECT_EQ(*code, 0) << server.log();
    EXPECT_LT(std::chrono::steady_clock::now() - signalled, 5s) << "graceful stop took too long";

    const auto docs = documents_by_name(data.path());
    ASSERT_TRUE(docs.count("counted.txt"));
    EXPECT_EQ(docs.at("counted.txt")["views"], 2);
    EXPECT_EQ(docs.at("counted.txt")["downloads"], 1) << "a HEAD request is not a download";
    EXPECT_TRUE(docs.count("late.txt")) << "the upload finished during the stop is in the library";
}
