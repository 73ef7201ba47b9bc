// Unit tests for UTF-32 and Big5 text: detection with and without a byte-order mark, telling Big5
// from GB18030/GBK, decoding, and the type detection that lets UTF-32 through as text. Fixtures
// are encoded from known Unicode text with glibc's iconv (encode_from_utf8).
#include "worker/text_encoding.h"

#include <string>

#include <gtest/gtest.h>

#include "core/utf8.h"
#include "worker/detect.h"

namespace {

using namespace wenku::worker;
using wenku::encode_from_utf8;

const std::string traditional_text =
    "說明書：這是一個關於圖書館的測試文件。\n讀者可以在線上預約座位，並查詢館藏目錄。\n"
    "春眠不覺曉，處處聞啼鳥。夜來風雨聲，花落知多少。\n";
const std::string simplified_text =
    "床前明月光，疑是地上霜。\n举头望明月，低头思故乡。\n"
    "文档在线预览项目解决方案，项目使用流行的框架搭建，易上手和部署。\n";
const std::string astral_char = "\xF0\xA0\xAE\x9F";  // U+20B9F, outside the BMP

std::string name_of(TextEncoding e) { return to_string(e); }

TEST(DetectTextEncoding, Utf32WithByteOrderMarks) {
    const std::string text = "UTF-32 文本 " + astral_char + "\n";
    const std::string le = encode_from_utf8("\uFEFF" + text, "UTF-32LE");
    const std::string be = encode_from_utf8("\uFEFF" + text, "UTF-32BE");
    ASSERT_EQ(le.substr(0, 4), std::string("\xFF\xFE\0\0", 4));
    ASSERT_EQ(be.substr(0, 4), std::string("\0\0\xFE\xFF", 4));
    EXPECT_EQ(name_of(detect_text_encoding(le)), "utf32le");
    EXPECT_EQ(name_of(detect_text_encoding(be)), "utf32be");
    EXPECT_EQ(decode_to_utf8(le, TextEncoding::utf32le), text);
    EXPECT_EQ(decode_to_utf8(be, TextEncoding::utf32be), text);
    EXPECT_TRUE(looks_like_text(le, TextEncoding::utf32le));
    EXPECT_TRUE(looks_like_text(be, TextEncoding::utf32be));
}

TEST(DetectTextEncoding, Utf32WithoutByteOrderMark) {
    const std::string text = simplified_text + "Plain words, too.\n";
    EXPECT_EQ(name_of(detect_text_encoding(encode_from_utf8(text, "UTF-32LE"))), "utf32le");
    EXPECT_EQ(name_of(detect_text_encoding(encode_from_utf8(text, "UTF-32BE"))), "utf32be");
    EXPECT_EQ(decode_to_utf8(encode_from_utf8(text, "UTF-32BE"), TextEncoding::utf32be), text);
    // UTF-16 without a mark, odd lengths, NUL characters and values above U+10FFFF are not UTF-32.
    EXPECT_NE(name_of(detect_text_encoding(encode_from_utf8("abcdefgh", "UTF-16LE"))), "utf32le");
    for (const std::string& bytes :
         {encode_from_utf8("abc", "UTF-32LE") + "x", std::string("a\0\0\0\0\0\0\0b\0\0\0", 12),
          std::string("a\0\0\0b\0\x11\0", 8)}) {
        const std::string detected = name_of(detect_text_encoding(bytes));
        EXPECT_NE(detected, "utf32le");
        EXPECT_NE(detected, "utf32be");
    }
}

TEST(DecodeToUtf8, Utf32InvalidUnitsAndCutOffEnd) {
    // A surrogate, a value above U+10FFFF, then "a" and two bytes of a cut-off unit.
    const std::string bytes("\x00\xD8\x00\x00\x00\x00\x11\x00\x61\x00\x00\x00\x62\x00", 14);
    EXPECT_EQ(decode_to_utf8(bytes, TextEncoding::utf32le), "\uFFFD\uFFFDa\uFFFD");
}

TEST(DetectTextEncoding, Big5IsNotTakenForGb18030) {
    const std::string big5 = encode_from_utf8(traditional_text, "BIG5");
    EXPECT_EQ(name_of(detect_text_encoding(big5)), "big5");
    EXPECT_EQ(decode_to_utf8(big5, TextEncoding::big5), traditional_text);
    // A short line, and Big5 among ASCII.
    EXPECT_EQ(name_of(detect_text_encoding(encode_from_utf8("中華民國的圖書館", "BIG5"))), "big5");
    const std::string mixed =
        encode_from_utf8("Release notes 版本說明: 修正了檔案上傳的問題。 Thanks!", "BIG5");
    EXPECT_EQ(name_of(detect_text_encoding(mixed)), "big5");
}

TEST(DetectTextEncoding, GbkAndGb18030AreNotTakenForBig5) {
    for (const char* charset : {"GB2312", "GBK", "GB18030"}) {
        SCOPED_TRACE(charset);
        const std::string gb = encode_from_utf8(simplified_text, charset);
        EXPECT_EQ(name_of(detect_text_encoding(gb)), "gb18030");
        EXPECT_EQ(decode_to_utf8(gb, TextEncoding::gb18030), simplified_text);
    }
}

TEST(DetectTextEncoding, Latin1IsNotTakenForBig5) {
    for (const char* text : {"À bout de souffle, Ägypten und Österreich.", "Grüße aus Köln, schöne Größe.",
                             "¿Dónde está la estación? ¡Allí!"}) {
        SCOPED_TRACE(text);
        EXPECT_EQ(name_of(detect_text_encoding(encode_from_utf8(text, "ISO-8859-1"))), "latin1");
    }
}

TEST(DetectType, Utf32TextIsNotBinary) {
    EXPECT_EQ(detect_type(encode_from_utf8("\uFEFF" + traditional_text, "UTF-32LE")), DetectedType::text);
    EXPECT_EQ(detect_type(encode_from_utf8("\uFEFF" + traditional_text, "UTF-32BE")), DetectedType::text);
    EXPECT_EQ(detect_type(encode_from_utf8(traditional_text, "UTF-32LE")), DetectedType::text);
    EXPECT_EQ(detect_type(std::string("\x7F"
                                      "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0",
                                      16)),
              DetectedType::binary);
}

}  // namespace
