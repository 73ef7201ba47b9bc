// The wenku binary end to end on documents the test writes itself: add, ls, info, text, rm,
// verify, config, duplicates, exit codes, and the worker's timeout and replacement.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_support.h"
#include "worker/renderer.h"

namespace wenku::test {
namespace fs = std::filesystem;

namespace {

const std::string chinese_paragraph =
    "加强机关党的政治建设是推动机关党的建设高质量发展的时代命题，机关党员干部能否坚持真理指引，"
    "直接决定了能否锚定正确政治方向。";

std::vector<nlohmann::json> list_documents(const fs::path& data) {
    const auto r = run_wenku(data, {"ls", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<nlohmann::json> docs;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) docs.push_back(nlohmann::json::parse(line));
    return docs;
}

class CliTest : public ::testing::Test {
  protected:
    void SetUp() override {
        data = dir.path() / "data";
        inbox = dir.path() / "inbox";
        fs::create_directories(inbox);
    }
    TempDir dir;
    fs::path data, inbox;
};

}  // namespace

TEST_F(CliTest, AddsTextAndPdfAndShowsThem) {
    write_file(inbox / "报告.txt", "机关建设大调研报告\n\n" + chinese_paragraph + "\n");
    std::string html = "<html><body><h1>Quarterly report</h1>";
    for (int i = 0; i < 60; ++i)
        html +=
            "<p>Paragraph " + std::to_string(i) + " of the quarterly report, long enough to fill pages.</p>";
    html += "</body></html>";
    worker::write_html_as_pdf(html, inbox / "report.pdf");

    const auto r = run_wenku(data, {"add", (inbox / "报告.txt").string(), (inbox / "report.pdf").string(),
                                    "--category", "实用范文/写作指导", "--jobs", "2"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto docs = list_documents(data);
    ASSERT_EQ(docs.size(), 2u);
    for (const auto& d : docs) {
        EXPECT_EQ(d["status"], "ready") << d.dump();
        EXPECT_GE(d["page_count"].get<int>(), 1);
        EXPECT_EQ(d["category"], "实用范文/写作指导");
    }
    // Newest first: the PDF was added second.
    EXPECT_EQ(docs[0]["format"], "pdf");
    EXPECT_GE(docs[0]["page_count"].get<int>(), 2);
    EXPECT_EQ(docs[1]["format"], "txt");
    EXPECT_EQ(docs[1]["title"], "机关建设大调研报告");

    const std::string txt_id = std::to_string(docs[1]["id"].get<int>());
    const auto text = run_wenku(data, {"text", txt_id, "--page", "1"});
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find(chinese_paragraph), std::string::npos) << text.out;

    const auto info = run_wenku(data, {"info", txt_id});
    ASSERT_EQ(info.exit_code, 0);
    EXPECT_NE(info.out.find("资源描述"), std::string::npos);
    EXPECT_NE(info.out.find("1、机关建设大调研报告"), std::string::npos) << info.out;

    // Previews are on disk as WebP, content-addressed by the original's hash.
    const std::string sha = docs[0]["sha256"];
    const fs::path pages = data / "pages" / sha.substr(0, 2) / sha;
    EXPECT_TRUE(fs::exists(pages / "p0001.webp"));
    EXPECT_TRUE(fs::exists(pages / "cover.webp"));
    EXPECT_EQ(read_file(pages / "p0001.webp").substr(8, 4), "WEBP");

    EXPECT_EQ(run_wenku(data, {"verify"}).exit_code, 0);
}

TEST_F(CliTest, RefusesExactDuplicatesNamingTheOriginal) {
    write_file(inbox / "a.txt", "第一份文档\n内容相同\n");
    write_file(inbox / "copy-of-a.txt", "第一份文档\n内容相同\n");
    ASSERT_EQ(run_wenku(data, {"add", (inbox / "a.txt").string()}).exit_code, 0);
    const auto r = run_wenku(data, {"add", (inbox / "copy-of-a.txt").string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("already in the library as №1"), std::string::npos) << r.err;
    EXPECT_EQ(list_documents(data).size(), 1u);
}

TEST_F(CliTest, RemoveDeletesRowsAndFiles) {
    write_file(inbox / "gone.md", "# 将被删除\n\n这一份文档会被删除。\n");
    ASSERT_EQ(run_wenku(data, {"add", (inbox / "gone.md").string()}).exit_code, 0);
    const auto docs = list_documents(data);
    ASSERT_EQ(docs.size(), 1u);
    EXPECT_EQ(docs[0]["format"], "md");
    EXPECT_EQ(docs[0]["title"], "将被删除");
    const std::string sha = docs[0]["sha256"];
    ASSERT_EQ(run_wenku(data, {"rm", "1"}).exit_code, 0);
    EXPECT_TRUE(list_documents(data).empty());
    EXPECT_FALSE(fs::exists(data / "blobs" / sha.substr(0, 2) / sha));
    EXPECT_FALSE(fs::exists(data / "pages" / sha.substr(0, 2) / sha));
    EXPECT_EQ(run_wenku(data, {"verify"}).exit_code, 0);
}

TEST_F(CliTest, ExitCodesAreDocumented) {
    EXPECT_EQ(run_wenku(data, {"info", "42"}).exit_code, 3);
    EXPECT_EQ(run_wenku(data, {"info", "not-a-number"}).exit_code, 2);
    EXPECT_EQ(run_wenku(data, {"no-such-command"}).exit_code, 2);
    write_file(inbox / "empty.txt", "");
    const auto r = run_wenku(data, {"add", (inbox / "empty.txt").string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("empty.txt is empty (0 bytes)"), std::string::npos) << r.err;
    const auto help = run_command({WENKU_BINARY, "--help"});
    EXPECT_NE(help.out.find("Exit codes"), std::string::npos);
}

TEST_F(CliTest, ConfigDefaultsDescribeEverySetting) {
    const auto r = run_wenku(data, {"config", "--defaults"});
    ASSERT_EQ(r.exit_code, 0);
    for (const char* key :
         {"convert.timeout_seconds", "convert.worker_memory_mb", "preview.width", "convert.max_file_mb"}) {
        EXPECT_NE(r.out.find(std::string(key) + " = "), std::string::npos) << key;
    }
    write_file(data / "wenku.conf", "preview.width = 640\n");
    ::setenv("WENKU_PREVIEW_THUMB_WIDTH", "120", 1);
    const auto shown = run_wenku(data, {"config"});
    ::unsetenv("WENKU_PREVIEW_THUMB_WIDTH");
    EXPECT_NE(shown.out.find("preview.width = 640\t(wenku.conf)"), std::string::npos) << shown.out;
    EXPECT_NE(shown.out.find("preview.thumb_width = 120\t(WENKU_PREVIEW_THUMB_WIDTH)"), std::string::npos)
        << shown.out;
    write_file(data / "wenku.conf", "no.such.setting = 1\n");
    EXPECT_EQ(run_wenku(data, {"ls"}).exit_code, 2);
}

TEST_F(CliTest, TooLargeFilesAreRefusedBeforeConversion) {
    write_file(data / "wenku.conf", "convert.max_file_mb = 1\n");
    write_file(inbox / "big.txt", std::string(2 * 1024 * 1024, 'a'));
    const auto r = run_wenku(data, {"add", (inbox / "big.txt").string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("the limit is 1 MiB"), std::string::npos) << r.err;
    EXPECT_TRUE(list_documents(data).empty());
}

TEST_F(CliTest, AWorkerPastItsTimeoutIsReplacedAndTheNextDocumentConverts) {
    // A long text takes the worker seconds to lay out; one second is not enough.
    std::string long_text;
    for (int i = 0; i < 40000; ++i) long_text += chinese_paragraph + "\n";
    write_file(inbox / "1-slow.txt", long_text);
    write_file(inbox / "2-quick.txt", "很短的文档。\n");
    write_file(data / "wenku.conf", "convert.timeout_seconds = 1\nconvert.max_pages = 100000\n");
    const auto r = run_wenku(
        data, {"add", "--jobs", "1", (inbox / "1-slow.txt").string(), (inbox / "2-quick.txt").string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("took longer than 1 s and was stopped"), std::string::npos) << r.err;
    const auto docs = list_documents(data);
    ASSERT_EQ(docs.size(), 2u);
    EXPECT_EQ(docs[1]["status"], "failed");
    EXPECT_EQ(docs[1]["error"].get<std::string>().rfind("timeout:", 0), 0u) << docs[1].dump();
    EXPECT_EQ(docs[0]["status"], "ready");
    EXPECT_EQ(run_wenku(data, {"verify"}).exit_code, 0);
}

TEST_F(CliTest, AWorkerWithoutRoomForItsWorkFailsTheDocumentCleanly) {
    // The limits themselves are read from /proc in worker_sandbox_test; here their effect: a worker
    // whose address space cannot hold MuPDF fails the document with a specific error.
    write_file(data / "wenku.conf", "convert.worker_memory_mb = 64\nconvert.render_memory_mb = 32\n");
    std::string text;
    for (int i = 0; i < 200; ++i) text += chinese_paragraph + "\n\n";
    write_file(inbox / "a.txt", text);
    const auto r = run_wenku(data, {"add", (inbox / "a.txt").string()});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    const auto docs = list_documents(data);
    ASSERT_EQ(docs.size(), 1u);
    EXPECT_EQ(docs[0]["status"], "failed");
    const std::string error = docs[0]["error"];
    EXPECT_TRUE(error.rfind("too_large:", 0) == 0 || error.rfind("crashed:", 0) == 0) << error;
}

}  // namespace wenku::test
