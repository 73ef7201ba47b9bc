// Pure logic of the core and the command line: settings, the description, display widths.
#include <algorithm>
#include <cctype>
#include <cstdlib>

#include <gtest/gtest.h>

#include "cli/terminal.h"
#include "core/description.h"
#include "core/errors.h"
#include "core/settings.h"
#include "support/test_support.h"

namespace wenku {

TEST(Settings, EveryKeyHasADescriptionAndAValidDefault) {
    const Settings defaults;
    for (const auto& spec : Settings::specs()) {
        EXPECT_FALSE(spec.description.empty()) << spec.key;
        EXPECT_EQ(defaults.get(spec.key), spec.default_value);
        EXPECT_EQ(defaults.source(spec.key), "default");
        const bool numeric =
            !spec.default_value.empty() && std::all_of(spec.default_value.begin(), spec.default_value.end(),
                                                       [](unsigned char c) { return std::isdigit(c); });
        if (numeric) {
            EXPECT_NO_THROW(defaults.get_int(spec.key)) << spec.key;
        }
    }
    EXPECT_THROW(defaults.get("no.such.key"), UsageError);
    EXPECT_EQ(Settings::env_name("convert.timeout_seconds"), "WENKU_CONVERT_TIMEOUT_SECONDS");
}

TEST(Settings, FileThenEnvironmentOverrideDefaults) {
    test::TempDir dir;
    test::write_file(dir.path() / "wenku.conf", "# comment\n\npreview.width = 640\nconvert.jobs=3\n");
    ::setenv("WENKU_CONVERT_JOBS", "4", 1);
    const Settings s = Settings::load(dir.path());
    ::unsetenv("WENKU_CONVERT_JOBS");
    EXPECT_EQ(s.get_int("preview.width"), 640);
    EXPECT_EQ(s.source("preview.width"), "wenku.conf");
    EXPECT_EQ(s.get_int("convert.jobs"), 4);
    EXPECT_EQ(s.source("convert.jobs"), "WENKU_CONVERT_JOBS");
}

TEST(Settings, MalformedFilesAndValuesAreUsageErrors) {
    test::TempDir dir;
    test::write_file(dir.path() / "wenku.conf", "preview.width\n");
    EXPECT_THROW(Settings::load(dir.path()), UsageError);
    test::write_file(dir.path() / "wenku.conf", "preview.width = wide\n");
    EXPECT_THROW(Settings::load(dir.path()).get_int("preview.width"), UsageError);
}

TEST(Description, OneNumberedSegmentPerPageWithTextCutAtTheLimit) {
    const std::vector<Page> pages = {
        {1, 1, 0, 0, "加强机关党的政治建设\n是推动机关党的建设"},
        {1, 2, 0, 0, "   \n"},
        {1, 3, 0, 0, "Word  one\ttwo"},
    };
    const auto segments = describe(pages, 12);
    ASSERT_EQ(segments.size(), 2u);
    EXPECT_EQ(segments[0].page, 1);
    EXPECT_EQ(segments[0].text, "加强机关党的政治建设 是");  // 12 characters, the line break folded
    EXPECT_EQ(segments[1].page, 3);
    EXPECT_EQ(segments[1].text, "Word one two");
}

TEST(Description, ShortOcrTextOfACoverIsLeftOut) {
    const std::string report =
        "关于加强机关作风建设的调研报告，各级机关要把作风建设摆在更加突出的位置，坚持问题导向。";
    std::vector<Page> pages = {
        {1, 1, 0, 0, "NOSNAQ 4 HH", true},
        {1, 2, 0, 0, report, true},
        {1, 3, 0, 0, "第三页", false},
    };
    auto segments = describe(pages, 200);
    ASSERT_EQ(segments.size(), 2u);
    EXPECT_EQ(segments[0].page, 2);
    EXPECT_EQ(segments[0].text, report);
    EXPECT_EQ(segments[1].page, 3);  // text read from the page itself counts however short
    pages[0].ocr = false;
    segments = describe(pages, 200);
    ASSERT_EQ(segments.size(), 3u);
    EXPECT_EQ(segments[0].text, "NOSNAQ 4 HH");
}

TEST(Terminal, WideCharactersTakeTwoColumns) {
    EXPECT_EQ(cli::display_width("abc"), 3);
    EXPECT_EQ(cli::display_width("文库"), 4);
    EXPECT_EQ(cli::display_width("第1页"), 5);
    EXPECT_EQ(cli::fit_width("政治机关建设大调研报告", 9), "政治机关…");
    EXPECT_EQ(cli::fit_width("short", 9), "short");
    EXPECT_EQ(cli::human_size(15923), "15.55 KB");
}

}  // namespace wenku
