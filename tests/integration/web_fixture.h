#pragma once
// What the web integration tests share (web_test.cpp, web_files_test.cpp, web_limits_test.cpp):
// `wenku serve --port 0` on a library of its own, spoken to over real HTTP on 127.0.0.1, and the
// WebTest fixture's library (two long documents added with `wenku add`, two uploaded through the
// API under hostile names; two free pages by default).
#include <csignal>
#include <map>
#include <memory>
#include <regex>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace web_fixture {

using namespace wenku::test;
namespace fs = std::filesystem;
using nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;
using namespace std::chrono_literals;

/// `wenku --data DIR serve --port 0` with `conf` as DIR/wenku.conf, running until stop().
class ServedLibrary {
  public:
    ServedLibrary(const fs::path& data, const std::string& conf) : data_(data) {
        write_file(data / "wenku.conf", conf);
        process_ = std::make_unique<BackgroundProcess>(
            std::vector<std::string>{WENKU_BINARY, "--data", data.string(), "serve", "--port", "0", "--jobs",
                                     "1"},
            data / "serve.out", data / "serve.err");
        // The line it prints once it listens: "wenku: serving http://127.0.0.1:PORT/ (data ...)".
        const std::string mark = "wenku: serving http://127.0.0.1:";
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        while (true) {
            const std::string out = read_file(data / "serve.out");
            if (const auto at = out.find(mark);
                at != std::string::npos && out.find('\n', at) != std::string::npos) {
                port_ = static_cast<unsigned short>(std::stoi(out.substr(at + mark.size())));
                break;
            }
            if (process_->wait(0ms)) throw std::runtime_error("wenku serve ended early: " + log());
            if (std::chrono::steady_clock::now() > deadline)
                throw std::runtime_error("wenku serve never listened: " + log());
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

inline json json_of(const HttpResponse& r) {
    try {
        return json::parse(r.body);
    } catch (const json::exception& e) {
        ADD_FAILURE() << "not JSON (" << e.what() << "): " << r.body.substr(0, 300);
        return json::object();
    }
}

inline bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

inline std::size_t occurrences(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = haystack.find(needle); at != std::string::npos;
         at = haystack.find(needle, at + needle.size()))
        ++n;
    return n;
}

inline std::string percent_decode(std::string_view s) {
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
inline std::string long_text(const std::string& title, const std::string& words, int lines,
                             const std::map<int, std::string>& marks) {
    std::string text = title + "\n";
    for (int i = 0; i < lines; ++i) {
        text += "第" + std::to_string(i) + "行 " + words + " line " + std::to_string(i);
        if (auto m = marks.find(i); m != marks.end()) text += " " + m->second;
        text += " alpha beta gamma 文库预览\n";
    }
    return text;
}

inline std::int64_t added_id(const CommandResult& r) {
    // "№12\tready\ttxt\t5 pages\t<title>"
    const auto at = r.out.find("№");
    if (r.exit_code != 0 || at == std::string::npos)
        throw std::runtime_error("wenku add failed: " + r.out + r.err);
    return std::stoll(r.out.substr(at + std::string("№").size()));
}

inline constexpr const char* hostile = "\"><img src=x onerror=alert(1)>";

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
        long_id_ = added_id(run_wenku(data, {"add", (files_->path() / "long.txt").string(), "--uploader",
                                             "张小明", "--category", "实用范文/写作指导"}));
        const auto pages = page_texts(data, long_id_);
        long_pages_ = static_cast<int>(pages.size());
        for (const auto& text : pages) {  // "第40行…": the first line number of each page
            std::smatch m;
            if (!std::regex_search(text, m, std::regex("第(\\d+)行")))
                throw std::runtime_error("fixture page: " + text);
            first_lines_.push_back("第" + m[1].str() + "行");
        }
        if (long_pages_ < 5)
            throw std::runtime_error("the long fixture has only " + std::to_string(long_pages_) + " pages");
        for (int p = 1; p <= long_pages_; ++p) {  // the fixture's premise: each word on its page only
            if (contains(pages[p - 1], "麒麟") != (p == 2) || contains(pages[p - 1], "凤凰") != (p == 4)) {
                throw std::runtime_error(
                    "fixture: 麒麟 should be on page 2 only and 凤凰 on page 4 only; page " +
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
            if (status != "ready")
                throw std::runtime_error("upload №" + std::to_string(id) + " is " + status);
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
    static HttpResponse post(const std::string& target, const std::string& body,
                             const Headers& headers = {}) {
        return http_request(port(), "POST", target, body, headers);
    }

    /// Uploads through the API; the new document's id (throws unless 201).
    static std::int64_t upload(const std::string& name, const std::string& bytes) {
        const auto r = post("/api/documents?name=" + url_encode(name), bytes);
        if (r.status != 201)
            throw std::runtime_error("upload of " + name + ": " + std::to_string(r.status) + " " + r.body);
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

inline void expect_security_headers(const HttpResponse& r, const std::string& what) {
    EXPECT_NE(r.header("content-security-policy").find("default-src 'self'"), std::string::npos) << what;
    EXPECT_NE(r.header("content-security-policy").find("frame-ancestors 'none'"), std::string::npos) << what;
    EXPECT_EQ(r.header("x-content-type-options"), "nosniff") << what;
}

}  // namespace web_fixture
