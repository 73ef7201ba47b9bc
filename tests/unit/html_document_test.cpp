// sanitise_html(): HTML that arrives as a document keeps its text and tables and loses everything
// that could run, load or link.
#include "worker/html_document.h"

#include <string>

#include <gtest/gtest.h>

namespace wenku::worker {
namespace {

/// The sanitised markup without the fixed document frame around it.
std::string body_of(const std::string& html) {
    const std::string out = sanitise_html(html);
    const auto start = out.find("<body>\n") + 7;
    const auto end = out.rfind("\n</body>");
    return out.substr(start, end - start);
}

TEST(SanitiseHtml, ExcelExportKeepsItsTableAndText) {
    const std::string exported =
        "<html xmlns:o=\"urn:schemas-microsoft-com:office:office\" "
        "xmlns:x=\"urn:schemas-microsoft-com:office:excel\">\n"
        "<head><meta http-equiv=Content-Type content=\"text/html; charset=gb2312\">\n"
        "<style>.xl65 {mso-number-format:\"0\\.00\";}</style>\n"
        "<!--[if gte mso 9]><xml><x:ExcelWorkbook><x:ExcelWorksheets></x:ExcelWorksheets></x:ExcelWorkbook>"
        "</xml><![endif]-->\n<title>导出</title></head>\n"
        "<body><table border=1 cellspacing=0 class=xl65 style='border-collapse:collapse'>"
        "<tr><td colspan=2 align=center>季度销售 &amp; 收入</td></tr>"
        "<tr><TD class=xl65>北京</TD><td x:num>1200</td></tr></table></body></html>";
    EXPECT_EQ(body_of(exported),
              "\n\n\n\n\n<table border=\"1\" cellspacing=\"0\" style=\"border-collapse:collapse\">"
              "<tr><td colspan=\"2\" align=\"center\">季度销售 &amp; 收入</td></tr>"
              "<tr><td>北京</td><td>1200</td></tr></table>");
    EXPECT_NE(sanitise_html(exported).find("charset=utf-8"), std::string::npos);
}

TEST(SanitiseHtml, NothingThatRunsLoadsOrLinksSurvives) {
    const std::string hostile =
        "<table><tr><td onclick=\"steal()\" background=\"http://x.example/a.png\">a</td>"
        "<td style=\"background:url(http://x.example/b.png)\">b</td>"
        "<td style=\"background:&#117;rl(http://x.example/c.png)\">c</td></tr></table>"
        "<script>document.write('<table>')</script><SCRIPT src=//x.example/s.js></SCRIPT>"
        "<img src=\"http://x.example/track.gif\"><link rel=stylesheet href=\"http://x.example/s.css\">"
        "<iframe src=\"file:///etc/passwd\">fallback</iframe><object data=\"x.swf\"></object>"
        "<a href=\"javascript:alert(1)\">链接文字</a><base href=\"http://x.example/\">"
        "<svg><image href=\"http://x.example/i.svg\"/></svg><form action=\"http://x.example\"><input "
        "value=v></form>";
    EXPECT_EQ(body_of(hostile), "<table><tr><td>a</td><td>b</td><td>c</td></tr></table>链接文字");
}

TEST(SanitiseHtml, BrokenMarkupIsKeptAsTextOrDropped) {
    EXPECT_EQ(body_of("a < b and 3<4"), "a &lt; b and 3&lt;4");
    EXPECT_EQ(body_of("<p>unterminated <td colspan=\"2"), "<p>unterminated ");
    EXPECT_EQ(body_of("<p>x</p><!-- never closed <script>"), "<p>x</p>");
    EXPECT_EQ(body_of("<script>never closed <p>gone"), "");
    EXPECT_EQ(body_of("<td title=\"a>b\" width=50%>x"), "<td width=\"50%\">x");
    EXPECT_EQ(body_of(std::string("<p>a\0b</p>", 10)), "<p>ab</p>");
}

}  // namespace
}  // namespace wenku::worker
