// The one strict UTF-8 reader and the one markup escaper of the project (src/core), which the
// worker's decoders, the search, the site and the command line all use.
#include <string>
#include <string_view>
#include <utility>

#include <gtest/gtest.h>

#include "core/errors.h"
#include "core/markup.h"
#include "core/utf8.h"

namespace wenku {
namespace {

std::string bytes(std::initializer_list<int> values) {
    std::string s;
    for (const int v : values) s += static_cast<char>(v);
    return s;
}

TEST(NextUtf8, ReadsEveryLengthOfValidSequence) {
    const std::string text = "a\u00E9\u4E2D\U0001F600";
    std::size_t i = 0;
    for (const auto& [cp, length] :
         {std::pair<char32_t, std::size_t>{U'a', 1}, {0xE9, 2}, {0x4E2D, 3}, {0x1F600, 4}}) {
        const Utf8Char c = next_utf8(text, i);
        EXPECT_TRUE(c.valid);
        EXPECT_EQ(c.cp, cp);
        EXPECT_EQ(c.length, length);
        i += c.length;
    }
    EXPECT_EQ(i, text.size());
}

TEST(NextUtf8, RefusesOverlongFormsSurrogatesAndValuesPastUnicode) {
    for (const std::string& invalid :
         {bytes({0xC0, 0xAF}), bytes({0xE0, 0x80, 0xAF}), bytes({0xED, 0xA0, 0x80}),
          bytes({0xF0, 0x80, 0x80, 0xAF}), bytes({0xF4, 0x90, 0x80, 0x80}), bytes({0x80}), bytes({0xFF})}) {
        const Utf8Char c = next_utf8(invalid, 0);
        EXPECT_FALSE(c.valid);
        EXPECT_FALSE(c.truncated);
        EXPECT_EQ(c.cp, replacement_character);
        EXPECT_EQ(c.length, 1u) << "the maximal invalid part of these is their first byte";
    }
    // A sequence broken after two good bytes is skipped as a whole.
    const Utf8Char broken = next_utf8(bytes({0xE4, 0xB8, 'A'}), 0);
    EXPECT_FALSE(broken.valid);
    EXPECT_EQ(broken.length, 2u);
    // ... and one cut off by the end of the input says so.
    const Utf8Char cut = next_utf8(bytes({'x', 0xE4, 0xB8}), 1);
    EXPECT_FALSE(cut.valid);
    EXPECT_TRUE(cut.truncated);
    EXPECT_EQ(cut.length, 2u);
}

TEST(DecodeUtf8, DropsWhatIsInvalidAndKeepsTheRest) {
    EXPECT_EQ(decode_utf8("中文"), U"中文");
    EXPECT_EQ(decode_utf8(bytes({'a', 0xC0, 0xAF, 'b', 0xE4, 0xB8, 'c', 0xE4})), U"abc");
    EXPECT_EQ(encode_utf8(decode_utf8("文库 wenku")), "文库 wenku");
}

TEST(EncodeFromUtf8, ConvertsToOtherCharsetsOrSaysWhyNot) {
    EXPECT_EQ(encode_from_utf8("中文", "GB18030"), bytes({0xD6, 0xD0, 0xCE, 0xC4}));
    EXPECT_THROW(encode_from_utf8("中文", "ISO-8859-1"), UsageError);
    EXPECT_THROW(encode_from_utf8("x", "NO-SUCH-CHARSET"), UsageError);
}

TEST(Markup, EscapesTextAndCodePointsAlike) {
    EXPECT_EQ(markup_escape(R"(<a href="x">Tom & 'Jerry'</a> 文库)"),
              "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt; 文库");
    std::string out;
    for (const char32_t cp : std::u32string_view(U"<&>\"'中")) append_markup_escaped(out, cp);
    EXPECT_EQ(out, "&lt;&amp;&gt;&quot;&#39;中");
}

}  // namespace
}  // namespace wenku
