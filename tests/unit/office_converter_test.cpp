// office_to_pdf() through the real LibreOfficeKit, with fixtures written here as Flat ODF
// (support/office_fixtures.h): pages and text of documents, spreadsheets and presentations, the
// fonts Chinese text is drawn with, and damaged or unsupported input. Links, macros and their
// controls are in office_security_test.cpp.
#include "worker/office_converter.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/conversion.h"
#include "core/errors.h"
#include "support/test_support.h"
#include "support/worker/office_fixtures.h"
#include "support/worker/zip_builder.h"
#include "worker/converter.h"
#include "worker/office_fonts.h"

namespace wenku::worker {
namespace {

namespace fs = std::filesystem;
using namespace wenku::test;

TEST(OfficeConverterTest, ChineseTextSpreadsheetAndPresentationKeepPagesAndText) {
    test::TempDir dir;
    const std::string text_doc = fodt(
        "<text:p>第一章 总则。本报告介绍文库系统的设计与实现。</text:p>"
        "<text:p text:style-name=\"Break\">第二章 附则。以上内容自发布之日起施行。</text:p>");
    const std::string sheet_doc = flat_odf("spreadsheet", "",
                                           "<office:spreadsheet>"
                                           "<table:table table:name=\"收入\"><table:table-row>" +
                                               string_cell("北京分公司收入") + number_cell(1200) +
                                               "</table:table-row></table:table>"
                                               "<table:table table:name=\"支出\"><table:table-row>" +
                                               string_cell("上海分公司支出") + number_cell(800) +
                                               "</table:table-row></table:table></office:spreadsheet>");
    const std::string slides_doc =
        flat_odf("presentation", "",
                 "<office:presentation>" + slide("第一页", "第一张幻灯片：季度总结") +
                     slide("第二页", "第二张幻灯片：明年计划") + slide("第三页", "第三张幻灯片：谢谢") +
                     "</office:presentation>");

    struct Case {
        std::string name, format, bytes;
        int pages;
        std::vector<std::string> phrases;
    };
    const std::vector<Case> cases = {
        {"报告.fodt", "fodt", text_doc, 2, {"本报告介绍文库系统的设计与实现", "以上内容自发布之日起施行"}},
        {"预算.fods", "fods", sheet_doc, 2, {"北京分公司收入", "1200", "上海分公司支出", "800"}},
        {"汇报.fodp", "fodp", slides_doc, 3, {"季度总结", "明年计划", "谢谢"}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        const Converted converted = convert_fixture(dir.path(), c.name, c.format, c.bytes);
        EXPECT_EQ(test::read_file(converted.pdf).substr(0, 5), "%PDF-");
        ASSERT_EQ(static_cast<int>(converted.result.pages.size()), c.pages);
        const std::string text = test::all_page_text(converted.result);
        for (const auto& phrase : c.phrases)
            EXPECT_NE(text.find(phrase), std::string::npos) << phrase << " in " << text;
        if (have_tool("pdffonts")) {
            // Every font is embedded (a subset), so the PDF reads the same anywhere.
            const auto listing = test::run_command({"pdffonts", converted.pdf.string()});
            std::istringstream lines(listing.out);
            std::string line;
            int row = 0;
            while (std::getline(lines, line)) {
                if (row++ < 2 || line.size() < 60) continue;
                EXPECT_NE(line.find(" yes yes "), std::string::npos) << "not embedded as a subset: " << line;
            }
        }
    }
    // Warm conversions (LibreOffice started by the first one) stay well under a second.
    const Converted again = convert_fixture(dir.path(), "报告-again.fodt", "fodt", text_doc);
    EXPECT_LT(again.convert_ms, 3000.0);
}

TEST(OfficeConverterTest, FileNameFieldsShowTheUploadersFileName) {
    test::TempDir dir;
    const std::string name = "二〇二四 年度 报告 #1.fodt";  // spaces, '#', Chinese: all escaped in the URL
    const Converted converted =
        convert_fixture(dir.path(), name, "fodt",
                        fodt("<text:p>文件名：<text:file-name "
                             "text:display=\"name-and-extension\">x</text:file-name></text:p>"));
    // The text extractor drops spaces between Han characters: compare without whitespace.
    EXPECT_NE(without_spaces(test::all_page_text(converted.result)).find(without_spaces(name)),
              std::string::npos)
        << test::all_page_text(converted.result);
}

TEST(OfficeConverterTest, UntaggedChineseIsDrawnWithSimplifiedGlyphShapes) {
    // 骨 直 角 今 have different Simplified Chinese and Japanese glyph shapes in Noto CJK. The
    // font name in the PDF cannot tell them apart (every Noto CJK face embeds as
    // "NotoSerifCJKjp-...": the faces share one CFF), so the pages are compared as pictures.
    // What decides the shape is the language LibreOffice shapes the text with (the OpenType
    // 'locl' feature) and the face fontconfig offers for it: text without a language gets zh-CN
    // (the profile's DefaultLocale_CJK, which is also LibreOffice's own fallback under a non-CJK
    // locale); the fontconfig rules (tested below) cover font lookups that carry no language.
    test::TempDir dir;
    const auto big_text = [](const std::string& language_attributes) {
        return fodt(
            "<text:p>骨直角今</text:p>",
            "<style:default-style style:family=\"paragraph\"><style:text-properties fo:font-size=\"60pt\" "
            "style:font-size-asian=\"60pt\" " +
                language_attributes + "/></style:default-style>");
    };
    const Converted untagged = convert_fixture(dir.path(), "untagged.fodt", "fodt", big_text(""));
    const Converted chinese = convert_fixture(
        dir.path(), "zh-cn.fodt", "fodt", big_text("style:language-asian=\"zh\" style:country-asian=\"CN\""));
    const Converted japanese = convert_fixture(
        dir.path(), "ja-jp.fodt", "fodt", big_text("style:language-asian=\"ja\" style:country-asian=\"JP\""));
    const auto first_page = [](const Converted& c) {
        return c.result.pages.empty() ? Image{} : decode_webp(c.render_dir / c.result.pages.front().preview);
    };
    const Image untagged_page = first_page(untagged);
    const Image chinese_page = first_page(chinese);
    const Image japanese_page = first_page(japanese);
    ASSERT_FALSE(untagged_page.rgba.empty());
    const double vs_chinese = differing_share(untagged_page, chinese_page);
    const double vs_japanese = differing_share(untagged_page, japanese_page);
    std::printf("[office] untagged page differs from zh-CN in %.4f%%, from ja-JP in %.4f%% of pixels\n",
                vs_chinese * 100, vs_japanese * 100);
    EXPECT_LT(vs_chinese, 0.0001) << "untagged Han is not drawn like Simplified Chinese";
    EXPECT_GT(vs_japanese, 0.002)
        << "the Japanese control looks the same: the characters do not tell SC from JP";
}

TEST(OfficeConverterTest, ChineseFontNamesAreDrawnWithNotoCjk) {
    if (!have_tool("pdffonts")) GTEST_SKIP() << "pdffonts (poppler-utils) is needed to list embedded fonts";
    test::TempDir dir;
    struct Case {
        std::string family;
        std::string expected;  // embedded font name prefix
    };
    const std::vector<Case> cases = {
        {"宋体", "NotoSerifCJK"},        {"SimSun", "NotoSerifCJK"},
        {"仿宋_GB2312", "NotoSerifCJK"}, {"楷体", "NotoSerifCJK"},
        {"黑体", "NotoSansCJK"},         {"SimHei", "NotoSansCJK"},
        {"微软雅黑", "NotoSansCJK"},     {"Microsoft YaHei", "NotoSansCJK"},
        {"等线", "NotoSansCJK"},
    };
    int index = 0;
    for (const auto& c : cases) {
        SCOPED_TRACE(c.family);
        // Latin and Han text in the one font, for the Western and the Asian font slot alike.
        const std::string doc = fodt(
            "<text:p>Quarterly report 2024 季度报告</text:p>",
            "<style:default-style style:family=\"paragraph\"><style:text-properties style:font-name=\"F\" "
            "style:font-name-asian=\"F\"/></style:default-style>",
            "<office:font-face-decls><style:font-face style:name=\"F\" svg:font-family=\"&apos;" + c.family +
                "&apos;\"/></office:font-face-decls>");
        const Converted converted =
            convert_fixture(dir.path(), "font-" + std::to_string(index++) + ".fodt", "fodt", doc);
        const auto fonts = embedded_fonts(converted.pdf);
        ASSERT_FALSE(fonts.empty());
        for (const auto& font : fonts) {
            EXPECT_EQ(font.rfind(c.expected, 0), 0u) << "embedded: " << joined(fonts);
        }
    }
}

TEST(OfficeConverterTest, FontconfigRulesPreferSimplifiedChineseWithoutChangingLatinFonts) {
    if (!have_tool("fc-match")) GTEST_SKIP() << "fc-match (fontconfig) is needed";
    test::TempDir dir;
    const fs::path conf = dir.path() / "fonts.conf";
    test::write_file(conf, office_fontconfig("/etc/fonts/fonts.conf", dir.path() / "cache"));
    const auto match = [&](const std::string& pattern) {
        const auto found = test::run_command(
            {"env", "FONTCONFIG_FILE=" + conf.string(), "fc-match", "--format=%{family[0]}", pattern});
        return found.out;
    };
    // Han that no Latin font covers, with no language or a Western one: fontconfig alone picks
    // whichever Noto CJK face comes first (JP); the rules make it SC, serif for serif requests.
    EXPECT_EQ(match("Liberation Serif:charset=9aa8"), "Noto Serif CJK SC");
    EXPECT_EQ(match("Liberation Sans:charset=9aa8"), "Noto Sans CJK SC");
    EXPECT_EQ(match("Carlito:lang=en:charset=9aa8"), "Noto Sans CJK SC");
    EXPECT_EQ(match("DejaVu Sans Mono:charset=9aa8"), "Noto Sans Mono CJK SC");
    EXPECT_EQ(match("sans-serif:lang=zh"), "Noto Sans CJK SC");
    EXPECT_EQ(match("serif:lang=zh-cn"), "Noto Serif CJK SC");
    // Text tagged Japanese, Korean or Traditional Chinese keeps its own faces.
    EXPECT_EQ(match("Liberation Serif:lang=ja:charset=9aa8"), "Noto Serif CJK JP");
    EXPECT_EQ(match("Liberation Sans:lang=ko:charset=9aa8"), "Noto Sans CJK KR");
    EXPECT_EQ(match("Liberation Serif:lang=zh-tw:charset=9aa8"), "Noto Serif CJK TC");
    // Font names of Chinese documents.
    for (const char* serif :
         {"宋体", "SimSun", "新宋体", "仿宋", "FangSong", "楷体", "KaiTi", "仿宋_GB2312"}) {
        EXPECT_EQ(match(serif), "Noto Serif CJK SC") << serif;
    }
    for (const char* sans : {"黑体", "SimHei", "微软雅黑", "Microsoft YaHei", "等线", "DengXian"}) {
        EXPECT_EQ(match(sans), "Noto Sans CJK SC") << sans;
    }
    EXPECT_EQ(match("PMingLiU"), "Noto Serif CJK TC");
    EXPECT_EQ(match("MS Mincho"), "Noto Serif CJK JP");
    EXPECT_EQ(match("Malgun Gothic"), "Noto Sans CJK KR");
    // Latin text is untouched: metric-compatible faces and the generic families stay as they were.
    EXPECT_EQ(match("Arial"), "Liberation Sans");
    EXPECT_EQ(match("Times New Roman"), "Liberation Serif");
    EXPECT_EQ(match("Calibri"), "Carlito");
    EXPECT_EQ(match("sans-serif"), "DejaVu Sans");
    EXPECT_EQ(match("serif"), "DejaVu Serif");
}

/// "595.304 x 841.89" from pdfinfo's "Page size:" line of `pdf`, or "" without pdfinfo.
std::string page_size(const fs::path& pdf) {
    const auto info = test::run_command({"pdfinfo", pdf.string()});
    const auto at = info.out.find("Page size:");
    if (at == std::string::npos) return "";
    const auto start = info.out.find_first_not_of(' ', at + 10);
    return info.out.substr(start, info.out.find(" pts", start) - start);
}

TEST(OfficeConverterTest, CellCommentsAreNotAddedAsPdfNotes) {
    // LibreOffice's own conversion prints a sheet's cells without its comments' text unless a
    // comment is shown; the PDF carries no notes, so previews draw no note icons either.
    test::TempDir dir;
    const auto commented_cell = [](const std::string& text, const std::string& comment, bool shown) {
        return "<table:table-row><table:table-cell office:value-type=\"string\"><office:annotation "
               "office:display=\"" +
               std::string(shown ? "true" : "false") + "\"><text:p>" + comment +
               "</text:p></office:annotation><text:p>" + text +
               "</text:p></table:table-cell></table:table-row>";
    };
    const std::string sheet = flat_odf("spreadsheet", "",
                                       "<office:spreadsheet><table:table table:name=\"批注\">" +
                                           commented_cell("甲单元格", "隐藏的批注内容", false) +
                                           commented_cell("乙单元格", "另一条隐藏批注", false) +
                                           "</table:table></office:spreadsheet>");
    const Converted converted = convert_fixture(dir.path(), "批注.fods", "fods", sheet);
    const std::string text = without_spaces(test::all_page_text(converted.result));
    EXPECT_NE(text.find("甲单元格"), std::string::npos) << text;
    EXPECT_EQ(text.find("隐藏的批注内容"), std::string::npos) << text;
    EXPECT_EQ(text.find("另一条隐藏批注"), std::string::npos) << text;
    // LibreOffice writes its PDF without object streams, so every annotation's dictionary is
    // plain text in the file.
    const std::string pdf = test::read_file(converted.pdf);
    EXPECT_EQ(pdf.find("/Subtype /Text"), std::string::npos) << "the PDF carries comments as notes";
    EXPECT_EQ(pdf.find("/Subtype /Popup"), std::string::npos) << "the PDF carries comments as notes";
}

constexpr const char* a4_points = "595.304 x 841.89";
constexpr const char* letter_points = "612 x 792";

TEST(OfficeConverterTest, DocumentsWithoutAPageSizeAreLaidOutOnTheChosenPaper) {
    if (!have_tool("pdfinfo")) GTEST_SKIP() << "pdfinfo (poppler-utils) is needed to read page sizes";
    test::TempDir dir;
    // A workbook and an ODF spreadsheet that set no paper; 20 columns, so the page width decides
    // where the first page break falls.
    std::string cells;
    for (int c = 0; c < 20; ++c)
        cells += "<c r=\"" + std::string(1, static_cast<char>('A' + c)) + "1\" t=\"inlineStr\"><is><t>列" +
                 std::to_string(c) + "</t></is></c>";
    const std::string xlsx = make_zip({
        {.name = "[Content_Types].xml",
         .data =
             R"(<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>)"},
        {.name = "_rels/.rels",
         .data =
             R"(<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>)"},
        {.name = "xl/workbook.xml",
         .data =
             R"(<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>)"},
        {.name = "xl/_rels/workbook.xml.rels",
         .data =
             R"(<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>)"},
        {.name = "xl/worksheets/sheet1.xml",
         .data =
             R"(<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">)" +
             cells + "</row></sheetData></worksheet>"},
    });
    const fs::path input = dir.path() / "无纸张.xlsx";
    test::write_file(input, xlsx);
    const fs::path fods = dir.path() / "无纸张.fods";
    test::write_file(
        fods, flat_odf("spreadsheet", "",
                       "<office:spreadsheet><table:table table:name=\"S\"><table:table-row>" +
                           string_cell("北京") + "</table:table-row></table:table></office:spreadsheet>"));
    // One LibreOffice serves both papers, one document after another, in either order.
    for (const Paper paper : {Paper::a4, Paper::letter, Paper::a4}) {
        const std::string expected = paper == Paper::a4 ? a4_points : letter_points;
        for (const auto& [file, format] : {std::pair{input, "xlsx"}, std::pair{fods, "fods"}}) {
            SCOPED_TRACE(file.filename().string() + (paper == Paper::a4 ? " on A4" : " on Letter"));
            const fs::path pdf = dir.path() / "paper.pdf";
            office_to_pdf(file, format, file.filename().string(), pdf, office_options(), paper);
            EXPECT_EQ(page_size(pdf), expected);
        }
    }
    EXPECT_EQ(paper_from_setting("letter"), Paper::letter);
    EXPECT_EQ(paper_from_setting("a4"), Paper::a4);
}

TEST(OfficeConverterTest, HtmlSavedAsXlsShowsItsTableNotItsMarkup) {
    // A loopback listener stands in for the servers the page's pictures, style sheet and frame
    // live on: nothing may connect to it while the page is converted.
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ASSERT_GE(listener, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(::listen(listener, 8), 0);
    ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
    const std::string server = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port));

    test::TempDir dir;
    // Office's "Excel export", in GBK as Chinese Excel writes it: 北京分公司 / 上海分公司 / 合计.
    const std::string page =
        "<html xmlns:o=\"urn:schemas-microsoft-com:office:office\" "
        "xmlns:x=\"urn:schemas-microsoft-com:office:excel\">\n<head>"
        "<meta http-equiv=Content-Type content=\"text/html; charset=gb2312\">\n"
        "<link rel=stylesheet href=\"" +
        server +
        "/sheet.css\">"
        "<style>.xl65 {mso-number-format:\"0\\.00\"; background:url(" +
        server +
        "/bg.png)}</style>\n"
        "<!--[if gte mso 9]><xml><x:ExcelWorkbook></x:ExcelWorkbook></xml><![endif]-->\n"
        "<script>document.write('\xD7\xA2\xC8\xEB')</script></head>\n"
        "<body><table border=1><tr><td "
        "class=xl65>\xB1\xB1\xBE\xA9\xB7\xD6\xB9\xAB\xCB\xBE</td><td>1200</td></tr>"
        "<tr><td>\xC9\xCF\xBA\xA3\xB7\xD6\xB9\xAB\xCB\xBE</td><td>800</td></tr>"
        "<tr><td>\xBA\xCF\xBC\xC6</td><td x:fmla=\"=SUM(B1:B2)\">2000</td></tr></table>"
        "<img src=\"" +
        server + "/track.gif\"><iframe src=\"" + server +
        "/frame.html\"></iframe>"
        "</body></html>\n";
    const fs::path input = dir.path() / "original";
    test::write_file(input, page);
    ConvertRequest request;
    request.input_path = input.string();
    request.output_dir = (dir.path() / "job" / "pages").string();
    request.original_name = "销售报表.xls";
    request.ocr = false;
    fs::create_directories(request.output_dir);
    ConverterOptions options;
    options.office = office_options();
    const ConvertResult result = convert_document(request, options);
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_EQ(result.format, "html");
    const std::string text = test::all_page_text(result);
    for (const char* cell : {"北京分公司", "1200", "上海分公司", "800", "合计", "2000"})
        EXPECT_NE(text.find(cell), std::string::npos) << cell << " in " << text;
    for (const char* markup : {"<td", "<table", "xl65", "mso-", "ExcelWorkbook", "注入", "document.write"})
        EXPECT_EQ(text.find(markup), std::string::npos) << markup << " in " << text;
    const int connection = ::accept(listener, nullptr, nullptr);
    const int accept_error = errno;
    EXPECT_LT(connection, 0) << "LibreOffice connected to " << server;
    EXPECT_EQ(accept_error, EAGAIN);
    if (connection >= 0) ::close(connection);
    ::close(listener);
}

TEST(OfficeConverterTest, DamagedDocumentIsRefusedAsCorruptAndLeavesNoOutput) {
    test::TempDir dir;
    const fs::path input = dir.path() / "broken.docx";
    test::write_file(input, std::string("PK\x03\x04", 4) + std::string(200, 'x'));  // a ZIP cut short
    const fs::path pdf = dir.path() / "out" / "broken.pdf";
    try {
        office_to_pdf(input, "docx", "季度报告.docx", pdf, office_options());
        FAIL() << "a truncated DOCX converted";
    } catch (const InputError& e) {
        EXPECT_EQ(e.code(), error_code::corrupt);
        EXPECT_NE(std::string(e.what()).find("季度报告.docx could not be opened by LibreOffice: "),
                  std::string::npos)
            << e.what();
    }
    EXPECT_FALSE(fs::exists(pdf));
    if (fs::exists(pdf.parent_path())) {
        EXPECT_TRUE(fs::is_empty(pdf.parent_path())) << "a partial export was left behind";
    }
}

TEST(OfficeConverterTest, EpubIsRefusedAsUnsupported) {
    test::TempDir dir;
    const fs::path input = dir.path() / "book.epub";
    test::write_file(input, "PK");
    try {
        office_to_pdf(input, "epub", "小说.epub", dir.path() / "book.pdf", office_options());
        FAIL() << "an EPUB went to LibreOffice";
    } catch (const InputError& e) {
        EXPECT_EQ(e.code(), error_code::unsupported);
        EXPECT_NE(std::string(e.what()).find("小说.epub"), std::string::npos);
    }
}

}  // namespace
}  // namespace wenku::worker
