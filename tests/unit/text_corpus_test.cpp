// The shared corpus's plain-text and Markdown files: detected encoding, decoded text against
// REFERENCE_STATS.tsv (at least as many CJK characters as LibreOffice saw, no U+FFFD), HTML and
// titles.
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "core/utf8.h"
#include "support/test_support.h"
#include "worker/markdown.h"
#include "worker/text_document.h"
#include "worker/text_encoding.h"

namespace {

using namespace wenku::worker;
using wenku::encode_from_utf8;
namespace fs = std::filesystem;

const std::map<std::string, TextEncoding> expected_text_encodings = {
    {"kkfileview__dia_zh-tw.txt", TextEncoding::utf8},
    {"kkfileview__dia_zh.txt", TextEncoding::utf8},
    {"xapian__iso88591.txt", TextEncoding::latin1},
    {"xapian__utf16be-bom.txt", TextEncoding::utf16be_bom},
    {"xapian__utf16le-bom.txt", TextEncoding::utf16le_bom},
    {"xapian__utf8-bom.txt", TextEncoding::utf8_bom},
};

const std::map<std::string, std::string> expected_markdown_titles = {
    {"easyexcel__README.md", "EasyExcel"},
    {"kkfileview__README.cn.md", "kkFileView"},
};

long count_code_points(std::string_view utf8) {
    long n = 0;
    for (char c : utf8) {
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    }
    return n;
}

std::string_view trimmed(std::string_view s) {
    const auto blank = [](char c) { return c == ' ' || c == '\n' || c == '\t'; };
    while (!s.empty() && blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && blank(s.back())) s.remove_suffix(1);
    return s;
}

bool has_replacement_char(const std::string& s) { return s.find("\uFFFD") != std::string::npos; }

/// Decodes one corpus file and checks it against the reference statistics.
std::string decode_and_check(const fs::path& file, TextEncoding encoding) {
    const std::string raw = wenku::test::read_file(file);
    const std::string text = decode_to_utf8(raw, encoding);
    EXPECT_TRUE(looks_like_text(raw, encoding)) << file;
    EXPECT_FALSE(has_replacement_char(text)) << file;
    EXPECT_EQ(text.find('\r'), std::string::npos) << file;
    const auto stats = wenku::test::reference_stats(file);
    EXPECT_TRUE(stats.has_value()) << "no REFERENCE_STATS.tsv row for " << file;
    if (stats) {
        EXPECT_GE(wenku::test::count_cjk(text), stats->cjk_chars) << file;
        // text_chars counts every code point of the reference's trimmed text.
        EXPECT_GE(count_code_points(trimmed(text)), stats->text_chars) << file;
    }
    return text;
}

TEST(TextCorpus, TextFilesDecodeCompletely) {
    if (!wenku::test::corpus_dir()) GTEST_SKIP() << wenku::test::corpus_missing_message();
    const auto files = wenku::test::corpus_files("txt");
    ASSERT_FALSE(files.empty());
    for (const auto& file : files) {
        SCOPED_TRACE(file.filename().string());
        const std::string raw = wenku::test::read_file(file);
        const TextEncoding detected = detect_text_encoding(raw);
        const auto expected = expected_text_encodings.find(file.filename().string());
        if (expected != expected_text_encodings.end()) {
            EXPECT_EQ(to_string(detected), std::string(to_string(expected->second)));
        }
        const std::string text = decode_and_check(file, detected);
        const std::string html = text_to_html(text);
        EXPECT_GE(wenku::test::count_cjk(html), wenku::test::count_cjk(text));
        EXPECT_FALSE(first_line_title(text).empty());
    }
}

TEST(TextCorpus, KnownTextContent) {
    if (!wenku::test::corpus_dir()) GTEST_SKIP() << wenku::test::corpus_missing_message();
    const fs::path dir = *wenku::test::corpus_dir() / "files" / "txt";
    const std::string latin1 = wenku::test::read_file(dir / "xapian__iso88591.txt");
    EXPECT_EQ(first_line_title(decode_to_utf8(latin1, detect_text_encoding(latin1))), "À bout de souffle");
    // The three Unicode files hold the same text.
    std::string first;
    for (const char* name : {"xapian__utf8-bom.txt", "xapian__utf16le-bom.txt", "xapian__utf16be-bom.txt"}) {
        const std::string raw = wenku::test::read_file(dir / name);
        const std::string text = decode_to_utf8(raw, detect_text_encoding(raw));
        if (first.empty()) first = text;
        EXPECT_EQ(text, first) << name;
    }
    EXPECT_GT(wenku::test::count_cjk(first), 0);
}

TEST(TextCorpus, ChineseTextReencodedAsGb18030RoundTrips) {
    if (!wenku::test::corpus_dir()) GTEST_SKIP() << wenku::test::corpus_missing_message();
    for (const char* name :
         {"txt/kkfileview__dia_zh.txt", "txt/kkfileview__dia_zh-tw.txt", "md/kkfileview__README.cn.md"}) {
        SCOPED_TRACE(name);
        const std::string raw = wenku::test::read_file(*wenku::test::corpus_dir() / "files" / name);
        const std::string text = decode_to_utf8(raw, detect_text_encoding(raw));
        const std::string gb = encode_from_utf8(text, "GB18030");
        ASSERT_FALSE(gb.empty());
        EXPECT_EQ(to_string(detect_text_encoding(gb)), std::string("gb18030"));
        EXPECT_EQ(decode_to_utf8(gb, TextEncoding::gb18030), text);
    }
}

TEST(TextCorpus, MarkdownFilesRender) {
    if (!wenku::test::corpus_dir()) GTEST_SKIP() << wenku::test::corpus_missing_message();
    const auto files = wenku::test::corpus_files("md");
    ASSERT_FALSE(files.empty());
    for (const auto& file : files) {
        SCOPED_TRACE(file.filename().string());
        const std::string raw = wenku::test::read_file(file);
        const TextEncoding detected = detect_text_encoding(raw);
        EXPECT_TRUE(detected == TextEncoding::utf8 || detected == TextEncoding::utf8_bom)
            << to_string(detected);
        const std::string text = decode_and_check(file, detected);
        const std::string html = markdown_to_html(text);
        EXPECT_EQ(html.find("<img"), std::string::npos);
        EXPECT_FALSE(has_replacement_char(html));
        // Hanzi only in link targets (percent-encoded in HTML) may be lost; the rest must survive.
        EXPECT_GE(wenku::test::count_cjk(html) * 100, wenku::test::count_cjk(text) * 95);
        const auto title = expected_markdown_titles.find(file.filename().string());
        if (title != expected_markdown_titles.end()) {
            EXPECT_EQ(markdown_title(text), title->second);
        }
    }
}

}  // namespace
