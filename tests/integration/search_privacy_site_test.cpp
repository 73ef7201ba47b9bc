// What a public site must not let one client do to the others, through the real binary
// (web_fixture.h): put its text into cached pages others see, put spam into 相关搜索, send readers
// off-site from an error page; and what must not leak of locked pages: a cover, the OpenGraph
// image and page sizes of a document without free pages.
#include <sqlite3.h>

#include <ctime>
#include <set>

#include <gtest/gtest.h>

#include "store/repository.h"
#include "web_fixture.h"

using namespace web_fixture;

namespace {

constexpr const char* spam = "论文代写 加QQ 123456";
constexpr const char* operator_spam = "wenku -加微信spam123购买论文";
constexpr const char* plain_spam = "wenku 加微信spam123购买论文";

/// The search log as stored: its queries, read with SQLite itself.
std::set<std::string> logged_queries(const fs::path& db_path) {
    sqlite3* db = nullptr;
    std::set<std::string> queries;
    if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db, "SELECT text FROM search_query", -1, &stmt, nullptr) == SQLITE_OK) {
            while (sqlite3_step(stmt) == SQLITE_ROW)
                queries.insert(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
        }
        sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return queries;
}

/// The 相关搜索 section of a page (document or search page), or "" when it has none.
std::string related_searches_of(const std::string& html) {
    const auto at = html.find("class=\"related-searches\"");
    if (at == std::string::npos) return {};
    return html.substr(at, html.find("</section>", at) - at);
}

class SearchPrivacySiteTest : public ::testing::Test {
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
        const std::string conf =
            "preview.free_pages = 2\nhttp.access_log = 0\nhttp.rate_per_ip = 0\nhttp.flush_seconds = 1\n";
        write_file(data / "wenku.conf", conf);
        write_file(files_->path() / "guide.txt", long_text("文库使用指南", "wenku 文库指南", 200, {}));
        guide_id_ = added_id(run_wenku(data, {"add", (files_->path() / "guide.txt").string()}));
        write_file(files_->path() / "closed.txt", "不公开的文档。第一页就要付费才能看。wenku\n");
        closed_id_ = added_id(run_wenku(data, {"add", (files_->path() / "closed.txt").string(),
                                               "--free-pages", "0", "--title", "内部资料"}));

        // The search log as if readers had searched for days (the repository's API takes the day).
        const std::int64_t today = std::time(nullptr) / 86400;
        {
            auto repo = wenku::open_sqlite_repository((data / "wenku.db").string());
            repo->record_searches({
                {"使用手册", {guide_id_}, 1, {"10.0.0.1"}, today - 1},
                {"使用手册", {guide_id_}, 2, {"10.0.0.2", "10.0.0.3"}, today},
                {"加微信spam123购买论文", {guide_id_}, 30, {"10.0.0.9"}, today},  // one address, one day
                {"代写论文加qq", {guide_id_}, 9, {"10.0.0.4", "10.0.0.5", "10.0.0.6"}, today},  // one day
                {"论文代写服务", {guide_id_}, 3, {"10.0.0.4", "10.0.0.5"}, today - 3},          // blocked
                {"论文代写服务", {guide_id_}, 3, {"10.0.0.6"}, today},
            });
        }
        write_file(data / "search-blocklist.txt", "# words 相关搜索 never shows\n代写\n加*微信\n");
        server_ = std::make_unique<ServedLibrary>(data, conf);
    }

    static void TearDownTestSuite() {
        if (server_) {
            EXPECT_EQ(server_->stop(10s), 0);
        }
        server_.reset();
        data_.reset();
        files_.reset();
    }

    void SetUp() override { ASSERT_TRUE(setup_error_.empty()) << setup_error_; }

    /// GET from a client address of its own (127.0.0.x).
    static HttpResponse get(const std::string& target, const std::string& source = "127.0.0.1") {
        HttpConnection c(server_->port(), 20s, source);
        return c.request("GET", target);
    }

    static std::string doc_path(std::int64_t id) { return "/d/" + std::to_string(id); }

    static inline std::string setup_error_;
    static inline std::unique_ptr<TempDir> data_, files_;
    static inline std::unique_ptr<ServedLibrary> server_;
    static inline std::int64_t guide_id_ = 0, closed_id_ = 0;
};

TEST_F(SearchPrivacySiteTest, NoClientsQueryShowsInAnotherClientsCachedPage) {
    for (const std::string& path : {std::string("/"), doc_path(guide_id_)}) {
        const auto poisoned = get(path + "?q=" + url_encode(spam), "127.0.0.2");
        EXPECT_EQ(poisoned.status, 200);
        const auto plain = get(path, "127.0.0.3");
        EXPECT_EQ(plain.status, 200);
        EXPECT_FALSE(contains(plain.body, "123456")) << path << " shows another client's ?q=";
        EXPECT_FALSE(contains(plain.body, "加QQ")) << path;
        EXPECT_FALSE(contains(poisoned.body, "加QQ")) << path << " puts ?q= into a page cached for all";
    }
    // The search page shows its own query in its box (its cache key holds it).
    const auto search = get("/search?q=" + url_encode("文库指南"), "127.0.0.4");
    EXPECT_TRUE(contains(search.body, "value=\"文库指南\""));
    EXPECT_FALSE(contains(get("/search?q=" + url_encode("使用"), "127.0.0.5").body, "value=\"文库指南\""));
}

TEST_F(SearchPrivacySiteTest, RelatedSearchesShowOnlyWhatManyReadersSearchedOnSeveralDays) {
    for (int i = 0; i < 30; ++i) {
        EXPECT_EQ(get("/search?q=" + url_encode(operator_spam)).status, 200);
        EXPECT_EQ(get("/search?q=" + url_encode(plain_spam)).status, 200);
    }
    // A plain search that finds something is logged; once it is, the spam would be too.
    EXPECT_EQ(get("/search?q=wenku", "127.0.0.6").status, 200);
    const fs::path db = data_->path() / "wenku.db";
    for (int i = 0; i < 100 && !logged_queries(db).contains("wenku"); ++i) std::this_thread::sleep_for(100ms);
    const auto logged = logged_queries(db);
    ASSERT_TRUE(logged.contains("wenku")) << "the search log was not written";
    // Neither spam search was logged (the one-address entry above is the repository's own).
    for (const auto& q : logged) EXPECT_FALSE(contains(q, "-") || contains(q, "wenku 加微信")) << q;

    for (const std::string& target : {std::string("/search?q=wenku"), doc_path(guide_id_)}) {
        const std::string related = related_searches_of(get(target, "127.0.0.7").body);
        EXPECT_TRUE(contains(related, ">使用手册</a>")) << target << ": " << related;
        for (const char* unwanted : {"spam123", "微信", "代写", "加qq"})
            EXPECT_FALSE(contains(related, unwanted))
                << target << " suggests " << unwanted << ": " << related;
    }
}

TEST_F(SearchPrivacySiteTest, ErrorPagesLinkOnlyWithinTheSite) {
    for (const char* target : {"//evil.example/x", "/\\evil.example/x", "///evil.example/x"}) {
        const auto r = get(target);
        EXPECT_FALSE(contains(r.body, "href=\"//")) << target << ": a protocol-relative link";
        EXPECT_FALSE(contains(r.body, "href=\"/\\")) << target << ": a backslash link";
        EXPECT_FALSE(contains(r.body, "href=\"\\")) << target;
        if (r.status == 400) continue;  // a target the HTTP parser refuses has no page at all
        EXPECT_EQ(r.status, 404) << target;
        EXPECT_TRUE(contains(r.body, "href=\"/evil.example/x?lang=en\"") ||
                    contains(r.body, "href=\"/%5Cevil.example/x?lang=en\""))
            << target << ": the language switch of the same page";
    }
}

TEST_F(SearchPrivacySiteTest, ADocumentWithoutFreePagesShowsNoneOfThem) {
    const auto cover = get(doc_path(closed_id_) + "/cover.webp");
    EXPECT_EQ(cover.status, 200);
    EXPECT_EQ(cover.header("content-type"), "image/svg+xml");
    EXPECT_TRUE(contains(cover.body, "<svg"));
    EXPECT_EQ(get(doc_path(guide_id_) + "/cover.webp").header("content-type"), "image/webp");

    const auto page = get(doc_path(closed_id_));
    EXPECT_TRUE(contains(
        page.body, "<meta property=\"og:image\" content=\"http://127.0.0.1:8080/static/locked-cover.svg\">"))
        << "the OpenGraph image shows page 1";
    EXPECT_FALSE(contains(page.body, "第一页就要付费")) << "locked text in 资源描述";

    // Locked pages are only their numbers in the API: nothing derived from them.
    for (const auto id : {closed_id_, guide_id_}) {
        const json pages = json_of(get("/api/documents/" + std::to_string(id) + "/pages"));
        for (const auto& p : pages["pages"]) {
            EXPECT_EQ(p.contains("width") || p.contains("height"), p["readable"].get<bool>()) << p.dump();
            EXPECT_EQ(p["readable"], p["number"].get<int>() <= (id == closed_id_ ? 0 : 2)) << p.dump();
        }
    }
    // A search for its (locked) text finds it only by the key terms its page shows.
    const json j = json_of(get("/api/search?q=" + url_encode("付费")));
    EXPECT_EQ(j["total"], 0) << j.dump();
}

}  // namespace
