// The web site and JSON API through the real binary (web_fixture.h): pages and their security
// headers, operational endpoints, routes and methods, the document page in two languages, hostile
// titles, search, reports, many clients at once.
#include <map>
#include <mutex>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "web_fixture.h"

using namespace web_fixture;

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
    EXPECT_TRUE(health.header("content-type").starts_with("application/json"))
        << health.header("content-type");
    const json h = json_of(health);
    EXPECT_EQ(h["status"], "ok");
    EXPECT_GE(h["documents"].get<int>(), 4);

    const auto metrics = get("/metrics");
    EXPECT_EQ(metrics.status, 200);
    EXPECT_TRUE(contains(metrics.body, "wenku_http_requests_total{code=\"200\"}"))
        << metrics.body.substr(0, 500);
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
    EXPECT_TRUE(sitemap.header("content-type").starts_with("application/xml"))
        << sitemap.header("content-type");
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
    EXPECT_TRUE(contains(del.header("allow"), "GET"))
        << "a 405 must name the allowed methods (Allow: \"" << del.header("allow") << "\")";
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
    for (const char* label : {"上传人", "文档编号", "上传时间", "格式", "页数", "大小", "资源描述",
                              "相关资源", "猜你喜欢", "相关搜索"}) {
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
        EXPECT_FALSE(contains(html, first_lines_[p - 1]))
            << "page " << p << " is beyond the free pages: its text is shown";
    }
    EXPECT_FALSE(contains(html, "凤凰"));
    EXPECT_TRUE(contains(html, "经营许可证编号：浙ICP备0000000号-1"));
    EXPECT_TRUE(contains(html, "href=\"" + doc_path(own_free_id_) + "\""))
        << "猜你喜欢 lists the other documents";
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
    ASSERT_TRUE(
        std::regex_search(html, meta, std::regex("<meta name=\"description\" content=\"([^\"]*)\">")));
    EXPECT_FALSE(meta[1].str().starts_with("["))
        << "meta description is JSON: " << meta[1].str().substr(0, 38) << "…";
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

TEST_F(WebTest, SearchTellsNothingOfLockedPagesButTheirKeyTerms) {
    // 凤凰, once on locked page 4, is no key term: the document does not match it at all.
    const json j = json_of(get("/api/search?q=" + url_encode("凤凰")));
    EXPECT_EQ(j["total"], 0) << j.dump();
    const auto html = get("/search?q=" + url_encode("凤凰"));
    EXPECT_FALSE(contains(html.body, "第4页"));
    EXPECT_FALSE(contains(html.body, "<mark>凤凰</mark>"));
}

TEST_F(WebTest, ReportsAreAcceptedAndValidated) {
    const std::string report = doc_path(long_id_) + "/report";
    const Headers form{{"Content-Type", "application/x-www-form-urlencoded"}};
    const auto form_page = get(report);
    EXPECT_EQ(form_page.status, 200);
    EXPECT_TRUE(contains(form_page.body, "name=\"reason\" value=\"copyright\""));

    const auto ok =
        post(report, "reason=copyright&detail=" + url_encode("这是我写的文章，未经许可转载"), form);
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
    const std::vector<std::string> targets{doc_path(long_id_),
                                           "/",
                                           "/search?q=" + url_encode("麒麟"),
                                           "/api/search?q=alpha",
                                           doc_path(long_id_) + "/page/1.webp",
                                           doc_path(hostile_id_),
                                           "/api/documents/" + std::to_string(long_id_) + "/pages"};
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
                    if (r.status != 200)
                        problem = target + ": " + std::to_string(r.status);
                    else if (target.ends_with(".webp") && r.body != preview)
                        problem = target + ": other bytes";
                    std::lock_guard lock(mutex);
                    if (target == doc_path(long_id_)) {
                        const auto [known, fresh] = page_by_etag.emplace(r.header("etag"), r.body);
                        if (r.header("etag").empty())
                            problem = target + ": no ETag";
                        else if (!fresh && known->second != r.body)
                            problem = target + ": one ETag, two contents";
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
