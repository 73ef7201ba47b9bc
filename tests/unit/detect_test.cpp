// Type detection reads the bytes, never the name.
#include "worker/detect.h"

#include <string>

#include <gtest/gtest.h>

namespace wenku::worker {

using namespace std::string_literals;

TEST(DetectType, PdfHeaderAtTheStartOrAfterBinaryJunk) {
    EXPECT_EQ(detect_type("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj"), DetectedType::pdf);
    EXPECT_EQ(detect_type("\xEF\xBB\xBF  %PDF-1.4\n"), DetectedType::pdf);
    EXPECT_EQ(detect_type("\x00\x01junk\xFF\xFE%PDF-1.5\nstream\x00\x9C"s), DetectedType::pdf);
}

TEST(DetectType, TextThatMentionsAPdfHeaderIsText) {
    EXPECT_EQ(detect_type("以“%PDF-”开头的是 PDF 文件\n"), DetectedType::text);
    EXPECT_EQ(detect_type("A PDF file starts with %PDF-1.7 on its first line.\n"), DetectedType::text);
}

TEST(DetectType, ContainersAndOtherFormats) {
    EXPECT_EQ(detect_type("PK\x03\x04\x14\x00"s), DetectedType::zip);
    EXPECT_EQ(detect_type("PK\x05\x06"s + std::string(18, '\0')), DetectedType::zip);
    EXPECT_EQ(detect_type("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"s + std::string(8, '\0')), DetectedType::ole);
    EXPECT_EQ(detect_type("{\\rtf1\\ansi hello}"), DetectedType::rtf);
    EXPECT_EQ(detect_type("\x09\x04\x06\x00\x00\x00\x10\x00"s), DetectedType::biff);
    EXPECT_EQ(detect_type(""), DetectedType::empty);
    EXPECT_EQ(detect_type("\x7F"
                          "ELF\x02\x01\x01\x00\x00"s),
              DetectedType::binary);
}

TEST(DetectType, Utf16TextIsNotBinaryDespiteItsZeroBytes) {
    EXPECT_EQ(detect_type("\xFF\xFEh\x00i\x00"s), DetectedType::text);
    EXPECT_EQ(detect_type("\xFE\xFF\x00h\x00i"s), DetectedType::text);
    EXPECT_EQ(detect_type("h\x00i\x00"s), DetectedType::binary);
}

TEST(DetectType, HtmlMarkupIsHtmlAndTextAboutHtmlIsText) {
    // An "Excel export": Office's HTML with an .xls name, in the encodings it comes in.
    EXPECT_EQ(detect_type("<html xmlns:o=\"urn:schemas-microsoft-com:office:office\">\n<head>"),
              DetectedType::html);
    EXPECT_EQ(detect_type("\xEF\xBB\xBF\r\n  <!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\">"),
              DetectedType::html);
    EXPECT_EQ(detect_type("<meta charset=\"gbk\">\n<TABLE border=1><tr><td>\xD6\xD0</td></tr></TABLE>"),
              DetectedType::html);
    // Text that mentions markup, and XML that is not HTML, stay text.
    EXPECT_EQ(detect_type("用 <table> 标签写表格，<html> 是根元素。\n"), DetectedType::text);
    EXPECT_EQ(detect_type("<?xml version=\"1.0\"?>\n<note><to>x</to></note>\n"), DetectedType::text);
    EXPECT_EQ(detect_type("<b>bold</b> is not a page\n"), DetectedType::text);
}

TEST(TextExtension, OnlyTextNames) {
    EXPECT_TRUE(has_text_extension("page-source.TXT"));
    EXPECT_TRUE(has_text_extension("说明.text"));
    EXPECT_FALSE(has_text_extension("export.xls"));
    EXPECT_FALSE(has_text_extension("txt"));
}

TEST(MarkdownExtension, OnlyMarkdownNames) {
    EXPECT_TRUE(has_markdown_extension("README.md"));
    EXPECT_TRUE(has_markdown_extension("说明.Markdown"));
    EXPECT_FALSE(has_markdown_extension("notes.txt"));
    EXPECT_FALSE(has_markdown_extension("md"));
}

}  // namespace wenku::worker
