// CSV and TSV: delimiter detection, RFC 4180 parsing (quotes, doubled quotes, line breaks inside
// quotes), the HTML table (escaped, Chinese, header row, wide and long tables), hostile sizes
// with linear work, and the converter path end to end for .csv and .tsv files.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/conversion.h"
#include "core/utf8.h"
#include "support/test_support.h"
#include "worker/converter.h"
#include "worker/csv_table.h"
#include "worker/detect.h"

namespace wenku::worker {
namespace {

namespace fs = std::filesystem;
using Rows = std::vector<std::vector<std::string>>;

Rows rows_of(std::string_view csv, char delimiter = ',', const CsvLimits& limits = {}) {
    return parse_csv(csv, delimiter, limits).rows;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::size_t count_of(std::string_view haystack, std::string_view needle) {
    std::size_t n = 0;
    for (std::size_t pos = haystack.find(needle); pos != std::string_view::npos;
         pos = haystack.find(needle, pos + 1))
        ++n;
    return n;
}

// --- Delimiters -------------------------------------------------------------------------------

TEST(CsvDelimiter, CommaTabAndSemicolonAreDetectedByConsistency) {
    EXPECT_EQ(detect_csv_delimiter("name,age,city\nAlice,30,Paris\nBob,25,Rome\n"), ',');
    EXPECT_EQ(detect_csv_delimiter("name\tage\tcity\nAlice\t30\tParis\n"), '\t');
    EXPECT_EQ(detect_csv_delimiter("Name;Preis;Menge\nApfel;1,50;3\nBirne;0,99;12\n"), ';');
    // Commas inside values of a TSV file do not win: they are not in every line the same number.
    EXPECT_EQ(detect_csv_delimiter("name\tnote\nAlice\tlikes tea, coffee, and cake\nBob\tno\n"), '\t');
    // Delimiters inside quoted fields do not count.
    EXPECT_EQ(detect_csv_delimiter("a,b\n\"x;y;z\",2\n\"p;q\",3\n"), ',');
    // Chinese, with full-width commas in the text that are no delimiters.
    EXPECT_EQ(detect_csv_delimiter("姓名,城市,备注\n张三,北京,喜欢读书，也喜欢写作\n李四,上海,无\n"), ',');
}

TEST(CsvDelimiter, SingleColumnAndEmptyInputFallBackToComma) {
    EXPECT_EQ(detect_csv_delimiter("just one column\nof text\n"), ',');
    EXPECT_EQ(detect_csv_delimiter(""), ',');
}

TEST(CsvDelimiter, LooksAtTheStartOnly) {
    std::string csv = "a;b;c\n";
    for (int i = 0; i < 100000; ++i) csv += "1;2;3\n";
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(detect_csv_delimiter(csv), ';');
    std::printf("[csv] delimiter of 100,001 lines: %.3f s\n", seconds_since(start));
}

// --- Parsing ----------------------------------------------------------------------------------

TEST(CsvParse, QuotedFieldsHoldDelimitersDoubledQuotesAndLineBreaks) {
    EXPECT_EQ(rows_of("a,\"b,c\",\"d\"\"e\",f\n"), (Rows{{"a", "b,c", "d\"e", "f"}}));
    EXPECT_EQ(rows_of("id,note\n1,\"first line\nsecond line\"\n2,plain\n"),
              (Rows{{"id", "note"}, {"1", "first line\nsecond line"}, {"2", "plain"}}));
    EXPECT_EQ(rows_of("\"\",\"\"\"\"\n"), (Rows{{"", "\""}}));
    EXPECT_EQ(rows_of("\"中文，逗号\",\"引号\"\"里\"\"面\"\n"), (Rows{{"中文，逗号", "引号\"里\"面"}}));
}

TEST(CsvParse, RecordsEndAtAnyLineBreakAndBlankLinesAreSkipped) {
    EXPECT_EQ(rows_of("a,b\r\nc,d\re,f\n\n\ng,h"), (Rows{{"a", "b"}, {"c", "d"}, {"e", "f"}, {"g", "h"}}));
    const CsvTable table = parse_csv("a\n\n\nb\n", ',');
    EXPECT_EQ(table.total_rows, 2u);
}

TEST(CsvParse, MalformedQuotingIsReadLeniently) {
    EXPECT_EQ(rows_of("ab\"cd,e\n"), (Rows{{"ab\"cd", "e"}}));  // quote inside an unquoted field
    EXPECT_EQ(rows_of("\"ab\"cd,e\n"), (Rows{{"abcd", "e"}}));  // text after the closing quote
    EXPECT_EQ(rows_of("a,\"never closed\nx,y\n"), (Rows{{"a", "never closed\nx,y\n"}}));  // runs to the end
    EXPECT_EQ(rows_of("a,b,c\nd\ne,f,g,h\n"),
              (Rows{{"a", "b", "c"}, {"d"}, {"e", "f", "g", "h"}}));  // ragged
    EXPECT_EQ(rows_of(",,\n"), (Rows{{"", "", ""}}));
}

TEST(CsvParse, TabsAndSemicolons) {
    EXPECT_EQ(rows_of("a\tb,c\t\"d\te\"\n", '\t'), (Rows{{"a", "b,c", "d\te"}}));
    EXPECT_EQ(rows_of("1,5;2,0\n", ';'), (Rows{{"1,5", "2,0"}}));
}

TEST(CsvParse, FieldsPastTheColumnLimitAreFoldedIntoTheLastCell) {
    CsvLimits limits;
    limits.max_columns = 3;
    const CsvTable table = parse_csv("a,b,c,d,,e\n1,2\n", ',', limits);
    EXPECT_EQ(table.rows, (Rows{{"a", "b", "c, d, e"}, {"1", "2"}}));
    EXPECT_EQ(table.widest, 6u);
    EXPECT_EQ(parse_csv("a\tb\tc\td\n", '\t', limits).rows, (Rows{{"a", "b", "c d"}}));
}

TEST(CsvParse, LongFieldsAreCutOnACharacterBoundary) {
    CsvLimits limits;
    limits.max_cell_bytes = 10;
    const CsvTable table = parse_csv("中文中文中文,ok\n", ',', limits);  // 18 bytes
    ASSERT_EQ(table.rows.size(), 1u);
    EXPECT_EQ(table.rows[0][0], "中文中…");  // 9 bytes kept, never half a character
    EXPECT_EQ(table.rows[0][1], "ok");
    EXPECT_TRUE(table.cells_cut);
}

TEST(CsvParse, RecordsPastTheRowOrCellLimitAreCountedNotKept) {
    CsvLimits limits;
    limits.max_rows = 2;
    CsvTable table = parse_csv("a,b\n1,2\n3,4\n5,6,7,8\n", ',', limits);
    EXPECT_EQ(table.rows.size(), 2u);
    EXPECT_EQ(table.total_rows, 4u);
    EXPECT_EQ(table.widest, 4u);
    limits = CsvLimits{};
    limits.max_cells = 5;
    table = parse_csv("a,b\n1,2\n3,4\n5,6\n", ',', limits);
    EXPECT_EQ(table.rows.size(), 3u);  // the record that reaches the cap is still shown whole
    EXPECT_EQ(table.total_rows, 4u);
}

// --- Hostile sizes ----------------------------------------------------------------------------

TEST(CsvHostile, HundredMegabyteFieldIsScannedOnceAndCut) {
    std::string csv = "a,\"";
    csv.append(100u << 20, 'x');
    csv += "\"\nb,c\n";
    const auto start = std::chrono::steady_clock::now();
    const std::string html = csv_to_html(csv);
    const double seconds = seconds_since(start);
    std::printf("[csv] 100 MB quoted field: %.2f s, %zu bytes of HTML\n", seconds, html.size());
    EXPECT_LT(html.size(), std::size_t{64} << 10);
    EXPECT_NE(html.find("…"), std::string::npos);
    EXPECT_NE(html.find(">b<"), std::string::npos);  // the records after it are still read
}

TEST(CsvHostile, MillionColumnsAndMillionsOfRowsStayBounded) {
    std::string columns;
    for (int i = 0; i < 1000000; ++i) columns += "c,";
    auto start = std::chrono::steady_clock::now();
    std::string html = csv_to_html(columns);
    std::printf("[csv] 1M columns: %.2f s, %zu bytes of HTML\n", seconds_since(start), html.size());
    EXPECT_LT(html.size(), std::size_t{256} << 10);
    EXPECT_NE(html.find("此表共 1,000,001 列"), std::string::npos);

    std::string rows;
    for (int i = 0; i < 3000000; ++i) rows += "1,2\n";
    start = std::chrono::steady_clock::now();
    html = csv_to_html(rows);
    const double seconds = seconds_since(start);
    std::printf("[csv] 3M rows: %.2f s, %zu bytes of HTML\n", seconds, html.size());
    EXPECT_NE(html.find("此表共 3,000,000 行，只显示了前 20,000 行"), std::string::npos);
    EXPECT_LT(html.size(), std::size_t{4} << 20);

    const std::string commas(50u << 20, ',');
    start = std::chrono::steady_clock::now();
    html = csv_to_html(commas);
    std::printf("[csv] 50 MB of commas: %.2f s, %zu bytes of HTML\n", seconds_since(start), html.size());
    EXPECT_LT(html.size(), std::size_t{64} << 10);
}

TEST(CsvHostile, UnclosedQuoteAtTheStartAndBinaryJunkDoNotBreakIt) {
    std::string junk = "\"";
    for (unsigned i = 0; i < 1000000; ++i) junk += static_cast<char>(i * 7919u % 256u);
    const std::string html = csv_to_html(junk);
    EXPECT_NE(html.find("</html>"), std::string::npos);
}

// --- HTML -------------------------------------------------------------------------------------

// `html` without the U+200B break opportunities inserted into long runs.
std::string without_breaks(std::string html) {
    for (std::size_t pos = html.find("\u200B"); pos != std::string::npos; pos = html.find("\u200B", pos)) {
        html.erase(pos, 3);
    }
    return html;
}

TEST(CsvHtml, EverythingIsEscaped) {
    const std::string html = without_breaks(
        csv_to_html("name,comment\n<script>alert(1)</script>,\"a & b <b>bold</b> \"\"q\"\" 'x'\"\n"
                    "\"<img src=x onerror=alert(1)>\",</td></tr></table><p>\n"));
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_EQ(html.find("<img"), std::string::npos);
    EXPECT_EQ(html.find("<b>"), std::string::npos);
    EXPECT_EQ(count_of(html, "</table>"), 1u);
    EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
    EXPECT_NE(html.find("a &amp; b &lt;b&gt;bold&lt;/b&gt; &quot;q&quot; &#39;x&#39;"), std::string::npos);
}

TEST(CsvHtml, ChineseTableWithHeaderRow) {
    const std::string html = csv_to_html("姓名,城市,金额\n张三,北京,12.50\n李四,\"上海\n浦东\",8\n");
    EXPECT_EQ(count_of(html, "<th>"), 3u);
    EXPECT_NE(html.find("<th>姓名</th><th>城市</th><th>金额</th>"), std::string::npos);
    EXPECT_NE(html.find("<td>张三</td><td>北京</td><td>12.50</td>"), std::string::npos);
    EXPECT_NE(html.find("上海<br/>浦东"), std::string::npos);
    EXPECT_NE(html.find("lang=\"zh-CN\""), std::string::npos);
    EXPECT_NE(html.find("class=\"c6\""), std::string::npos);
}

TEST(CsvHtml, FirstRowIsAHeaderOnlyWhenItLooksLikeOne) {
    EXPECT_EQ(csv_to_html("1,2,3\n4,5,6\n").find("<th>"), std::string::npos);                // numbers
    EXPECT_EQ(csv_to_html("2024-01-02,a\n2024-01-03,b\n").find("<th>"), std::string::npos);  // dates
    EXPECT_EQ(csv_to_html("name,,city\na,b,c\n").find("<th>"), std::string::npos);           // an empty cell
    EXPECT_EQ(csv_to_html("x,x\n1,2\n").find("<th>"), std::string::npos);                    // repeated names
    EXPECT_EQ(csv_to_html("name,city\n").find("<th>"), std::string::npos);  // nothing follows
    EXPECT_NE(csv_to_html("name,city\nAlice,Paris\n").find("<th>"), std::string::npos);
}

TEST(CsvHtml, RaggedRowsArePaddedToTheWidestRow) {
    const std::string html = csv_to_html("a,b,c\n1\n2,3,4,5\n");
    EXPECT_EQ(count_of(html, "<tr>"), 3u);
    EXPECT_EQ(count_of(html, "<td>") + count_of(html, "<th>"), 12u);
}

TEST(CsvHtml, WiderTablesGetSmallerTypeAndVeryWideOnesBecomeRecords) {
    const auto row = [](int n, const std::string& prefix) {
        std::string r;
        for (int i = 0; i < n; ++i) r += (i ? "," : "") + prefix + std::to_string(i);
        return r + "\n";
    };
    EXPECT_NE(csv_to_html(row(8, "h") + row(8, "v")).find("class=\"c10\""), std::string::npos);
    EXPECT_NE(csv_to_html(row(14, "h") + row(14, "v")).find("class=\"c16\""), std::string::npos);
    EXPECT_NE(csv_to_html(row(20, "h") + row(20, "v")).find("class=\"cmax\""), std::string::npos);
    const std::string records = csv_to_html(row(30, "字段") + row(30, "值"));
    EXPECT_EQ(records.find("<table"), std::string::npos);
    EXPECT_NE(records.find("<span class=\"name\">字段7：</span>值7"), std::string::npos);
    EXPECT_EQ(count_of(records, "<p class=\"record\">"), 1u);
}

TEST(CsvHtml, LongUnbreakableValuesGetBreakOpportunities) {
    const std::string html = csv_to_html("a,b\n" + std::string(200, 'x') + ",y\n");
    EXPECT_GE(count_of(html, "\u200B"), 10u);
}

// --- Extension and converter ------------------------------------------------------------------

TEST(CsvDetect, ExtensionsAreCaseInsensitive) {
    EXPECT_TRUE(has_csv_extension("data.csv"));
    EXPECT_TRUE(has_csv_extension("DATA.CSV"));
    EXPECT_TRUE(has_csv_extension("报表.Tsv"));
    EXPECT_FALSE(has_csv_extension("data.csv.txt"));
    EXPECT_FALSE(has_csv_extension("csv"));
    EXPECT_FALSE(has_csv_extension("data.xlsx"));
}

class CsvConverterTest : public ::testing::Test {
  protected:
    ConvertResult convert(const std::string& name, std::string_view bytes) {
        const fs::path input = dir.path() / name;
        test::write_file(input, bytes);
        ConvertRequest request;
        request.input_path = input.string();
        request.output_dir = (dir.path() / ("out" + std::to_string(++jobs))).string();
        request.original_name = name;
        return convert_document(request, ConverterOptions{});
    }

    test::TempDir dir;
    int jobs = 0;
};

TEST_F(CsvConverterTest, CsvFileBecomesAPaginatedTable) {
    std::string csv = "序号,姓名,城市,备注\n";
    for (int i = 1; i <= 150; ++i) {
        csv += std::to_string(i) + ",读者" + std::to_string(i) + ",北京,\"喜欢读书, 也喜欢\"\"写作\"\"\"\n";
    }
    const ConvertResult result = convert("readers.csv", csv);
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_EQ(result.format, "csv");
    EXPECT_TRUE(result.title.empty());  // the importer falls back to the file name
    EXPECT_GE(result.pages.size(), 3u);
    std::string text;
    for (const auto& page : result.pages) text += page.text + "\n";
    EXPECT_NE(text.find("读者1"), std::string::npos);
    EXPECT_NE(text.find("读者150"), std::string::npos);
    EXPECT_NE(text.find("喜欢读书, 也喜欢\"写作\""), std::string::npos) << result.pages[0].text;
    EXPECT_EQ(text.find("\"\""), std::string::npos);
    EXPECT_TRUE(fs::exists(dir.path() / ("out" + std::to_string(jobs)) / "p0001.webp"));
}

TEST_F(CsvConverterTest, UpperCaseTsvInGb18030IsDecodedAndLaidOut) {
    const std::string tsv = encode_from_utf8("名称\t数量\n苹果\t3\n梨\t12\n", "GB18030");
    const ConvertResult result = convert("库存.TSV", tsv);
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_EQ(result.format, "csv");
    ASSERT_EQ(result.pages.size(), 1u);
    EXPECT_NE(result.pages[0].text.find("苹果"), std::string::npos) << result.pages[0].text;
}

TEST_F(CsvConverterTest, ScriptInACsvIsShownAsText) {
    const ConvertResult result = convert("x.csv", "a,b\n<script>alert(1)</script>,<b>x</b>\n");
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_NE(result.pages[0].text.find("<script>alert(1)</script>"), std::string::npos)
        << result.pages[0].text;
}

TEST_F(CsvConverterTest, EmptyAndBinaryCsvAreRefused) {
    EXPECT_EQ(convert("empty.csv", "").error_code, error_code::empty);
    EXPECT_EQ(convert("blank.csv", " \n\n").error_code, error_code::empty);
    EXPECT_EQ(convert("binary.csv", std::string("a,b\0\x01\x02", 7)).error_code, error_code::unsupported);
}

}  // namespace
}  // namespace wenku::worker
