// Text files through a real `wenku worker`: UTF-32 and Big5 files convert to exactly the text they
// hold, plain text, code and Markdown code blocks keep their lines in the page text, and wenku's
// own layouts use the paper of ConvertRequest::paper (convert.paper).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/config.h"
#include "core/conversion.h"
#include "core/settings.h"
#include "core/utf8.h"
#include "ingest/worker_process.h"
#include "support/test_support.h"
#include "support/worker_jobs.h"

namespace wenku::test {
namespace {

namespace fs = std::filesystem;

/// The non-blank lines of `text`, each with its whitespace runs made one space and trimmed.
std::vector<std::string> normalised_lines(std::string_view text) {
    std::vector<std::string> lines;
    std::string line;
    bool space = false;
    const auto flush = [&] {
        if (!line.empty()) lines.push_back(line);
        line.clear();
        space = false;
    };
    for (const char c : text) {
        if (c == '\n' || c == '\f') {
            flush();
        } else if (c == ' ' || c == '\t' || c == '\r') {
            space = !line.empty();
        } else {
            if (space) line += ' ';
            space = false;
            line += c;
        }
    }
    flush();
    return lines;
}

/// Converts `bytes` as `name` and expects its page text to hold exactly the lines of `source`.
void expect_same_lines(WorkerProcess& worker, const TempDir& dir, const std::string& name,
                       const std::string& bytes, const std::string& source) {
    SCOPED_TRACE(name);
    const ConvertResult result = worker.convert(request_for(dir, name, bytes));
    ASSERT_TRUE(result.ok) << result.error;
    const std::string text = all_page_text(result);
    const std::vector<std::string> want = normalised_lines(source);
    const std::vector<std::string> got = normalised_lines(text);
    EXPECT_EQ(got, want) << text;
    // Character by character, line breaks aside.
    std::u32string want_chars;
    std::u32string got_chars;
    for (const auto& l : want) want_chars += decode_utf8(l);
    for (const auto& l : got) got_chars += decode_utf8(l);
    ASSERT_EQ(got_chars.size(), want_chars.size());
    for (std::size_t i = 0; i < want_chars.size(); ++i) {
        ASSERT_EQ(static_cast<std::uint32_t>(got_chars[i]), static_cast<std::uint32_t>(want_chars[i]))
            << "character " << i;
    }
}

const std::string traditional_source =
    "圖書館使用說明\n"
    "讀者可以在線上預約座位，並查詢館藏目錄。\n"
    "春眠不覺曉，處處聞啼鳥。夜來風雨聲，花落知多少。\n"
    "\n"
    "開放時間：週一至週五 9:00-21:00\n"
    "聯絡電話 (02) 2345-6789\n";

const std::string simplified_source =
    "文库使用指南\n"
    "上传、预览、搜索：床前明月光，疑是地上霜。\n"
    "Readers can search the archive from home.\n"
    "举头望明月，低头思故乡。\n";

TEST(TextFidelity, Utf32AndBig5FilesConvertToTheirText) {
    TempDir dir;
    WorkerProcess worker = start_worker(dir);
    expect_same_lines(worker, dir, "le.txt", encode_from_utf8("\uFEFF" + simplified_source, "UTF-32LE"),
                      simplified_source);
    expect_same_lines(worker, dir, "be.txt", encode_from_utf8("\uFEFF" + simplified_source, "UTF-32BE"),
                      simplified_source);
    expect_same_lines(worker, dir, "bare.txt", encode_from_utf8(simplified_source, "UTF-32LE"),
                      simplified_source);
    expect_same_lines(worker, dir, "big5.txt", encode_from_utf8(traditional_source, "BIG5"),
                      traditional_source);
    // GB18030 and UTF-16 still convert.
    expect_same_lines(worker, dir, "gb.txt", encode_from_utf8(simplified_source, "GB18030"),
                      simplified_source);
    expect_same_lines(worker, dir, "u16.txt", encode_from_utf8("\uFEFF" + traditional_source, "UTF-16LE"),
                      traditional_source);
}

const std::string python_source =
    "import sys\n"
    "\n"
    "def greet(name):\n"
    "    \"\"\"Say hello.\"\"\"\n"
    "    print(\"hello\", name)\n"
    "    print(\"你好\", name)\n"
    "\n"
    "for arg in sys.argv[1:]:\n"
    "    greet(arg)\n";

const std::string c_source =
    "#include <stdio.h>\n"
    "int a = 1;\n"
    "int b = 2;\n"
    "int main(void) {\n"
    "\tprintf(\"%d\\n\", a + b);\n"
    "\treturn 0;\n"
    "}\n";

TEST(TextFidelity, PlainTextAndCodeKeepTheirLines) {
    TempDir dir;
    WorkerProcess worker = start_worker(dir);
    expect_same_lines(worker, dir, "greet.py", python_source, python_source);
    expect_same_lines(worker, dir, "sum.c", c_source, c_source);
    // A line too long for the page wraps there, and is one line of text again.
    const std::string prose =
        "短行\n"
        "The quarterly report describes how the library catalogue was rebuilt, which documents were "
        "scanned, and how readers can search the archive from home without visiting the building.\n"
        "另一行\n";
    expect_same_lines(worker, dir, "notes.txt", prose, prose);
}

TEST(TextFidelity, MarkdownCodeBlocksKeepTheirLines) {
    TempDir dir;
    WorkerProcess worker = start_worker(dir);
    const std::string markdown =
        "# 安装\n\n运行下面的命令：\n\n```sh\n./configure\nmake\nmake install\n```\n\n完成。\n\n```c\n" +
        c_source + "```\n";
    const std::string expected =
        "安装\n运行下面的命令：\n./configure\nmake\nmake install\n完成。\n" + c_source;
    expect_same_lines(worker, dir, "install.md", markdown, expected);
}

TEST(TextFidelity, OwnLayoutsUseThePaperOfTheSettings) {
    TempDir dir;
    WorkerProcess worker = start_worker(dir);
    struct Paper {
        const char* name;
        double width_pt;
        double height_pt;
        const char* pdfinfo;
    };
    for (const Paper paper :
         {Paper{"a4", 595, 842, "595 x 842 pts (A4)"}, Paper{"letter", 612, 792, "612 x 792 pts (letter)"}}) {
        SCOPED_TRACE(paper.name);
        for (const auto& [name, bytes] :
             std::vector<std::pair<std::string, std::string>>{{"a.txt", simplified_source},
                                                              {"a.md", "# 标题\n\n" + simplified_source},
                                                              {"a.csv", "名称,数量\n苹果,3\n"}}) {
            ConvertRequest request = request_for(dir, name, bytes);
            request.paper = paper.name;
            const ConvertResult result = worker.convert(request);
            ASSERT_TRUE(result.ok) << name << ": " << result.error;
            ASSERT_FALSE(result.pages.empty());
            const PageResult& page = result.pages.front();
            // The preview is the page at preview_width pixels: its height gives the page's in points.
            EXPECT_EQ(page.width_px, request.preview_width) << name;
            EXPECT_NEAR(page.height_px * paper.width_pt / page.width_px, paper.height_pt, 1.0) << name;
        }
        // The Markdown-to-PDF job writes pages of that size.
        ConvertRequest request = request_for(dir, "guide.md", "# 指南\n\n" + simplified_source);
        request.job = JobKind::markdown_pdf;
        request.paper = paper.name;
        const ConvertResult pdf = worker.convert(request);
        ASSERT_TRUE(pdf.ok) << pdf.error;
        const CommandResult info =
            run_command({"pdfinfo", (fs::path(request.output_dir) / markdown_pdf_file_name).string()});
        if (info.exit_code != 0) GTEST_SKIP() << "pdfinfo (poppler-utils) is not available: " << info.err;
        EXPECT_NE(info.out.find(paper.pdfinfo), std::string::npos) << info.out;
    }
}

}  // namespace
}  // namespace wenku::test
