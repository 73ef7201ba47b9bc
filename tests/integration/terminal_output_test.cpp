// What users wrote reaches the operator's terminal as text, never as commands to the terminal:
// titles, file names, categories, uploaders, report texts and queries full of ESC/OSC sequences,
// C1 controls, bidi overrides and newlines that would forge rows, set through `wenku add` and
// through the real HTTP routes of `wenku serve`, then printed by every command that shows them.
#include <sstream>

#include <gtest/gtest.h>

#include "web_fixture.h"

using namespace web_fixture;

namespace {

/// Retitles the terminal (OSC 0), clears the screen, starts a C1 CSI, reverses the text that
/// follows, and forges a row of `wenku reports` / `wenku ls` after a newline.
const std::string hostile_text =
    "\x1b]0;x\x07\x1b[2J"
    "标题\xc2\x9b"
    "31m\xe2\x80\xae"
    "fdp.exe\x7f\r\n#99  2020-01-01 00:00  №1 forged row\t";
/// How the start of `hostile_text` looks once escaped.
const std::string hostile_text_escaped = "\\x1b]0;x\\x07\\x1b[2J标题\\u009b31m\\u202efdp.exe\\x7f\\r\\n#99";

/// The first raw control character in `out` (a C0 control other than the newlines and tabs wenku's
/// own output is laid out with, DEL, a C1 control, a bidi override or isolate, a line separator)
/// as "byte N: 0x1b in: <context>", or "" when there is none.
std::string first_raw_control(const std::string& out) {
    for (std::size_t i = 0; i < out.size(); ++i) {
        const auto b = static_cast<unsigned char>(out[i]);
        const auto next = i + 1 < out.size() ? static_cast<unsigned char>(out[i + 1]) : 0u;
        const auto third = i + 2 < out.size() ? static_cast<unsigned char>(out[i + 2]) : 0u;
        const bool c0 = b < 0x20 && b != '\n' && b != '\t';
        const bool c1 = b == 0xc2 && next >= 0x80 && next <= 0x9f;
        const bool bidi = b == 0xe2 && ((next == 0x80 && third >= 0xa8 && third <= 0xae) ||
                                        (next == 0x81 && third >= 0xa6 && third <= 0xa9));
        if (c0 || b == 0x7f || c1 || bidi) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "byte %zu: 0x%02x", i, b);
            return buf + std::string(" in: ") + out.substr(i > 40 ? i - 40 : 0, 120);
        }
    }
    return "";
}

/// Checks a command's stdout and stderr hold no raw control character and no line the hostile
/// text forged, and that its stdout shows `shown` (unless empty): by default the hostile text,
/// escaped.
void expect_safe(const CommandResult& r, const std::string& what,
                 const std::string& shown = hostile_text_escaped) {
    EXPECT_EQ(first_raw_control(r.out), "") << what << " (stdout)";
    EXPECT_EQ(first_raw_control(r.err), "") << what << " (stderr)";
    for (const std::string* stream : {&r.out, &r.err}) {
        EXPECT_FALSE(contains("\n" + *stream, "\n#99  2020")) << what << " printed a forged row:\n"
                                                              << *stream;
    }
    if (!shown.empty()) {
        EXPECT_TRUE(contains(r.out, shown)) << what << ":\n" << r.out << r.err;
    }
}

class TerminalOutputTest : public ::testing::Test {
  protected:
    TempDir dir;
    fs::path data = dir.path() / "data";
    fs::path inbox = dir.path() / "inbox";
};

}  // namespace

TEST_F(TerminalOutputTest, HostileTextFromEveryPathPrintsEscapedEverywhere) {
    fs::create_directories(inbox);
    // Through `wenku add`: the file's own name, --title, --category and --uploader.
    const fs::path added_file = inbox / ("报告\x1b[2J\xe2\x80\xae.txt");
    write_file(added_file, "独角兽 unicornword 第一份文档的正文\n" + long_text("正文", "春风", 60, {}));
    const auto add = run_wenku(data, {"add", added_file.string(), "--title", hostile_text, "--category",
                                      "实用范文/" + hostile_text, "--uploader", hostile_text});
    ASSERT_EQ(add.exit_code, 0) << add.out << add.err;
    expect_safe(add, "wenku add");
    const std::int64_t added = added_id(add);
    // A refusal quotes the file's name.
    const fs::path empty_file = inbox / ("空\x1b]0;x\x07.txt");
    write_file(empty_file, "");
    const auto refused = run_wenku(data, {"add", empty_file.string()});
    EXPECT_EQ(refused.exit_code, 1);
    expect_safe(refused, "wenku add of an empty file", "");
    EXPECT_TRUE(contains(refused.err, "空\\x1b]0;x\\x07.txt")) << refused.err;

    // Through the real HTTP routes: an upload named and titled with it, and reports.
    std::int64_t uploaded = 0;
    {
        ServedLibrary server(data, "http.rate_per_ip = 0\nhttp.access_log = 0\n");
        const auto r = http_request(
            server.port(), "POST",
            "/api/documents?name=" + url_encode(hostile_text + ".txt") + "&title=" + url_encode(hostile_text),
            "独角兽 unicornword 上传的文档\n" + long_text("上传", "秋月", 60, {}));
        ASSERT_EQ(r.status, 201) << r.body;
        uploaded = json_of(r).at("id");
        std::string status;
        for (int i = 0; i < 1200 && status != "ready" && status != "failed"; ++i) {
            const auto s =
                http_request(server.port(), "GET", "/api/documents/" + std::to_string(uploaded) + "/status");
            status = json_of(s).value("status", "");
            std::this_thread::sleep_for(50ms);
        }
        ASSERT_EQ(status, "ready") << server.log();
        for (const auto id : {added, uploaded}) {
            const auto report = http_request(server.port(), "POST", "/d/" + std::to_string(id) + "/report",
                                             "reason=copyright&detail=" + url_encode(hostile_text),
                                             {{"Content-Type", "application/x-www-form-urlencoded"}});
            EXPECT_EQ(report.status, 201) << report.body.substr(0, 300);
        }
        EXPECT_EQ(server.stop(20s), 0) << server.log();
        EXPECT_EQ(first_raw_control(server.log()), "") << "the server's log";
    }

    const auto ls = run_wenku(data, {"ls"});
    ASSERT_EQ(ls.exit_code, 0) << ls.err;
    expect_safe(ls, "wenku ls", "\\x1b]0;x\\x07\\x1b[2J标题");  // the title column is cut at 48 columns
    const auto reports = run_wenku(data, {"reports"});
    ASSERT_EQ(reports.exit_code, 0) << reports.err;
    expect_safe(reports, "wenku reports");
    EXPECT_EQ(occurrences(reports.out, hostile_text_escaped), 4u) << "two titles and two report texts:\n"
                                                                  << reports.out;
    for (const auto id : {added, uploaded}) {
        const auto info = run_wenku(data, {"info", std::to_string(id)});
        ASSERT_EQ(info.exit_code, 0) << info.err;
        expect_safe(info, "wenku info " + std::to_string(id));
        const auto related = run_wenku(data, {"related", std::to_string(id)});
        ASSERT_EQ(related.exit_code, 0) << related.err;
        expect_safe(related, "wenku related " + std::to_string(id));
    }
    const auto info = run_wenku(data, {"info", std::to_string(added)});
    for (const char* field :
         {"上传人: \\x1b]0;x", "分类: 实用范文/\\x1b]0;x", "文件: 报告\\x1b[2J\\u202e.txt"}) {
        EXPECT_TRUE(contains(info.out, field)) << field << " in:\n" << info.out;
    }
    const auto search = run_wenku(data, {"search", "unicornword \x1b]0;x\x07\x1b[2J\xe2\x80\xae"});
    ASSERT_EQ(search.exit_code, 0) << search.err;
    expect_safe(search, "wenku search", "");
    EXPECT_TRUE(contains(search.out, "match \"unicornword \\x1b]0;x\\x07\\x1b[2J\\u202e\"")) << search.out;
    const auto found = run_wenku(data, {"search", "unicornword"});
    expect_safe(found, "wenku search unicornword", "");
    EXPECT_TRUE(contains(found.out, "2 documents match")) << found.out;
    EXPECT_EQ(occurrences(found.out, "\\x1b]0;x\\x07"), 2u) << "both titles:\n" << found.out;

    // JSON stays JSON: the same text, escaped by the encoder.
    const std::vector<std::vector<std::string>> json_commands{
        {"ls", "--json"}, {"info", std::to_string(uploaded), "--json"}, {"search", "unicornword", "--json"}};
    for (const auto& args : json_commands) {
        const auto r = run_wenku(data, args);
        ASSERT_EQ(r.exit_code, 0) << r.err;
        expect_safe(r, "wenku " + args[0] + " --json", "");
    }
    std::istringstream lines(run_wenku(data, {"ls", "--json"}).out);
    int titled = 0;
    for (std::string line; std::getline(lines, line);)
        titled += json::parse(line).at("title") == hostile_text;
    EXPECT_EQ(titled, 2);

    // `wenku text` into a pipe is the text itself; `wenku rm` names what it removed.
    const auto text = run_wenku(data, {"text", std::to_string(added)});
    EXPECT_TRUE(contains(text.out, "独角兽 unicornword")) << text.out.substr(0, 200);
    const auto rm = run_wenku(data, {"rm", std::to_string(uploaded)});
    ASSERT_EQ(rm.exit_code, 0) << rm.err;
    expect_safe(rm, "wenku rm");
    const auto missing = run_wenku(data, {"info", hostile_text});
    EXPECT_EQ(missing.exit_code, 2);
    expect_safe(missing, "wenku info with a hostile number", "");
}
