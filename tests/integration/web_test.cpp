// The web site and JSON API through the real binary: `wenku serve --port 0` on a library of its
// own, spoken to over real HTTP on 127.0.0.1. Pages, the free-preview limit, preview caching,
// upload and body limits, hostile names, search, reports, the per-address rate limit and the
// graceful stop on SIGTERM.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/test_support.h"

using namespace wenku::test;
namespace fs = std::filesystem;
using nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;
using namespace std::chrono_literals;

namespace {

/// `wenku --data DIR serve --port 0` with `conf` as DIR/wenku.conf, running until stop().
class ServedLibrary {
public:
    ServedLibrary(const fs::path& data, const std::string& conf) : data_(data) {
        write_file(data / "wenku.conf", conf);
        process_ = std::make_unique<BackgroundProcess>(
            std::vector<std::string>{WENKU_BINARY, "--data", data.string(), "serve", "--port", "0", "--jobs", "1"},
            data / "serve.out", data / "serve.err");
        // The line it prints once it listens: "wenku: serving http://127.0.0.1:PORT/ (data ...)".
        const std::string mark = "wenku: serving http://127.0.0.1:";
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        while (true) {
            const std::string out = read_file(data / "serve.out");
            if (const auto at = out.find(mark); at != std::string::npos && out.find('\n', at) != std::string::npos) {
                port_ = static_cast<unsigned short>(std::stoi(out.substr(at + mark.size())));
                break;
            }
            if (process_->wait(0ms)) throw std::runtime_error("wenku serve ended early: " + log());
            if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("wenku serve never listened: " + log());
            std::this_thread::sleep_for(20ms);
        }
    }

    unsigned short port() const { return port_; }
    BackgroundProcess& process() { return *process_; }
    /// What the server wrote to stderr (its log).
    std::string log() const { return read_file(data_ / "serve.err"); }
    /// SIGTERM; the exit code, or none when it is still running after `timeout`.
    std::optional<int> stop(std::chrono::milliseconds timeout) {
        process_->send_signal(SIGTERM);
        return process_->wait(timeout);
    }

private:
    fs::path data_;
    std::unique_ptr<BackgroundProcess> process_;
    unsigned short port_ = 0;
};

json json_of(const HttpResponse& r) {
    try {
        return json::parse(r.body);
    } catch (const json::exception& e) {
        ADD_FAILURE() << "not JSON (" << e.what() << "): " << r.body.substr(0, 300);
        return json::object();
    }
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

std::size_t occurrences(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + needle.size())) ++n;
    return n;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

/// A text of `lines` lines of Chinese and ASCII words (about 40 lines a page); `marks` puts a
/// word on one line.
std::string long_text(const std::string& title, const std::string& words, int lines,
                      const std::map<int, std::string>& marks) {
    std::string text = title + "\n";
    for (int i = 0; i < lines; ++i) {
        text += "第" + std::to_string(i) + "行 " + words + " line " + std::to_string(i);
        if (auto m = marks.find(i); m != marks.end()) text += " " + m->second;
        text += " alpha beta gamma 文库预览\n";
    }
    return text;
}

std::int64_t added_id(const CommandResult& r) {
    // "№12\tready\ttxt\t5 pages\t<title>"
    const auto at = r.out.find("№");
    if (r.exit_code != 0 || at == std::string::npos) throw std::runtime_error("wenku add failed: " + r.out + r.err);
    return std::stoll(r.out.substr(at + std::string("№").size()));
}

constexpr const char* hostile = "\"><img src=x onerror=alert(1)>";

/// One library for most tests: two long documents added with `wenku add` (one with its own
/// free pages), two uploaded through the API under hostile names; two free pages by default.
class WebTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        try {
            set_up();
        } catch (const std::exception& e) {
            setup_error_ = e.what();
        }
    }

    static void set_up() {
        data_ = std::make_unique<TempDir>();
        files_ = std::make_unique<TempDir>();
        const fs::path data = data_->path();

        // №A: a page-2 word (麒麟) and a page-4 word (凤凰); about five pages.
        write_file(files_->path() / "long.txt",
                   long_text(long_title, "春天的故事", 200, {{60, "麒麟"}, {140, "凤凰"}}));
        long_id_ = added_id(run_wenku(data, {"add", (files_->path() / "long.txt").string(), "--uploader", "张小明",
                                             "--category", "实用范文/写作指导"}));
        const auto pages = page_texts(data, long_id_);
        long_pages_ = static_cast<int>(pages.size());
        for (const auto& text : pages) {  // "第40行…": the first line number of each page
            std::smatch m;
            if (!std::regex_search(text, m, std::regex("第(\\d+)行"))) throw std::runtime_error("fixture page: " + text);
            first_lines_.push_back("第" + m[1].str() + "行");
        }
        if (long_pages_ < 5) throw std::runtime_error("the long fixture has only " + std::to_string(long_pages_) + " pages");
        for (int p = 1; p <= long_pages_; ++p) {  // the fixture's premise: each word on its page only
            if (contains(pages[p - 1], "麒麟") != (p == 2) || contains(pages[p - 1], "凤凰") != (p == 4)) {
                throw std::runtime_error("fixture: 麒麟 should be on page 2 only and 凤凰 on page 4 only; page " +
                                         std::to_string(p) + " is: " + pages[p - 1].substr(0, 200));
            }
        }
        // №B: its own free pages (3) over the setting (2).
        write_file(files_->path() / "own-free-pages.txt", long_text("秋月诗篇集", "秋月的诗篇", 200, {}));
        own_free_id_ = added_id(
            run_wenku(data, {"add", (files_->path() / "own-free-pages.txt").string(), "--free-pages", "3"}));
        own_free_pages_count_ = static_cast<int>(page_texts(data, own_free_id_).size());
        if (own_free_pages_count_ < 4) throw std::runtime_error("the second fixture has fewer than 4 pages");

        server_ = std::make_unique<ServedLibrary>(data,
                                                  "preview.free_pages = 2\n"
                                                  "site.icp = 浙ICP备0000000号-1\n"
                                                  "http.access_log = 0\n"
                                                  "http.rate_per_ip = 0\n"
                                                  "http.max_body_kb = 4\n"
                                                  "convert.max_file_mb = 1\n");

        hostile_bytes_ = std::string(hostile) + "\n独角兽 出现在这份文件里 unicornword\n";
        hostile_id_ = upload(std::string(hostile) + ".txt", hostile_bytes_);
        passwd_id_ = upload("../../etc/passwd", "root:x:0:0:root:/root:/bin/bash\n口令文件 sentinelword\n");
        for (const auto id : {hostile_id_, passwd_id_}) {
            const std::string status = wait_converted(id);
            if (status != "ready") throw std::runtime_error("upload №" + std::to_string(id) + " is " + status);
        }
    }

    static void TearDownTestSuite() {
        if (server_) {
            const auto code = server_->stop(10s);
            if (code != 0) {
                ADD_FAILURE() << "the shared server did not exit 0 within 10 s after SIGTERM (exit "
                              << (code ? std::to_string(*code) : "none: still running") << "); its log:\n"
                              << server_->log();
            }
        }
        server_.reset();
        data_.reset();
        files_.reset();
    }

    void SetUp() override { ASSERT_TRUE(setup_error_.empty()) << setup_error_; }

    static unsigned short port() { return server_->port(); }
    static HttpResponse get(const std::string& target, const Headers& headers = {}) {
        return http_request(port(), "GET", target, {}, headers);
    }
    static HttpResponse post(const std::string& target, const std::string& body, const Headers& headers = {}) {
        return http_request(port(), "POST", target, body, headers);
    }

    /// Uploads through the API; the new document's id (throws unless 201).
    static std::int64_t upload(const std::string& name, const std::string& bytes) {
        const auto r = post("/api/documents?name=" + url_encode(name), bytes);
        if (r.status != 201) throw std::runtime_error("upload of " + name + ": " + std::to_string(r.status) + " " + r.body);
        const json j = json::parse(r.body);
        const std::int64_t id = j.at("id");
        if (j.at("status") != "queued" || j.at("url") != "/d/" + std::to_string(id) ||
            j.at("status_url") != "/api/documents/" + std::to_string(id) + "/status") {
            throw std::runtime_error("unexpected upload answer: " + r.body);
        }
        return id;
    }

    /// Polls the status API until the document is ready or failed (or 60 s have passed).
    static std::string wait_converted(std::int64_t id) {
        const auto deadline = std::chrono::steady_clock::now() + 60s;
        std::string status;
        while (std::chrono::steady_clock::now() < deadline) {
            const auto r = get("/api/documents/" + std::to_string(id) + "/status");
            if (r.status != 200) return "HTTP " + std::to_string(r.status);
            status = json::parse(r.body).at("status");
            if (status == "ready" || status == "failed") return status;
            std::this_thread::sleep_for(50ms);
        }
        return "still " + status;
    }

    static std::string doc_path(std::int64_t id) { return "/d/" + std::to_string(id); }

    static constexpr const char* long_title = "长文档预览测试";
    static inline std::string setup_error_;
    static inline std::unique_ptr<TempDir> data_, files_;
    static inline std::unique_ptr<ServedLibrary> server_;
    static inline std::int64_t long_id_ = 0, own_free_id_ = 0, hostile_id_ = 0, passwd_id_ = 0;
    static inline int long_pages_ = 0, own_free_pages_count_ = 0;
    static inline std::string hostile_bytes_;
    static inline std::vector<std::string> first_lines_;  // of the long document's pages
};

void expect_security_headers(const HttpResponse& r, const std::string& what) {
    EXPECT_NE(r.header("content-security-policy").find("default-src 'self'"), std::string::npos) << what;
    EXPECT_NE(r.header("content-security-policy").find("frame-ancestors 'none'"), std::string::npos) << what;
    EXPECT_EQ(r.header("x-content-type-options"), "nosniff") << what;
}

}  // namespace

TEST_F(WebTest, HomePageAndEveryAnswerCarryTheSecurityHeaders) {
    const auto home = get("/");
    EXPECT_EQ(home.status, 200);
    EXPECT_TRUE(home.header("content-type").starts_with("text/html")) << home.header("content-type");
    EXPECT_TRUE(contains(home.body, "<!doctype html>"));
    EXPECT_TRUE(contains(home.body, long_title));
    EXPECT_TRUE(contains(home.body, "href=\"" + doc_path(long_id_) + "\""));
    EXPECT_TRUE(contains(home.body, "浙ICP备0000000号-1"));
    expect_security_headers(home, "GET /");
    expect_security_headers(get("/api/documents"), "GET /api/documents");
    expect_security_headers(get("/no/such/page"), "404");
    expect_security_headers(get(doc_path(long_id_) + "/page/1.webp"), "preview");
}

TEST_F(WebTest, OperationalEndpointsAnswer) {
    const auto health = get("/healthz");
    EXPECT_EQ(health.status, 200);
    EXPECT_TRUE(health.header("content-type").starts_with("application/json")) << health.header("content-type");
    const json h = json_of(health);
    EXPECT_EQ(h["status"], "ok");
    EXPECT_GE(h["documents"].get<int>(), 4);

    const auto metrics = get("/metrics");
    EXPECT_EQ(metrics.status, 200);
    EXPECT_TRUE(contains(metrics.body, "wenku_http_requests_total{code=\"200\"}")) << metrics.body.substr(0, 500);
    EXPECT_TRUE(contains(metrics.body, "wenku_documents{status=\"ready\"}"));

    const auto robots = get("/robots.txt");
    EXPECT_EQ(robots.status, 200);
    EXPECT_TRUE(contains(robots.body, "Sitemap: ")) << robots.body;
    EXPECT_TRUE(contains(robots.body, "/sitemap.xml")) << robots.body;

    const auto openapi = get("/api/openapi.json");
    EXPECT_EQ(openapi.status, 200);
    EXPECT_TRUE(json_of(openapi).contains("paths"));

    // The category given by `wenku add --category 实用范文/写作指导`, in the API and as a page.
    std::int64_t category = 0;
    const json categories = json_of(get("/api/categories"));
    for (const auto& c : categories["categories"]) {
        if (c["name"] == "写作指导") {
            category = c["id"];
            EXPECT_EQ(c["documents"], 1);
        }
    }
    ASSERT_NE(category, 0) << "no category 写作指导";
    const auto category_page = get("/c/" + std::to_string(category));
    EXPECT_EQ(category_page.status, 200);
    EXPECT_TRUE(contains(category_page.body, long_title));
    EXPECT_EQ(get("/c/999999").status, 404);

    const auto sitemap = get("/sitemap.xml");
    EXPECT_EQ(sitemap.status, 200);
    EXPECT_TRUE(sitemap.header("content-type").starts_with("application/xml")) << sitemap.header("content-type");
    for (const auto id : {long_id_, own_free_id_, hostile_id_, passwd_id_}) {
        EXPECT_TRUE(contains(sitemap.body, doc_path(id) + "</loc>")) << "sitemap lacks " << doc_path(id);
    }
}

TEST_F(WebTest, UnknownPathsAndWrongMethodsAreRefused) {
    const auto missing = get("/no/such/page");
    EXPECT_EQ(missing.status, 404);
    EXPECT_TRUE(missing.header("content-type").starts_with("text/html"));
    const auto api_missing = get("/api/nothing");
    EXPECT_EQ(api_missing.status, 404);
    EXPECT_EQ(json_of(api_missing)["error"]["code"], "not_found");
    EXPECT_EQ(get("/d/999999").status, 404);
    EXPECT_EQ(get("/d/abc").status, 404);
    EXPECT_EQ(get("/d/0" + std::to_string(long_id_)).status, 404);
    EXPECT_EQ(get("/api/documents/999999").status, 404);

    const auto del = http_request(port(), "DELETE", doc_path(long_id_));
    EXPECT_EQ(del.status, 405);
    EXPECT_TRUE(contains(del.header("allow"), "GET")) << "a 405 must name the allowed methods (Allow: \""
                                                       << del.header("allow") << "\")";
    EXPECT_EQ(http_request(port(), "DELETE", "/api/documents/" + std::to_string(long_id_)).status, 405);
    EXPECT_EQ(http_request(port(), "PUT", "/", "x").status, 405);
    EXPECT_EQ(post("/", "").status, 405);
    EXPECT_EQ(post("/healthz", "").status, 405);

    // Static files: no way out of the folder.
    EXPECT_EQ(get("/static/site.css").status, 200);
    const auto escape = get("/static/..%2F..%2Fsrc%2Fweb%2Fsite.cpp");
    EXPECT_EQ(escape.status, 404);
    EXPECT_FALSE(contains(escape.body, "namespace wenku"));
    EXPECT_EQ(get("/static/..").status, 404);
}

TEST_F(WebTest, AccountActionsNeedAnAccount) {
    EXPECT_EQ(post(doc_path(long_id_) + "/favorite", "").status, 401);
    EXPECT_EQ(post(doc_path(long_id_) + "/tip", "").status, 401);
    const auto favorite = get(doc_path(long_id_) + "/favorite");
    EXPECT_EQ(favorite.status, 405);
    EXPECT_EQ(favorite.header("allow"), "POST") << "a 405 must name the allowed methods";
    EXPECT_EQ(get(doc_path(long_id_) + "/tip").status, 405);
    EXPECT_EQ(post("/d/999999/favorite", "").status, 404);
}

TEST_F(WebTest, DocumentPageShowsMetadataActionsAndTheFreePreviews) {
    const auto r = get(doc_path(long_id_));
    ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
    EXPECT_TRUE(r.header("content-type").starts_with("text/html"));
    expect_security_headers(r, "document page");
    const std::string& html = r.body;
    for (const char* label : {"上传人", "文档编号", "上传时间", "格式", "页数", "大小", "资源描述", "相关资源", "猜你喜欢",
                              "相关搜索"}) {
        EXPECT_TRUE(contains(html, label)) << "the document page lacks " << label;
    }
    for (const char* button : {">收藏<", ">分享<", ">赏<", ">下载<", ">相关<", ">举报<"}) {
        EXPECT_TRUE(contains(html, button)) << "the document page lacks the action " << button;
    }
    const std::string total = std::to_string(long_pages_);
    EXPECT_TRUE(contains(html, std::string("<h1 class=\"doc-title\">") + long_title + "</h1>"));
    EXPECT_TRUE(contains(html, "<b class=\"doc-number\">" + std::to_string(long_id_) + "</b>"));
    EXPECT_TRUE(contains(html, "<b class=\"doc-pages\">" + total + "</b>"));
    EXPECT_TRUE(contains(html, ">TXT<"));
    EXPECT_TRUE(contains(html, "张****明")) << "the uploader is shown masked";
    EXPECT_FALSE(contains(html, "张小明")) << "the uploader's full name is shown";
    EXPECT_TRUE(std::regex_search(html, std::regex("上传时间:<b>\\d{4}-\\d{2}-\\d{2}</b>")));
    EXPECT_TRUE(contains(html, "写作指导")) << "breadcrumb";
    EXPECT_TRUE(contains(html, "alt=\"" + std::string(long_title) + "_第1页\""));
    EXPECT_TRUE(contains(html, "alt=\"" + std::string(long_title) + "_第2页\""));
    EXPECT_TRUE(contains(html, "第1页 / 共" + total + "页"));
    EXPECT_TRUE(contains(html, "第2页 / 共" + total + "页"));
    // Previews only of the free pages, then the notice.
    EXPECT_TRUE(contains(html, doc_path(long_id_) + "/page/1.webp"));
    EXPECT_TRUE(contains(html, doc_path(long_id_) + "/page/2.webp"));
    EXPECT_FALSE(contains(html, doc_path(long_id_) + "/page/3.webp"));
    EXPECT_FALSE(contains(html, "第3页 / 共"));
    EXPECT_TRUE(contains(html, "该文档总共" + total + "页,到这儿已超出免费预览范围,如果喜欢就下载吧!"));
    // 资源描述 tells the free pages only (each page's beginning).
    EXPECT_TRUE(contains(html, "<li value=\"1\">1、"));
    EXPECT_TRUE(contains(html, "<li value=\"2\">2、"));
    EXPECT_FALSE(contains(html, "<li value=\"3\">"));
    EXPECT_TRUE(contains(html, first_lines_[0]));
    EXPECT_TRUE(contains(html, first_lines_[1])) << "page 2 is free: its beginning belongs in 资源描述";
    for (int p = 3; p <= long_pages_; ++p) {
        EXPECT_FALSE(contains(html, first_lines_[p - 1])) << "page " << p << " is beyond the free pages: its text is shown";
    }
    EXPECT_FALSE(contains(html, "凤凰"));
    EXPECT_TRUE(contains(html, "经营许可证编号：浙ICP备0000000号-1"));
    EXPECT_TRUE(contains(html, "href=\"" + doc_path(own_free_id_) + "\"")) << "猜你喜欢 lists the other documents";
    EXPECT_TRUE(contains(html, "href=\"" + doc_path(long_id_) + "/share\""));

    const auto share = get(doc_path(long_id_) + "/share");
    EXPECT_EQ(share.status, 200);
    EXPECT_TRUE(contains(share.body, "<svg"));
    const auto qr = get(doc_path(long_id_) + "/qr.svg");
    EXPECT_EQ(qr.status, 200);
    EXPECT_TRUE(qr.header("content-type").starts_with("image/svg+xml")) << qr.header("content-type");
    EXPECT_TRUE(contains(qr.body, "<svg"));

    // The page's meta description is a plain-text summary, not a serialised data structure.
    std::smatch meta;
    ASSERT_TRUE(std::regex_search(html, meta, std::regex("<meta name=\"description\" content=\"([^\"]*)\">")));
    EXPECT_FALSE(meta[1].str().starts_with("[")) << "meta description is JSON: " << meta[1].str().substr(0, 38) << "…";
    EXPECT_FALSE(contains(meta[1].str(), "&quot;n&quot;:")) << "meta description is JSON";
    EXPECT_TRUE(contains(meta[1].str(), "春天的故事"));
}

TEST_F(WebTest, DocumentPageSpeaksEnglishWhenAsked) {
    ASSERT_EQ(get(doc_path(long_id_)).status, 200);  // the Chinese rendering cached first
    const std::string total = std::to_string(long_pages_);
    const auto en = get(doc_path(long_id_) + "?lang=en");
    ASSERT_EQ(en.status, 200);
    EXPECT_TRUE(contains(en.body, "<html lang=\"en\">"));
    EXPECT_TRUE(contains(en.body, "Page 1 / " + total));
    EXPECT_TRUE(contains(en.body, "alt=\"" + std::string(long_title) + "_page 1\""));
    EXPECT_TRUE(contains(en.body, "This document has " + total + " pages; the free preview ends here."));
    EXPECT_TRUE(contains(en.body, "Uploader"));
    EXPECT_FALSE(contains(en.body, "第1页 / 共"));
    EXPECT_TRUE(contains(en.header("set-cookie"), "lang=en")) << en.header("set-cookie");
    // The choice is remembered by the cookie.
    const auto by_cookie = get(doc_path(long_id_), {{"Cookie", "lang=en"}});
    EXPECT_TRUE(contains(by_cookie.body, "Page 1 / " + total));
    EXPECT_TRUE(contains(get(doc_path(long_id_)).body, "第1页 / 共" + total + "页"));
}

TEST_F(WebTest, PreviewsAndTextBeyondTheFreePagesAreForbidden) {
    const std::string d = doc_path(long_id_);
    for (int n = 1; n <= long_pages_; ++n) {
        const int expected = n <= 2 ? 200 : 403;
        const auto webp = get(d + "/page/" + std::to_string(n) + ".webp");
        EXPECT_EQ(webp.status, expected) << "page " << n << ".webp";
        const auto txt = get(d + "/page/" + std::to_string(n) + ".txt");
        EXPECT_EQ(txt.status, expected) << "page " << n << ".txt";
        if (n <= 2) {
            EXPECT_EQ(webp.header("content-type"), "image/webp");
            EXPECT_EQ(webp.body.substr(0, 4), "RIFF");
            EXPECT_EQ(webp.body.substr(8, 4), "WEBP");
            EXPECT_TRUE(txt.header("content-type").starts_with("text/plain"));
        } else {
            EXPECT_EQ(json_of(webp)["error"]["code"], "beyond_free_pages");
            EXPECT_FALSE(contains(txt.body, "凤凰")) << "the text of a locked page leaked";
        }
    }
    EXPECT_TRUE(contains(get(d + "/page/2.txt").body, "麒麟"));
    EXPECT_FALSE(contains(get(d + "/page/1.txt").body, "麒麟"));
    const std::string beyond = std::to_string(long_pages_ + 1);
    EXPECT_EQ(get(d + "/page/" + beyond + ".webp").status, 404);
    EXPECT_EQ(get(d + "/page/" + beyond + ".txt").status, 404);
    EXPECT_EQ(get(d + "/page/0.webp").status, 404);
    EXPECT_EQ(get(d + "/page/-1.webp").status, 404);

    const auto pages = get("/api/documents/" + std::to_string(long_id_) + "/pages?text=1");
    ASSERT_EQ(pages.status, 200);
    const json p = json_of(pages);
    EXPECT_EQ(p["free_pages"], 2);
    EXPECT_EQ(p["page_count"], long_pages_);
    ASSERT_EQ(p["pages"].size(), static_cast<std::size_t>(long_pages_));
    for (const auto& page : p["pages"]) {
        const int n = page["number"];
        const bool readable = n <= 2;
        EXPECT_EQ(page["readable"], readable) << "page " << n;
        EXPECT_EQ(page.contains("preview_url"), readable) << "page " << n;
        EXPECT_EQ(page.contains("text_url"), readable) << "page " << n;
        EXPECT_EQ(page.contains("text"), readable) << "page " << n;
        if (readable) {
            EXPECT_EQ(page["preview_url"], d + "/page/" + std::to_string(n) + ".webp");
        }
    }
    EXPECT_FALSE(contains(pages.body, "凤凰"));

    // The reader shows the free pages only, and says why at a locked one.
    const auto reader = get(d + "/read?page=3");
    EXPECT_EQ(reader.status, 200);
    EXPECT_TRUE(contains(reader.body, "第3页超出免费预览范围"));
    EXPECT_TRUE(contains(reader.body, d + "/page/2.webp"));
    EXPECT_FALSE(contains(reader.body, d + "/page/3.webp"));
}

TEST_F(WebTest, PerDocumentFreePagesOverrideTheSetting) {
    // Added with `wenku add --free-pages 3` while preview.free_pages is 2.
    const std::string d = doc_path(own_free_id_);
    EXPECT_EQ(get(d + "/page/3.webp").status, 200);
    EXPECT_EQ(get(d + "/page/3.txt").status, 200);
    EXPECT_EQ(get(d + "/page/4.webp").status, 403);
    EXPECT_EQ(get(d + "/page/4.txt").status, 403);
    const json p = json_of(get("/api/documents/" + std::to_string(own_free_id_) + "/pages"));
    EXPECT_EQ(p["free_pages"], 3);
    EXPECT_EQ(p["pages"][2]["readable"], true);
    EXPECT_EQ(p["pages"][3]["readable"], false);
    const auto page = get(d);
    EXPECT_TRUE(contains(page.body, d + "/page/3.webp"));
    EXPECT_FALSE(contains(page.body, d + "/page/4.webp"));
    EXPECT_EQ(json_of(get("/api/documents/" + std::to_string(own_free_id_)))["free_pages"], 3);
}

TEST_F(WebTest, PreviewsAnswerConditionalAndRangeRequests) {
    const std::string url = doc_path(long_id_) + "/page/1.webp";
    const auto full = get(url);
    ASSERT_EQ(full.status, 200);
    const std::string etag = full.header("etag");
    ASSERT_FALSE(etag.empty()) << "no ETag on a preview";
    EXPECT_TRUE(full.header("cache-control").find("max-age") != std::string::npos) << full.header("cache-control");
    EXPECT_NE(get(doc_path(long_id_) + "/page/2.webp").header("etag"), etag) << "two pages, one ETag";

    const auto not_modified = get(url, {{"If-None-Match", etag}});
    EXPECT_EQ(not_modified.status, 304);
    EXPECT_TRUE(not_modified.body.empty());
    EXPECT_EQ(not_modified.header("etag"), etag);
    EXPECT_EQ(get(url, {{"If-None-Match", "\"something-else\""}}).status, 200);
    // If-None-Match is a list compared weakly (RFC 9110 13.1.2): what caches and proxies send.
    EXPECT_EQ(get(url, {{"If-None-Match", "\"something-else\", " + etag}}).status, 304) << "an ETag in a list";
    EXPECT_EQ(get(url, {{"If-None-Match", "W/" + etag}}).status, 304) << "the weak form of the ETag";
    EXPECT_EQ(get(url, {{"If-None-Match", "*"}}).status, 304) << "If-None-Match: *";

    const auto part = get(url, {{"Range", "bytes=0-99"}});
    EXPECT_EQ(part.status, 206);
    EXPECT_EQ(part.header("content-range"), "bytes 0-99/" + std::to_string(full.body.size()));
    EXPECT_EQ(part.body.size(), 100u);
    EXPECT_EQ(part.body, full.body.substr(0, 100));

    const auto tail = get(url, {{"Range", "bytes=-10"}});
    EXPECT_EQ(tail.status, 206);
    EXPECT_EQ(tail.body, full.body.substr(full.body.size() - 10));

    const auto unsatisfiable = get(url, {{"Range", "bytes=999999999-"}});
    EXPECT_EQ(unsatisfiable.status, 416);
    EXPECT_EQ(unsatisfiable.header("content-range"), "bytes */" + std::to_string(full.body.size()));

    // HEAD: the headers of GET, no body.
    HttpConnection c(port());
    const auto head = c.request("HEAD", url);
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.header("content-length"), std::to_string(full.body.size()));
    EXPECT_EQ(c.request("GET", "/healthz").status, 200) << "the connection is still in step after HEAD";

    // Keep-alive with pipelining: answers in order.
    HttpConnection pipelined(port());
    pipelined.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /robots.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    EXPECT_TRUE(contains(pipelined.read_response().body, "\"status\":\"ok\""));
    EXPECT_TRUE(contains(pipelined.read_response().body, "Sitemap:"));

    // Pages: ETag and 304 too.
    const auto page = get(doc_path(long_id_));
    ASSERT_FALSE(page.header("etag").empty());
    EXPECT_EQ(get(doc_path(long_id_), {{"If-None-Match", page.header("etag")}}).status, 304);
}

TEST_F(WebTest, UploadsOverTheSizeLimitAreRefusedBeforeTheBody) {
    // convert.max_file_mb = 1: the header alone earns the 413; the body is never sent.
    HttpConnection c(port(), 5s);
    const auto started = std::chrono::steady_clock::now();
    c.send("POST /api/documents?name=big.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
           "Content-Length: " + std::to_string((1 << 20) + 1) + "\r\n\r\n");
    HttpResponse r;
    ASSERT_NO_THROW(r = c.read_response()) << "no answer until the body is sent";
    EXPECT_EQ(r.status, 413) << r.body;
    EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
    EXPECT_TRUE(c.closed_by_server(5s)) << "the connection stays open after refusing the body";

    // The same with Expect: 100-continue: 413 instead of 100.
    HttpConnection expecting(port(), 5s);
    expecting.send("POST /api/documents?name=big.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n"
                   "Content-Length: " + std::to_string(2 << 20) + "\r\n\r\n");
    ASSERT_NO_THROW(r = expecting.read_response(false, true));
    EXPECT_EQ(r.status, 413);

    // Exactly at the limit: accepted, after a 100 Continue. It is no document: its conversion fails.
    HttpConnection at_limit(port());
    const std::string zeros(1 << 20, '\0');
    at_limit.send("POST /api/documents?name=zeros.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n"
                  "Content-Length: " + std::to_string(zeros.size()) + "\r\n\r\n");
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
        c.send("POST " + report + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
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
    const auto by_header = post("/api/documents", "由头部命名的文件\n", {{"X-File-Name", url_encode("报告.txt")}});
    EXPECT_EQ(by_header.status, 201) << by_header.body;
    EXPECT_EQ(json_of(by_header)["original_name"], "报告.txt");
    // Control characters and bidi overrides are taken out of names.
    const auto controlled = post("/api/documents?name=" + url_encode("\x01" "bad\u202Egpj.txt"), "控制字符的名字\n");
    EXPECT_EQ(controlled.status, 201) << controlled.body;
    EXPECT_EQ(json_of(controlled)["original_name"], "badgpj.txt");

    const auto empty = post("/api/documents?name=empty.txt", "");
    EXPECT_GE(empty.status, 400) << "an empty upload was accepted";
    EXPECT_LT(empty.status, 500) << empty.body;
}

TEST_F(WebTest, HostileTitlesAreEscapedEverywhere) {
    const json doc = json_of(get("/api/documents/" + std::to_string(hostile_id_)));
    EXPECT_EQ(doc["title"], hostile);
    EXPECT_EQ(doc["original_name"], std::string(hostile) + ".txt");

    const auto page = get(doc_path(hostile_id_));
    ASSERT_EQ(page.status, 200);
    EXPECT_TRUE(contains(page.body, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    EXPECT_FALSE(contains(page.body, "<img src=x")) << "raw markup from the title on the document page";

    // Found by a word of its text: the title in the results is escaped. (The index reopens every second.)
    HttpResponse results;
    for (int attempt = 0; attempt < 50; ++attempt) {
        results = get("/search?q=" + url_encode("独角兽"));
        if (contains(results.body, "<mark>独角兽</mark>")) break;
        std::this_thread::sleep_for(100ms);
    }
    EXPECT_EQ(results.status, 200);
    EXPECT_TRUE(contains(results.body, "<mark>独角兽</mark>")) << "the uploaded document is not found";
    EXPECT_TRUE(contains(results.body, "&lt;img"));
    EXPECT_FALSE(contains(results.body, "<img src=x"));

    // The query itself, echoed in the search box and the result count.
    const auto echoed = get("/search?q=" + url_encode(hostile));
    EXPECT_EQ(echoed.status, 200);
    EXPECT_TRUE(contains(echoed.body, "&lt;img"));
    EXPECT_FALSE(contains(echoed.body, "<img src=x"));

    // And on the home page (newest documents) and in an error page's path.
    const auto home = get("/");
    EXPECT_TRUE(contains(home.body, "&lt;img"));
    EXPECT_FALSE(contains(home.body, "<img src=x"));
    const auto error = get("/" + url_encode(hostile));
    EXPECT_EQ(error.status, 404);
    EXPECT_FALSE(contains(error.body, "<img src=x"));
    const auto bad_id = get("/d/" + url_encode(hostile));
    EXPECT_EQ(bad_id.status, 404);
    EXPECT_FALSE(contains(bad_id.body, "<img src=x"));
}

TEST_F(WebTest, UploadedNamesLoseTheirPath) {
    const json doc = json_of(get("/api/documents/" + std::to_string(passwd_id_)));
    EXPECT_EQ(doc["original_name"], "passwd");
    EXPECT_EQ(doc["status"], "ready");
    const auto download = get(doc_path(passwd_id_) + "/download");
    EXPECT_EQ(download.status, 200);
    EXPECT_TRUE(contains(download.header("content-disposition"), "filename=\"passwd\""))
        << download.header("content-disposition");
    EXPECT_FALSE(contains(download.header("content-disposition"), "..")) << download.header("content-disposition");
}

TEST_F(WebTest, DownloadSendsTheOriginalAsAnAttachment) {
    const auto r = get(doc_path(hostile_id_) + "/download");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-type"), "application/octet-stream");
    const std::string disposition = r.header("content-disposition");
    EXPECT_TRUE(disposition.starts_with("attachment")) << disposition;
    EXPECT_EQ(occurrences(disposition, "\""), 2u) << "the name's quote breaks the quoted file name: " << disposition;
    const auto star = disposition.find("filename*=UTF-8''");
    ASSERT_NE(star, std::string::npos) << disposition;
    EXPECT_EQ(percent_decode(disposition.substr(star + std::string("filename*=UTF-8''").size())),
              std::string(hostile) + ".txt");
    EXPECT_EQ(r.body, hostile_bytes_);
    EXPECT_EQ(get("/d/999999/download").status, 404);
}

TEST_F(WebTest, SearchNamesThePageOfAHit) {
    const auto api = get("/api/search?q=" + url_encode("麒麟"));
    ASSERT_EQ(api.status, 200);
    const json j = json_of(api);
    ASSERT_EQ(j["total"], 1) << api.body;
    const json& hit = j["hits"][0];
    EXPECT_EQ(hit["id"], long_id_);
    EXPECT_EQ(hit["page"], 2);
    EXPECT_EQ(hit["pages"], json::array({2}));
    EXPECT_EQ(hit["url"], doc_path(long_id_) + "/read?page=2#p2");
    std::string highlighted;
    for (const auto& f : hit["snippet"]) {
        if (f["hit"]) highlighted += f["text"].get<std::string>();
    }
    EXPECT_EQ(highlighted, "麒麟");

    const auto html = get("/search?q=" + url_encode("麒麟"));
    EXPECT_EQ(html.status, 200);
    EXPECT_TRUE(contains(html.body, "<mark>麒麟</mark>"));
    EXPECT_TRUE(contains(html.body, "href=\"" + doc_path(long_id_) + "/read?page=2#p2\""));

    EXPECT_EQ(get("/api/search").status, 400);
    EXPECT_EQ(get("/api/search?q=x&per_page=0").status, 400);
    const json none = json_of(get("/api/search?q=" + url_encode("不存在的词语组合")));
    EXPECT_EQ(none["total"], 0);
}

TEST_F(WebTest, SearchTellsWhereButNotWhatOnLockedPages) {
    const json j = json_of(get("/api/search?q=" + url_encode("凤凰")));
    ASSERT_EQ(j["total"], 1);
    EXPECT_EQ(j["hits"][0]["page"], 4);
    EXPECT_EQ(j["hits"][0]["snippet"], json::array()) << "a snippet of a page beyond the free preview";
    const auto html = get("/search?q=" + url_encode("凤凰"));
    EXPECT_TRUE(contains(html.body, "在第4页找到，该页超出免费预览范围"));
    EXPECT_FALSE(contains(html.body, "<mark>凤凰</mark>"));
}

TEST_F(WebTest, ReportsAreAcceptedAndValidated) {
    const std::string report = doc_path(long_id_) + "/report";
    const Headers form{{"Content-Type", "application/x-www-form-urlencoded"}};
    const auto form_page = get(report);
    EXPECT_EQ(form_page.status, 200);
    EXPECT_TRUE(contains(form_page.body, "name=\"reason\" value=\"copyright\""));

    const auto ok = post(report, "reason=copyright&detail=" + url_encode("这是我写的文章，未经许可转载"), form);
    EXPECT_EQ(ok.status, 201) << ok.body.substr(0, 300);
    EXPECT_TRUE(contains(ok.body, "感谢举报"));
    const auto bad = post(report, "reason=because&detail=x", form);
    EXPECT_EQ(bad.status, 400);
    EXPECT_TRUE(contains(bad.body, "请选择举报原因"));
    EXPECT_EQ(post(report, "", form).status, 400);
    EXPECT_EQ(post("/d/999999/report", "reason=copyright", form).status, 404);
}

TEST_F(WebTest, ManyClientsAtOnceGetConsistentAnswers) {
    const std::string preview = get(doc_path(long_id_) + "/page/1.webp").body;
    const std::vector<std::string> targets{doc_path(long_id_), "/", "/search?q=" + url_encode("麒麟"),
                                           "/api/search?q=alpha", doc_path(long_id_) + "/page/1.webp",
                                           doc_path(hostile_id_), "/api/documents/" + std::to_string(long_id_) + "/pages"};
    std::mutex mutex;
    std::vector<std::string> problems;
    std::map<std::string, std::string> page_by_etag;  // the document page: one ETag, one content
    std::vector<std::thread> clients;
    for (int t = 0; t < 6; ++t) {
        clients.emplace_back([&, t] {
            try {
                HttpConnection c(port());
                for (int i = 0; i < 30; ++i) {
                    const std::string& target = targets[static_cast<std::size_t>(t + i) % targets.size()];
                    const auto r = c.request("GET", target);
                    std::string problem;
                    if (r.status != 200) problem = target + ": " + std::to_string(r.status);
                    else if (target.ends_with(".webp") && r.body != preview) problem = target + ": other bytes";
                    std::lock_guard lock(mutex);
                    if (target == doc_path(long_id_)) {
                        const auto [known, fresh] = page_by_etag.emplace(r.header("etag"), r.body);
                        if (r.header("etag").empty()) problem = target + ": no ETag";
                        else if (!fresh && known->second != r.body) problem = target + ": one ETag, two contents";
                    }
                    if (!problem.empty()) problems.push_back(problem);
                }
            } catch (const std::exception& e) {
                std::lock_guard lock(mutex);
                problems.push_back(e.what());
            }
        });
    }
    for (auto& c : clients) c.join();
    EXPECT_TRUE(problems.empty()) << problems.size() << " problems, the first: " << problems.front();
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
    EXPECT_TRUE(contains(metrics.body, "wenku_http_refused_total{limit=\"rate_per_ip\"} " + std::to_string(count(429))))
        << metrics.body;
    EXPECT_TRUE(contains(metrics.body, "wenku_http_requests_total{code=\"429\"} " + std::to_string(count(429))));
    EXPECT_EQ(server.stop(10s), 0) << server.log();
}

TEST(WebServerTest, SigtermFinishesRequestsInProgressAndExitsZero) {
    TempDir data;
    TempDir files;
    write_file(files.path() / "counted.txt", "浏览次数\n一份用来计数的文件 counted\n");
    const std::int64_t id = added_id(run_wenku(data.path(), {"add", (files.path() / "counted.txt").string()}));
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
