// Files through the real binary (web_fixture.h): previews and page text within the free-preview
// limit (the setting's and a document's own), conditional and range requests, keep-alive, and
// originals sent as attachments under cleaned names.
#include <gtest/gtest.h>

#include "web_fixture.h"

using namespace web_fixture;

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
    EXPECT_TRUE(full.header("cache-control").find("max-age") != std::string::npos)
        << full.header("cache-control");
    EXPECT_NE(get(doc_path(long_id_) + "/page/2.webp").header("etag"), etag) << "two pages, one ETag";

    const auto not_modified = get(url, {{"If-None-Match", etag}});
    EXPECT_EQ(not_modified.status, 304);
    EXPECT_TRUE(not_modified.body.empty());
    EXPECT_EQ(not_modified.header("etag"), etag);
    EXPECT_EQ(get(url, {{"If-None-Match", "\"something-else\""}}).status, 200);
    // If-None-Match is a list compared weakly (RFC 9110 13.1.2): what caches and proxies send.
    EXPECT_EQ(get(url, {{"If-None-Match", "\"something-else\", " + etag}}).status, 304)
        << "an ETag in a list";
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
    pipelined.send(
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /robots.txt HTTP/1.1\r\nHost: "
        "127.0.0.1\r\n\r\n");
    EXPECT_TRUE(contains(pipelined.read_response().body, "\"status\":\"ok\""));
    EXPECT_TRUE(contains(pipelined.read_response().body, "Sitemap:"));

    // Pages: ETag and 304 too.
    const auto page = get(doc_path(long_id_));
    ASSERT_FALSE(page.header("etag").empty());
    EXPECT_EQ(get(doc_path(long_id_), {{"If-None-Match", page.header("etag")}}).status, 304);
}

TEST_F(WebTest, UploadedNamesLoseTheirPath) {
    const json doc = json_of(get("/api/documents/" + std::to_string(passwd_id_)));
    EXPECT_EQ(doc["original_name"], "passwd");
    EXPECT_EQ(doc["status"], "ready");
    const auto download = get(doc_path(passwd_id_) + "/download");
    EXPECT_EQ(download.status, 200);
    EXPECT_TRUE(contains(download.header("content-disposition"), "filename=\"passwd\""))
        << download.header("content-disposition");
    EXPECT_FALSE(contains(download.header("content-disposition"), ".."))
        << download.header("content-disposition");
}

TEST_F(WebTest, DownloadSendsTheOriginalAsAnAttachment) {
    const auto r = get(doc_path(hostile_id_) + "/download");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-type"), "application/octet-stream");
    const std::string disposition = r.header("content-disposition");
    EXPECT_TRUE(disposition.starts_with("attachment")) << disposition;
    EXPECT_EQ(occurrences(disposition, "\""), 2u)
        << "the name's quote breaks the quoted file name: " << disposition;
    const auto star = disposition.find("filename*=UTF-8''");
    ASSERT_NE(star, std::string::npos) << disposition;
    EXPECT_EQ(percent_decode(disposition.substr(star + std::string("filename*=UTF-8''").size())),
              std::string(hostile) + ".txt");
    EXPECT_EQ(r.body, hostile_bytes_);
    EXPECT_EQ(get("/d/999999/download").status, 404);
}
