// Text made safe for the operator's terminal (cli/terminal.h): what is escaped, how it looks, and
// that JSON stays the same JSON.
#include "cli/terminal.h"

#include <cstdio>
#include <cstdlib>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace wenku::cli {
namespace {

TEST(TerminalSafe, EscapesControlSequencesVisibly) {
    EXPECT_EQ(terminal_safe("\x1b]0;x\x07\x1b[2J标题"), "\\x1b]0;x\\x07\\x1b[2J标题");
    EXPECT_EQ(terminal_safe("a\nb\tc\rd"), "a\\nb\\tc\\rd");
    EXPECT_EQ(terminal_safe(std::string("nul\0end", 7)), "nul\\x00end");
    EXPECT_EQ(terminal_safe("del\x7f"), "del\\x7f");
    EXPECT_EQ(terminal_safe("csi\xc2\x9b"
                            "31m"),
              "csi\\u009b31m");  // C1 CSI, UTF-8 encoded
    EXPECT_EQ(terminal_safe("\xc2\x80\xc2\x9f"), "\\u0080\\u009f");
}

TEST(TerminalSafe, EscapesBidiControlsThatReorderAndLineSeparators) {
    EXPECT_EQ(terminal_safe("txt.\xe2\x80\xae"
                            "fdp"),
              "txt.\\u202efdp");  // right-to-left override
    EXPECT_EQ(terminal_safe("\xe2\x80\xaa\xe2\x80\xad"), "\\u202a\\u202d");
    EXPECT_EQ(terminal_safe("\xe2\x81\xa6x\xe2\x81\xa9"), "\\u2066x\\u2069");  // isolates
    EXPECT_EQ(terminal_safe("a\xe2\x80\xa8"
                            "b\xe2\x80\xa9"),
              "a\\u2028b\\u2029");
}

TEST(TerminalSafe, KeepsOrdinaryTextAsItIs) {
    const std::string text = "机关建设大调研报告 Quarterly report (v2) — «引号» C:\\path ¥100 ｆｕｌｌ 😀";
    EXPECT_EQ(terminal_safe(text), text);
    EXPECT_EQ(terminal_safe(""), "");
    // A no-break space is no control; the paragraph separator after it is escaped.
    EXPECT_EQ(terminal_safe("\xc2\xa0\xe2\x80\xa9"), "\xc2\xa0\\u2029");
}

TEST(TerminalSafe, WritesBytesThatAreNotUtf8AsHex) {
    EXPECT_EQ(terminal_safe("a\xff"
                            "b"),
              "a\\xffb");
    EXPECT_EQ(terminal_safe("\x9b"
                            "2J"),
              "\\x9b2J");                                      // a lone C1 byte (8-bit CSI)
    EXPECT_EQ(terminal_safe("\xc0\x9b"), "\\xc0\\x9b");        // overlong
    EXPECT_EQ(terminal_safe("cut\xe6\x96"), "cut\\xe6\\x96");  // truncated at the end
}

TEST(TerminalSafe, RunningTextKeepsItsLinesAndTabs) {
    EXPECT_EQ(terminal_safe("第一行\n\t第二行\x1b[2J\r\f", Lines::multiple),
              "第一行\n\t第二行\\x1b[2J\\r\\x0c");
}

TEST(TerminalSafe, JsonStaysTheSameValueWithoutRawControls) {
    const nlohmann::json value{{"title", "\x1b]0;x\x07标题\xc2\x9b\xe2\x80\xae\x7f\n"},
                               {"pages", {1, 2}},
                               {"nested",
                                {{"name",
                                  "a\xe2\x81\xa6"
                                  "b"}}}};
    for (const int indent : {-1, 2}) {
        const std::string text = terminal_safe_json(value, indent);
        EXPECT_EQ(nlohmann::json::parse(text), value) << text;
        EXPECT_EQ(terminal_safe(text, Lines::multiple), text) << "raw controls in " << text;
        EXPECT_NE(text.find("标题"), std::string::npos) << "CJK stays readable: " << text;
        EXPECT_NE(text.find("\\u009b"), std::string::npos) << text;
        EXPECT_NE(text.find("\\u202e"), std::string::npos) << text;
    }
    EXPECT_EQ(terminal_safe_json(value, 2).find("\n  \""), terminal_safe_json(value, 2).find('\n'))
        << "indentation keeps its newlines";
    // Text that is not UTF-8 cannot be JSON: it becomes U+FFFD instead of failing.
    EXPECT_EQ(nlohmann::json::parse(terminal_safe_json(nlohmann::json("a\xff"
                                                                      "b"))),
              "a\xef\xbf\xbd"
              "b");
}

TEST(TerminalSafe, TablesEscapeTheirCellsAndMeasureTheEscapes) {
    Table table({"№", "title"});
    table.add({"1", "a\x1b[2Jb"});
    table.add({"2", "forged\n#3  row"});
    char* buffer = nullptr;
    std::size_t size = 0;
    std::FILE* out = ::open_memstream(&buffer, &size);
    ASSERT_NE(out, nullptr);
    table.print(out);
    std::fclose(out);
    const std::string printed(buffer, size);
    std::free(buffer);
    EXPECT_EQ(printed,
              "№  title\n"
              "1  a\\x1b[2Jb\n"
              "2  forged\\n#3  row\n");
}

}  // namespace
}  // namespace wenku::cli
