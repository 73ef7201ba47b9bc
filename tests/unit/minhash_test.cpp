// MinHash signatures of real Chinese texts (the project's demo documents): what counts as the
// same text, what does not, and the limits (too short, too long).
#include <chrono>
#include <cstdio>
#include <sstream>

#include <gtest/gtest.h>
#include <opencc/SimpleConverter.hpp>

#include "core/errors.h"
#include "core/utf8.h"
#include "search/fold.h"
#include "search/near_duplicate.h"
#include "support/test_support.h"

namespace wenku::search {
namespace {

namespace fs = std::filesystem;

const fs::path demo_dir = fs::path(WENKU_SOURCE_DIR) / "demo";

std::string guide() { return test::read_file(demo_dir / "文库使用指南.md"); }
std::string ten_questions() { return test::read_file(demo_dir / "gb18030" / "关于文库的十个问题.txt"); }

/// `text` with the first occurrence of `from` replaced by `to`; fails the test if it is absent.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
}

double similarity(const std::string& a, const std::string& b) {
    const auto sa = sign_text(a);
    const auto sb = sign_text(b);
    EXPECT_TRUE(sa && sb);
    return sa && sb ? estimated_similarity(*sa, *sb) : 0;
}

TEST(NearDuplicate, TheSameTextIsTheSameWhateverItsSpacingPunctuationAndWidth) {
    const std::string text = guide();
    EXPECT_EQ(similarity(text, text), 1.0);
    // Re-typeset: no line breaks or spaces, ASCII punctuation, full-width upper-case Latin letters.
    std::u32string retyped;
    for (const char32_t c : decode_utf8(text)) {
        if (c == U'\n' || c == U' ') continue;
        if (c == U'，') {
            retyped += U',';
        } else if (c >= U'a' && c <= U'z') {
            retyped += static_cast<char32_t>(c - U'a' + U'Ａ');
        } else {
            retyped += c;
        }
    }
    EXPECT_EQ(similarity(text, encode_utf8(retyped)), 1.0);
}

TEST(NearDuplicate, ATraditionalCopyOfASimplifiedTextIsTheSame) {
    const std::string simplified = guide();
    const std::string traditional = opencc::SimpleConverter("/usr/share/opencc/s2t.json").Convert(simplified);
    ASSERT_NE(traditional.find("文庫使用指南"), std::string::npos);  // it really is converted
    const double s = similarity(simplified, traditional);
    std::printf("Traditional copy (OpenCC s2t): %.3f\n", s);
    // Not quite 1: OpenCC converts the phrase 了解 to 瞭解, and folding, one character for one,
    // keeps 瞭 (a Simplified character too, as in 瞭望); the shingles around it differ.
    EXPECT_GE(s, 0.99);
    // Converted character by character, as most Traditional copies differ, it is exactly the same.
    const std::string characterwise = replaced(traditional, "瞭解", "了解");
    EXPECT_EQ(similarity(simplified, characterwise), 1.0);
}

TEST(NearDuplicate, UnrelatedChineseTextsShareLittle) {
    // Both are about wenku, with its vocabulary (文库, 文档, 上传, 预览), but are different texts.
    const double s = similarity(guide(), ten_questions());
    std::printf("unrelated demo texts: %.3f\n", s);
    EXPECT_LT(s, 0.2);
}

TEST(NearDuplicate, ACopyWithANewTitleAndOneParagraphOfTenEditedKeepsNinetyPercent) {
    const std::string original = guide();
    // A re-upload: another title, and one of the text's ten prose paragraphs touched up (a
    // sentence reworded, a number changed).
    std::string copy = replaced(original, "# 文库使用指南", "# 文库系统操作手册（内部资料）");
    copy = replaced(copy, "每一页都会生成一张宽度为一千像素的 WebP 预览图",
                    "每一页都会被渲染成一张宽一千二百像素的 WebP 图片");
    const double s = similarity(original, copy);
    std::printf("new title + one paragraph edited: %.3f\n", s);
    EXPECT_GE(s, 0.9);
}

TEST(NearDuplicate, TooShortATextHasNoSignature) {
    // 49 significant characters; spaces, punctuation and line breaks do not count.
    const std::string short_text =
        "文库是一个让人们分享文档的网站。有人上传报告、论文、课件和表格，\n有人在线阅读、搜索与下载。"
        "一个好的文库应当省心";
    std::size_t significant = 0;
    for (const char32_t c : decode_utf8(short_text)) significant += is_cjk(c) ? 1 : 0;
    ASSERT_EQ(significant, min_significant_chars - 1);
    EXPECT_FALSE(sign_text(short_text));
    EXPECT_FALSE(sign_text(short_text + "。 ， \n"));
    EXPECT_TRUE(sign_text(short_text + "。好"));  // the 50th
    EXPECT_FALSE(sign_text(""));
}

TEST(NearDuplicate, PagesAreSignedAsOneText) {
    const std::string text = guide();
    const std::size_t cut = text.find("## 三");  // at a character boundary
    SignatureBuilder pages;
    pages.add(text.substr(0, cut));
    pages.add(text.substr(cut));
    EXPECT_EQ(pages.finish(), sign_text(text));
}

TEST(NearDuplicate, OnlyTheTextsFirstBytesAreRead) {
    std::string head;
    while (head.size() < max_signed_bytes) head += guide() + ten_questions();
    EXPECT_EQ(sign_text(head + "完全不同的结尾，一段又一段新的文字"), sign_text(head + "另一种结尾"));
}

TEST(NearDuplicate, SignaturesHaveTheirBandsAndRefuseTheWrongSize) {
    const auto s = sign_text(guide());
    ASSERT_TRUE(s);
    EXPECT_EQ(s->minhash.size(), minhash_size);
    EXPECT_EQ(s->band_hashes.size(), band_count);
    EXPECT_EQ(sign_text(guide())->band_hashes, s->band_hashes);  // deterministic
    TextSignature truncated = *s;
    truncated.minhash.pop_back();
    EXPECT_THROW(estimated_similarity(*s, truncated), UsageError);
}

TEST(NearDuplicate, SimilarityPercentRoundsDown) {
    EXPECT_EQ(similarity_percent(1.0), 100);
    EXPECT_EQ(similarity_percent(127.0 / 128), 99);
    EXPECT_EQ(similarity_percent(116.0 / 128), 90);
    EXPECT_EQ(similarity_percent(0.29), 29);
}

// Not a timed assertion: the figure docs/DECISIONS.md quotes, printed.
TEST(NearDuplicate, PrintsTheTimeToSignAHundredPageDocument) {
    // 100 pages of ~1,100 characters each, every page a different mix of the demo texts.
    const std::string base = guide() + ten_questions();
    const std::u32string chars = decode_utf8(base);
    std::vector<std::string> pages;
    for (std::size_t p = 0; p < 100; ++p) {
        const std::size_t from = (p * 97) % (chars.size() - 1100);
        pages.push_back(encode_utf8(chars.substr(from, 1100)) + std::to_string(p));
    }
    constexpr int runs = 10;
    const auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < runs; ++r) {
        SignatureBuilder builder;
        for (const auto& page : pages) builder.add(page);
        ASSERT_TRUE(builder.finish());
    }
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / runs;
    std::printf("signing a 100-page document (110,000 characters): %.1f ms\n", ms);
}

}  // namespace
}  // namespace wenku::search
