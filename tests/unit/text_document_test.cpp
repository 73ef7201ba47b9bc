// Unit tests for plain-text and Markdown handling: encoding detection and decoding, the binary
// check, HTML generation (escaping, hostile Markdown) and titles.
#include "worker/text_document.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <random>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "core/utf8.h"
#include "support/test_support.h"
#include "worker/markdown.h"
#include "worker/text_encoding.h"

namespace {

using wenku::worker::TextEncoding;
using namespace wenku::worker;
using wenku::encode_from_utf8;

std::string bytes(std::initializer_list<int> values) {
    std::string s;
    for (int v : values) s += static_cast<char>(v);
    return s;
}

/// True when `s` is valid UTF-8 without controls other than '\n' and '\t' (decoding it again
/// changes nothing; the "x" keeps a leading U+FEFF from being taken for a byte-order mark).
bool is_clean_utf8(const std::string& s) { return decode_to_utf8("x" + s, TextEncoding::utf8) == "x" + s; }

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

long count_occurrences(const std::string& haystack, const std::string& needle) {
    long n = 0;
    for (std::size_t pos = haystack.find(needle); pos != std::string::npos;
         pos = haystack.find(needle, pos + 1))
        ++n;
    return n;
}

const std::string chinese_text =
    "床前明月光，疑是地上霜。\n举头望明月，低头思故乡。\n"
    "文档在线预览项目解决方案，项目使用流行的框架搭建，易上手和部署。";
const std::string surrogate_pair_char = "\xF0\xA0\xAE\x9F";  // U+20B9F, outside the BMP

// --- to_string ----------------------------------------------------------------------------------

TEST(TextEncodingName, AllValuesHaveStableNames) {
    EXPECT_STREQ(to_string(TextEncoding::utf8), "utf8");
    EXPECT_STREQ(to_string(TextEncoding::utf8_bom), "utf8_bom");
    EXPECT_STREQ(to_string(TextEncoding::utf16le_bom), "utf16le_bom");
    EXPECT_STREQ(to_string(TextEncoding::utf16be_bom), "utf16be_bom");
    EXPECT_STREQ(to_string(TextEncoding::gb18030), "gb18030");
    EXPECT_STREQ(to_string(TextEncoding::latin1), "latin1");
}

// --- detect_text_encoding -------------------------------------------------------------------

TEST(DetectTextEncoding, ByteOrderMarks) {
    EXPECT_EQ(detect_text_encoding("\xEF\xBB\xBFhello"), TextEncoding::utf8_bom);
    EXPECT_EQ(detect_text_encoding(bytes({0xFF, 0xFE, 'h', 0})), TextEncoding::utf16le_bom);
    EXPECT_EQ(detect_text_encoding(bytes({0xFE, 0xFF, 0, 'h'})), TextEncoding::utf16be_bom);
    EXPECT_EQ(detect_text_encoding("\xEF\xBB\xBF"), TextEncoding::utf8_bom);
}

TEST(DetectTextEncoding, EmptyAndAsciiAreUtf8) {
    EXPECT_EQ(detect_text_encoding(""), TextEncoding::utf8);
    EXPECT_EQ(detect_text_encoding("plain ASCII text\n"), TextEncoding::utf8);
}

TEST(DetectTextEncoding, ValidUtf8) {
    EXPECT_EQ(detect_text_encoding(chinese_text), TextEncoding::utf8);
    EXPECT_EQ(detect_text_encoding("caf\xC3\xA9 na\xC3\xAFve"), TextEncoding::utf8);
    EXPECT_EQ(detect_text_encoding("x" + surrogate_pair_char), TextEncoding::utf8);
}

TEST(DetectTextEncoding, Utf8CutOffAtTheEndIsStillUtf8) {
    EXPECT_EQ(detect_text_encoding(chinese_text + "\xE4\xB8"), TextEncoding::utf8);
}

TEST(DetectTextEncoding, MostlyValidUtf8IsUtf8) {
    std::string damaged = chinese_text + chinese_text;
    damaged[7] = '\xFF';
    EXPECT_EQ(detect_text_encoding(damaged), TextEncoding::utf8);
    // Cyrillic in UTF-8 pairs up like GB2312; one bad byte must not make it Chinese.
    std::string russian;
    for (int i = 0; i < 10; ++i)
        russian += "\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 \xD0\xBC\xD0\xB8\xD1\x80 ";
    russian += "\xFF";
    EXPECT_EQ(detect_text_encoding(russian), TextEncoding::utf8);
}

TEST(DetectTextEncoding, Gb18030FromIconv) {
    const std::string gb = encode_from_utf8(chinese_text, "GB18030");
    ASSERT_NE(gb, chinese_text);
    EXPECT_EQ(detect_text_encoding(gb), TextEncoding::gb18030);
    EXPECT_EQ(decode_to_utf8(gb, TextEncoding::gb18030), chinese_text);
}

TEST(DetectTextEncoding, Gb2312BytesHardCoded) {
    // "你好，世界。" in GB2312, checked against Python's and glibc's codecs.
    const std::string gb = bytes({0xC4, 0xE3, 0xBA, 0xC3, 0xA3, 0xAC, 0xCA, 0xC0, 0xBD, 0xE7, 0xA1, 0xA3});
    EXPECT_EQ(encode_from_utf8("你好，世界。", "GB18030"), gb);
    EXPECT_EQ(detect_text_encoding(gb), TextEncoding::gb18030);
    EXPECT_EQ(decode_to_utf8(gb, TextEncoding::gb18030), "你好，世界。");
}

TEST(DetectTextEncoding, GbkOnlyCharactersAmongGb2312Text) {
    // 喆 (86 B4) and 堃 (88 D2) exist in GBK but not in GB2312.
    const std::string utf8 = "张喆和李堃是同学，他们一起学习中文。";
    const std::string gbk = encode_from_utf8(utf8, "GBK");
    EXPECT_NE(gbk.find(bytes({0x86, 0xB4})), std::string::npos);
    EXPECT_NE(gbk.find(bytes({0x88, 0xD2})), std::string::npos);
    EXPECT_THROW(encode_from_utf8(utf8, "GB2312"), std::runtime_error);
    EXPECT_EQ(detect_text_encoding(gbk), TextEncoding::gb18030);
    EXPECT_EQ(decode_to_utf8(gbk, TextEncoding::gb18030), utf8);
}

TEST(DetectTextEncoding, Gb18030FourByteSequence) {
    const std::string utf8 = "古文字" + surrogate_pair_char + "在这里。";
    const std::string gb = encode_from_utf8(utf8, "GB18030");
    EXPECT_NE(gb.find(bytes({0x95, 0x34, 0xB0, 0x31})), std::string::npos);
    EXPECT_EQ(detect_text_encoding(gb), TextEncoding::gb18030);
    EXPECT_EQ(decode_to_utf8(gb, TextEncoding::gb18030), utf8);
}

TEST(DetectTextEncoding, Latin1AccentsAreNotChinese) {
    const std::string cafe = encode_from_utf8("café naïve", "ISO-8859-1");
    EXPECT_EQ(cafe, bytes({'c', 'a', 'f', 0xE9, ' ', 'n', 'a', 0xEF, 'v', 'e'}));
    EXPECT_EQ(detect_text_encoding(cafe), TextEncoding::latin1);
    EXPECT_EQ(decode_to_utf8(cafe, TextEncoding::latin1), "café naïve");

    // Every accented letter here is followed by a letter: structurally valid GBK, but not GB2312.
    const std::string french = encode_from_utf8("Réalisation Scénario idéal Français élève", "ISO-8859-1");
    EXPECT_EQ(detect_text_encoding(french), TextEncoding::latin1);
    // Ends in 0xE9, which also starts a 3-byte UTF-8 sequence.
    EXPECT_EQ(detect_text_encoding(encode_from_utf8("café", "ISO-8859-1")), TextEncoding::latin1);
    const std::string german = encode_from_utf8("Grüße aus Köln, schöne Größe, Übermaß.\n", "ISO-8859-1");
    EXPECT_EQ(detect_text_encoding(german), TextEncoding::latin1);
}

TEST(DetectTextEncoding, Windows1252Punctuation) {
    const std::string text =
        bytes({0x93, 'H', 'i', 0x94, ' ', 0x96, ' ', 'c', 'o', 's', 't', 's', ' ', 0x80, '5'});
    EXPECT_EQ(detect_text_encoding(text), TextEncoding::latin1);
    EXPECT_EQ(decode_to_utf8(text, TextEncoding::latin1), "\u201CHi\u201D \u2013 costs \u20AC5");
}

TEST(DetectTextEncoding, InvalidUtf8WithoutChineseIsLatin1) {
    EXPECT_EQ(detect_text_encoding("abc \xC3\x28 def"), TextEncoding::latin1);
    EXPECT_EQ(detect_text_encoding("overlong \xE0\x80\xAF"), TextEncoding::latin1);
    EXPECT_EQ(detect_text_encoding("surrogate \xED\xA0\x80 x"), TextEncoding::latin1);
}

// --- decode_to_utf8 -----------------------------------------------------------------------------

TEST(DecodeToUtf8, Utf8BomIsStripped) {
    EXPECT_EQ(decode_to_utf8("\xEF\xBB\xBF" + chinese_text, TextEncoding::utf8_bom), chinese_text);
    EXPECT_EQ(decode_to_utf8("\xEF\xBB\xBF"
                             "abc",
                             TextEncoding::utf8),
              "abc");
    // Only a leading BOM is a BOM.
    EXPECT_EQ(decode_to_utf8("a\xEF\xBB\xBF", TextEncoding::utf8), "a\xEF\xBB\xBF");
}

TEST(DecodeToUtf8, InvalidUtf8BecomesReplacementCharacters) {
    EXPECT_EQ(decode_to_utf8("a\xC3\x28z", TextEncoding::utf8), "a\uFFFD(z");
    EXPECT_EQ(decode_to_utf8("\xC0\xAF", TextEncoding::utf8), "\uFFFD\uFFFD");            // overlong '/'
    EXPECT_EQ(decode_to_utf8("\xE0\x80\xAF", TextEncoding::utf8), "\uFFFD\uFFFD\uFFFD");  // overlong
    EXPECT_EQ(decode_to_utf8("\xED\xA0\x80", TextEncoding::utf8), "\uFFFD\uFFFD\uFFFD");  // surrogate
    EXPECT_EQ(decode_to_utf8("\xF4\x90\x80\x80", TextEncoding::utf8), "\uFFFD\uFFFD\uFFFD\uFFFD");
    EXPECT_EQ(decode_to_utf8("\xF5\xFF", TextEncoding::utf8), "\uFFFD\uFFFD");
    EXPECT_EQ(decode_to_utf8("\xE4\xB8", TextEncoding::utf8), "\uFFFD");  // cut off
    EXPECT_EQ(decode_to_utf8("x" + surrogate_pair_char, TextEncoding::utf8), "x" + surrogate_pair_char);
}

TEST(DecodeToUtf8, Utf16WithSurrogatePair) {
    const std::string text = "Aé中" + surrogate_pair_char + "\n";
    const std::string le = "\xFF\xFE" + encode_from_utf8(text, "UTF-16LE");
    const std::string be = "\xFE\xFF" + encode_from_utf8(text, "UTF-16BE");
    EXPECT_NE(le.find(bytes({0x42, 0xD8, 0x9F, 0xDF})), std::string::npos);
    EXPECT_NE(be.find(bytes({0xD8, 0x42, 0xDF, 0x9F})), std::string::npos);
    EXPECT_EQ(detect_text_encoding(le), TextEncoding::utf16le_bom);
    EXPECT_EQ(detect_text_encoding(be), TextEncoding::utf16be_bom);
    EXPECT_EQ(decode_to_utf8(le, TextEncoding::utf16le_bom), text);
    EXPECT_EQ(decode_to_utf8(be, TextEncoding::utf16be_bom), text);
}

TEST(DecodeToUtf8, Utf16LoneSurrogatesAndOddBytes) {
    // High surrogate followed by 'A', a lone low surrogate, then an odd trailing byte.
    const std::string le = bytes({0xFF, 0xFE, 0x00, 0xD8, 'A', 0x00, 0x00, 0xDC, 'B', 0x00, 'C'});
    EXPECT_EQ(decode_to_utf8(le, TextEncoding::utf16le_bom), "\uFFFDA\uFFFDB\uFFFD");
    // High surrogate at the very end.
    EXPECT_EQ(decode_to_utf8(bytes({0xFE, 0xFF, 0x00, 'x', 0xD8, 0x00}), TextEncoding::utf16be_bom),
              "x\uFFFD");
}

TEST(DecodeToUtf8, Gb18030InvalidSequences) {
    const std::string zhong = bytes({0xD6, 0xD0});
    const std::string wen = bytes({0xCE, 0xC4});
    EXPECT_EQ(decode_to_utf8(zhong + "\x80" + wen, TextEncoding::gb18030), "中\uFFFD文");
    EXPECT_EQ(decode_to_utf8(zhong + "\xFF" + wen, TextEncoding::gb18030), "中\uFFFD文");
    EXPECT_EQ(decode_to_utf8(zhong + "\xD6 x", TextEncoding::gb18030), "中\uFFFD x");
    EXPECT_EQ(decode_to_utf8(zhong + "\xD6", TextEncoding::gb18030), "中\uFFFD");
    EXPECT_EQ(decode_to_utf8(zhong + "\x81\x30", TextEncoding::gb18030), "中\uFFFD");
    EXPECT_EQ(decode_to_utf8("", TextEncoding::gb18030), "");
}

TEST(DecodeToUtf8, PrepareLoadsTheGb18030Converter) {
    EXPECT_NO_THROW(prepare_text_decoding());
    EXPECT_EQ(decode_to_utf8(bytes({0xD6, 0xD0}), TextEncoding::gb18030), "中");
}

TEST(DecodeToUtf8, LargeGb18030Input) {
    std::string utf8;
    for (int i = 0; i < 5000; ++i) utf8 += chinese_text;
    const std::string gb = encode_from_utf8(utf8, "GB18030");
    EXPECT_EQ(detect_text_encoding(gb), TextEncoding::gb18030);
    EXPECT_EQ(decode_to_utf8(gb, TextEncoding::gb18030), utf8);
}

TEST(DecodeToUtf8, LineEndsAreNormalised) {
    EXPECT_EQ(decode_to_utf8("a\r\nb\rc\n\rd\r\n", TextEncoding::utf8), "a\nb\nc\n\nd\n");
    EXPECT_EQ(decode_to_utf8("a\r\n\r\nb", TextEncoding::latin1), "a\n\nb");
    const std::string le = "\xFF\xFE" + encode_from_utf8("x\r\ny", "UTF-16LE");
    EXPECT_EQ(decode_to_utf8(le, TextEncoding::utf16le_bom), "x\ny");
    const std::string gb = encode_from_utf8("中\r\n文\r", "GB18030");
    EXPECT_EQ(decode_to_utf8(gb, TextEncoding::gb18030), "中\n文\n");
}

TEST(DecodeToUtf8, ControlCharactersAreDropped) {
    EXPECT_EQ(decode_to_utf8(std::string("a\0b\x01"
                                         "c\td\x1B[0m\x7F\x0C",
                                         12),
                             TextEncoding::utf8),
              "abc\td[0m");
    EXPECT_EQ(decode_to_utf8(bytes({0xFF, 0xFE, 'a', 0, 0, 0, 'b', 0}), TextEncoding::utf16le_bom), "ab");
}

TEST(DecodeToUtf8, Windows1252UndefinedBytes) {
    EXPECT_EQ(decode_to_utf8(bytes({0x81, 0x8D, 0x8F, 0x90, 0x9D}), TextEncoding::latin1),
              "\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD");
    EXPECT_EQ(decode_to_utf8(bytes({0xA0, 0xFF}), TextEncoding::latin1), "\u00A0\u00FF");
}

TEST(DecodeToUtf8, ArbitraryBytesAlwaysGiveCleanUtf8) {
    std::mt19937 rng(12345);
    for (int round = 0; round < 300; ++round) {
        std::string input(static_cast<std::size_t>(rng() % 600), '\0');
        for (auto& c : input) c = static_cast<char>(rng());
        for (TextEncoding e : {TextEncoding::utf8, TextEncoding::utf8_bom, TextEncoding::utf16le_bom,
                               TextEncoding::utf16be_bom, TextEncoding::gb18030, TextEncoding::latin1}) {
            const std::string out = decode_to_utf8(input, e);
            ASSERT_TRUE(is_clean_utf8(out)) << to_string(e) << " round " << round;
            ASSERT_LE(out.size(), input.size() * 3 + 3);
        }
        const TextEncoding detected = detect_text_encoding(input);
        EXPECT_TRUE(is_clean_utf8(decode_to_utf8(input, detected)));
        (void)looks_like_text(input, detected);
    }
}

// --- looks_like_text ----------------------------------------------------------------------------

TEST(LooksLikeText, OrdinaryText) {
    EXPECT_TRUE(looks_like_text(""));
    EXPECT_TRUE(looks_like_text("hello\tworld\r\nline two\f\n"));
    EXPECT_TRUE(looks_like_text(chinese_text));
    EXPECT_TRUE(looks_like_text(encode_from_utf8(chinese_text, "GB18030"), TextEncoding::gb18030));
    // UTF-16 is full of NUL bytes, but not of NUL characters.
    const std::string le = "\xFF\xFE" + encode_from_utf8("plain text", "UTF-16LE");
    EXPECT_TRUE(looks_like_text(le, TextEncoding::utf16le_bom));
}

TEST(LooksLikeText, NulCharacterMeansBinary) {
    EXPECT_FALSE(looks_like_text(std::string("abc\0def", 7)));
    EXPECT_FALSE(looks_like_text(std::string("abc\0def", 7), TextEncoding::latin1));
}

TEST(LooksLikeText, ControlCharacterThreshold) {
    std::string few(1000, 'a');
    for (int i = 0; i < 40; ++i) few[static_cast<std::size_t>(i) * 25] = '\x01';  // 4%
    EXPECT_TRUE(looks_like_text(few));
    std::string many(1000, 'a');
    for (int i = 0; i < 100; ++i) many[static_cast<std::size_t>(i) * 10] = '\x02';  // 10%
    EXPECT_FALSE(looks_like_text(many));
    EXPECT_FALSE(looks_like_text(many, TextEncoding::latin1));
}

TEST(LooksLikeText, RandomBytesWithoutNulAreBinary) {
    std::mt19937 rng(7);
    std::string data(8192, '\0');
    for (auto& c : data) c = static_cast<char>(1 + rng() % 255);
    EXPECT_FALSE(looks_like_text(data, detect_text_encoding(data)));
    EXPECT_FALSE(looks_like_text(data, TextEncoding::utf8));
    EXPECT_FALSE(looks_like_text(data, TextEncoding::latin1));
}

TEST(LooksLikeText, ManyReplacementCharactersMeanBinary) {
    std::string text = "text ";
    for (int i = 0; i < 20; ++i) text += "\xFF\xFE\xFD ";
    EXPECT_FALSE(looks_like_text(text));
    EXPECT_FALSE(looks_like_text(decode_to_utf8(text, TextEncoding::utf8)));
}

TEST(LooksLikeText, OnlyTheFirst64KiBCount) {
    std::string text(70 * 1024, 'a');
    text.replace(66 * 1024, 1, std::string(1, '\0'));
    EXPECT_TRUE(looks_like_text(text));
}

// --- text_to_html -------------------------------------------------------------------------------

TEST(TextToHtml, CompleteDocumentWithPageCss) {
    const std::string html = text_to_html("你好");
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(html.find("<html lang=\"zh-CN\">"), std::string::npos);
    EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
    EXPECT_NE(html.find("<body lang=\"zh-CN\">"), std::string::npos);
    EXPECT_NE(html.find("@page { margin: 2cm; }"), std::string::npos);
    EXPECT_NE(html.find("font-size: 11pt"), std::string::npos);
    EXPECT_NE(html.find("line-height: 1.6"), std::string::npos);
    EXPECT_NE(html.find("<p>\u2060你好</p>"), std::string::npos);
    EXPECT_NE(html.find("</body>\n</html>"), std::string::npos);
}

TEST(TextToHtml, EscapesSpecialCharacters) {
    const std::string html = text_to_html("<script>alert('x') & \"q\"</script>");
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;q&quot;&lt;/script&gt;"),
              std::string::npos);
}

TEST(TextToHtml, ParagraphsAndLineBreaks) {
    const std::string html =
        text_to_html("床前明月光，\n疑是地上霜。\n\n\n\n举头望明月，\r\n低头思故乡。\r\n");
    EXPECT_NE(html.find("<p>\u2060床前明月光，<br/>\u2060疑是地上霜。</p>\n<p>\u2060举头望明月，<br/"
                        ">\u2060低头思故乡。</p>\n"),
              std::string::npos);
    EXPECT_EQ(count_occurrences(html, "<p>"), 2);
    // Whitespace-only lines (including ideographic spaces) separate paragraphs too.
    EXPECT_EQ(count_occurrences(text_to_html("a\n \t\u3000\nb"), "<p>"), 2);
    EXPECT_EQ(count_occurrences(text_to_html("\n\n  \n"), "<p>"), 0);
}

TEST(TextToHtml, IndentationAndTabsKept) {
    const std::string html = text_to_html("int main() {\n    return 0;\n\tx;\nab\tc\n}");
    EXPECT_NE(html.find("white-space: pre-wrap"), std::string::npos);
    EXPECT_NE(html.find("<br/>\u2060    return 0;<br/>\u2060    x;<br/>\u2060ab  c<br/>\u2060}"),
              std::string::npos);
    EXPECT_NE(text_to_html("\u3000\u3000首行缩进").find("<p>\u2060\u3000\u3000首行缩进</p>"),
              std::string::npos);
}

TEST(TextToHtml, LongWordsGetBreakOpportunities) {
    const std::string html = text_to_html(std::string(100, 'a'));
    EXPECT_EQ(count_occurrences(html, "\u200B"), 3);
    // CJK text breaks anywhere already; short words need nothing.
    EXPECT_EQ(count_occurrences(text_to_html(chinese_text + chinese_text + chinese_text), "\u200B"), 0);
    EXPECT_EQ(count_occurrences(text_to_html("short words only here"), "\u200B"), 0);
}

TEST(TextToHtml, InvalidUtf8AndControls) {
    const std::string html = text_to_html(
        "a\xFF\x01"
        "b");
    EXPECT_NE(html.find("<p>\u2060a\uFFFDb</p>"), std::string::npos);
    EXPECT_TRUE(is_clean_utf8(html));
}

// --- markdown_to_html -----------------------------------------------------------------------------

TEST(MarkdownToHtml, RendersCommonMarkAndGithubExtensions) {
    const std::string html = markdown_to_html(
        "# 标题\n\n段落 **粗体** *斜体* ~~删除~~ `code`\n\n| 列 | B |\n|---|---|\n| 1 | 二 |\n\n"
        "```cpp\nint x = 1;\n```\n\n- [x] done\n- [ ] todo\n\n> quote\n");
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(html.find("<h1>标题</h1>"), std::string::npos);
    EXPECT_NE(html.find("<strong>粗体</strong>"), std::string::npos);
    EXPECT_NE(html.find("<del>删除</del>"), std::string::npos);
    EXPECT_NE(html.find("<th>列</th>"), std::string::npos);
    EXPECT_NE(html.find("<td>二</td>"), std::string::npos);
    EXPECT_NE(html.find("<pre><code class=\"language-cpp\">\u2060int x = 1;"), std::string::npos);
    EXPECT_NE(html.find("[x] done"), std::string::npos);
    EXPECT_NE(html.find("[ ] todo"), std::string::npos);
    EXPECT_EQ(html.find("<input"), std::string::npos);
    EXPECT_NE(html.find("<blockquote>"), std::string::npos);
    EXPECT_NE(html.find("font-family: monospace"), std::string::npos);
    EXPECT_NE(html.find("tr { border-bottom:"), std::string::npos);
    EXPECT_TRUE(is_clean_utf8(html));
}

TEST(MarkdownToHtml, RawHtmlIsEscaped) {
    const std::string html = markdown_to_html(
        "<script>alert(1)</script>\n\nText <img src=x onerror=alert(1)> and <b onclick=\"x()\">b</b>\n\n"
        "<iframe src=\"http://127.0.0.1/\"></iframe>\n");
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_EQ(html.find("<img"), std::string::npos);
    EXPECT_EQ(html.find("<iframe"), std::string::npos);
    EXPECT_EQ(html.find("<b "), std::string::npos);
    EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
    EXPECT_NE(html.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
}

TEST(MarkdownToHtml, ImagesBecomeAltTextAndAreNeverLoaded) {
    const std::string html = markdown_to_html(
        "![secret](/etc/passwd) ![local](http://127.0.0.1/) ![](file:///etc/shadow)\n\n"
        "[![badge](https://img.example/b.svg)](https://example.com)\n\n"
        "![ref][r]\n\n[r]: ../../etc/hosts\n");
    EXPECT_EQ(html.find("<img"), std::string::npos);
    EXPECT_EQ(html.find("/etc/"), std::string::npos);
    EXPECT_EQ(html.find("127.0.0.1"), std::string::npos);
    EXPECT_EQ(html.find("img.example"), std::string::npos);
    EXPECT_NE(html.find("<span class=\"image\">secret</span>"), std::string::npos);
    EXPECT_NE(html.find("<span class=\"image\">local</span>"), std::string::npos);
    EXPECT_NE(html.find("<a href=\"https://example.com\"><span class=\"image\">badge</span></a>"),
              std::string::npos);
    EXPECT_NE(html.find("<span class=\"image\">ref</span>"), std::string::npos);
    EXPECT_NE(markdown_to_html("![输入图片说明](https://x.example/a.png \"屏幕截图.png\")")
                  .find("<span class=\"image\">输入图片说明 — 屏幕截图.png</span>"),
              std::string::npos);
}

TEST(MarkdownToHtml, UnsafeLinkTargetsAreDropped) {
    const std::string html = markdown_to_html(
        "[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](data:text/html,x) [d](file:///etc/passwd) "
        "[e](relative/path) [f](https://example.com/?q=1&r=2) [g](mailto:a@example.com) [h](#top) "
        "<javascript:alert(2)> www.example.org");
    const std::string low = lower(html);
    EXPECT_EQ(low.find("href=\"javascript"), std::string::npos);
    EXPECT_EQ(low.find("href=\"data:"), std::string::npos);
    EXPECT_EQ(low.find("href=\"file:"), std::string::npos);
    EXPECT_EQ(low.find("href=\"relative"), std::string::npos);
    EXPECT_NE(html.find("<a>a</a>"), std::string::npos);
    EXPECT_NE(html.find("<a href=\"https://example.com/?q=1&amp;r=2\">f</a>"), std::string::npos);
    EXPECT_NE(html.find("<a href=\"mailto:a@example.com\">g</a>"), std::string::npos);
    EXPECT_NE(html.find("<a href=\"#top\">h</a>"), std::string::npos);
    EXPECT_NE(html.find("<a href=\"http://www.example.org\">"), std::string::npos);
}

TEST(MarkdownToHtml, FrontMatterIsLeftOut) {
    const std::string html = markdown_to_html("---\ntitle: Secret\nlayout: post\n---\n# Body\n");
    EXPECT_EQ(html.find("layout"), std::string::npos);
    EXPECT_NE(html.find("<h1>Body</h1>"), std::string::npos);
    // Unterminated: an ordinary thematic break.
    EXPECT_NE(markdown_to_html("---\nnot front matter\n").find("not front matter"), std::string::npos);
}

TEST(MarkdownToHtml, DeepNestingIsFlattened) {
    const std::string html = markdown_to_html(std::string(5000, '>') + " deep");
    EXPECT_NE(html.find("deep"), std::string::npos);
    EXPECT_LE(count_occurrences(html, "<blockquote>"), 32);
    EXPECT_EQ(count_occurrences(html, "<blockquote>"), count_occurrences(html, "</blockquote>"));
    std::string lists;
    for (int i = 0; i < 300; ++i) lists += std::string(static_cast<std::size_t>(i) * 2, ' ') + "- item\n";
    const std::string list_html = markdown_to_html(lists);
    EXPECT_EQ(count_occurrences(list_html, "<ul>"), count_occurrences(list_html, "</ul>"));
    EXPECT_EQ(count_occurrences(list_html, "<li>"), count_occurrences(list_html, "</li>"));
}

TEST(MarkdownToHtml, LongCodeLinesGetBreakOpportunities) {
    const std::string html = markdown_to_html("```\n" + std::string(70, 'x') + "&&" + "\n```\n");
    EXPECT_EQ(count_occurrences(html, "\u200B"), 2);
    EXPECT_NE(html.find("&amp;&amp;"), std::string::npos);
}

TEST(MarkdownToHtml, PathologicalInputsFinishQuickly) {
    const auto start = std::chrono::steady_clock::now();
    for (const std::string& piece :
         {std::string("["), std::string("*a"), std::string("_"), std::string("[a]("), std::string("<"),
          std::string("`"), std::string("|"), std::string("![")}) {
        std::string input;
        for (int i = 0; i < 20000; ++i) input += piece;
        const std::string html = markdown_to_html(input);
        EXPECT_TRUE(is_clean_utf8(html));
        EXPECT_EQ(html.find("<img"), std::string::npos);
        (void)markdown_title(input);
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

TEST(MarkdownToHtml, ArbitraryBytesNeverYieldActiveContent) {
    std::mt19937 rng(99);
    const std::string alphabet = "<>[]()!*_`#-|:/\\\"' \n&;ajsvcript=img";
    for (int round = 0; round < 300; ++round) {
        std::string input(static_cast<std::size_t>(rng() % 300), ' ');
        for (auto& c : input) c = alphabet[rng() % alphabet.size()];
        const std::string html = markdown_to_html(input);
        ASSERT_TRUE(is_clean_utf8(html));
        ASSERT_EQ(html.find("<img"), std::string::npos) << input;
        ASSERT_EQ(html.find("<script"), std::string::npos) << input;
        ASSERT_EQ(lower(html).find("href=\"javascript"), std::string::npos) << input;
    }
}

// --- markdown_title -----------------------------------------------------------------------------

TEST(MarkdownTitle, AtxHeadings) {
    EXPECT_EQ(markdown_title("# Title\ntext"), "Title");
    EXPECT_EQ(markdown_title("intro\n\n## Second level ##\n"), "Second level");
    EXPECT_EQ(markdown_title("#   spaced   out   #####   \n"), "spaced out");
    EXPECT_EQ(markdown_title("# 维护公告\n尊敬的用户"), "维护公告");
}

TEST(MarkdownTitle, InlineMarkupIsStripped) {
    EXPECT_EQ(markdown_title("# **Bold** and `code` and [link](http://x.example) ~~old~~ _em_\n"),
              "Bold and code and link old em");
    EXPECT_EQ(markdown_title("# A &amp; B &#20013;&#x6587; \\# not\n"), "A & B 中文 # not");
    EXPECT_EQ(markdown_title("# ![logo](logo.png) Name\n"), "Name");
    EXPECT_EQ(markdown_title("# <img src=\"logo.png\"> Project\n"), "Project");
}

TEST(MarkdownTitle, SetextHeadings) {
    EXPECT_EQ(markdown_title("\n\nEasyExcel\n======================\n[![x](y)](z)\n# Later"), "EasyExcel");
    EXPECT_EQ(markdown_title("Sub title\n---\n"), "Sub title");
}

TEST(MarkdownTitle, SkipsFrontMatterAndCode) {
    EXPECT_EQ(markdown_title("---\ntitle: Front\n---\n# Real\n"), "Real");
    EXPECT_EQ(markdown_title("```\n# not a heading\n```\n# Yes\n"), "Yes");
    EXPECT_EQ(markdown_title("~~~bash\n# comment\n~~~\nYes too\n===\n"), "Yes too");
    EXPECT_EQ(markdown_title("    # indented code\n\n# Heading\n"), "Heading");
    EXPECT_EQ(markdown_title("#\n\n#   \n\n# Third\n"), "Third");
}

TEST(MarkdownTitle, NoHeadingGivesEmpty) {
    EXPECT_EQ(markdown_title(""), "");
    EXPECT_EQ(markdown_title("just text\n\nmore text"), "");
    EXPECT_EQ(markdown_title("#hashtag is not a heading"), "");
    EXPECT_EQ(markdown_title("```\n# open fence never closed\n"), "");
}

TEST(MarkdownTitle, LongHeadingIsCut) {
    std::string heading = "# ";
    for (int i = 0; i < 200; ++i) heading += "标";
    const std::string title = markdown_title(heading);
    EXPECT_EQ(wenku::test::count_non_space(title), 80);
    EXPECT_TRUE(is_clean_utf8(title));
}

// --- first_line_title ---------------------------------------------------------------------------

TEST(FirstLineTitle, FirstNonBlankLineTrimmed) {
    EXPECT_EQ(first_line_title("\n\n   Hello world \t \nsecond"), "Hello world");
    EXPECT_EQ(first_line_title("\u3000\u3000静夜思\u3000\n床前明月光"), "静夜思");
    EXPECT_EQ(first_line_title("Title\r\nbody"), "Title");
    EXPECT_EQ(first_line_title("Title\rbody"), "Title");
    EXPECT_EQ(first_line_title("a\tb"), "a b");
    EXPECT_EQ(first_line_title(""), "");
    EXPECT_EQ(first_line_title(" \n\t\n\u3000\n"), "");
}

TEST(FirstLineTitle, CutAt80CodePointsOnACharacterBoundary) {
    std::string line;
    for (int i = 0; i < 100; ++i) line += "字";
    const std::string title = first_line_title(line + "\nnext");
    EXPECT_TRUE(is_clean_utf8(title));
    EXPECT_EQ(wenku::test::count_cjk(title), 80);
    EXPECT_EQ(title.size(), 80u * 3);
    const std::string mixed = first_line_title(std::string(79, 'a') + surrogate_pair_char + "b");
    EXPECT_EQ(mixed, std::string(79, 'a') + surrogate_pair_char);
}

TEST(FirstLineTitle, InvalidUtf8AndControls) {
    EXPECT_EQ(first_line_title("\x01\x02 ab\xFF"
                               "c\x1B"),
              "ab\uFFFDc");
}

}  // namespace
