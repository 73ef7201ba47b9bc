// The web layer's pure request parsing (web/http_parsing.h): byte ranges, If-None-Match, ids and
// numbers in paths and query strings, percent coding, forms and uploaded file names, at their
// edges. The same functions are fuzzed by fuzz/fuzz_http.cpp.
#include <climits>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "core/errors.h"
#include "web/errors.h"
#include "web/http_parsing.h"

namespace wenku::web {
namespace {

using Kind = ByteRange::Kind;

/// "part 5-9", "whole" or "unsatisfiable", for readable failures.
std::string describe(const ByteRange& r) {
    switch (r.kind) {
        case Kind::whole:
            return "whole";
        case Kind::unsatisfiable:
            return "unsatisfiable";
        case Kind::part:
            return "part " + std::to_string(r.first) + "-" + std::to_string(r.last);
    }
    return "?";
}

std::string range(std::string_view header, std::uint64_t size) { return describe(parse_range(header, size)); }

TEST(ParseRange, WithoutASingleByteRangeTheWholeFileIsSent) {
    EXPECT_EQ(range("", 10), "whole");
    EXPECT_EQ(range("", 0), "whole");
    EXPECT_EQ(range("items=0-5", 10), "whole") << "another unit";
    EXPECT_EQ(range("Bytes=0-5", 10), "whole") << "the unit is case-sensitive";
    EXPECT_EQ(range("bytes=0-1,5-6", 10), "whole") << "several ranges";
    EXPECT_EQ(range("bytes=0-1, 5-6", 10), "whole");
    EXPECT_EQ(range("bytes=,", 10), "whole");
}

TEST(ParseRange, FromTo) {
    EXPECT_EQ(range("bytes=0-99", 1000), "part 0-99");
    EXPECT_EQ(range("bytes=0-0", 1000), "part 0-0");
    EXPECT_EQ(range("bytes=999-999", 1000), "part 999-999");
    EXPECT_EQ(range("bytes=5-100", 10), "part 5-9") << "an end beyond the file is cut to its end";
    EXPECT_EQ(range("bytes=0-18446744073709551615", 10), "part 0-9") << "the largest end there is";
}

TEST(ParseRange, FromToTheEnd) {
    EXPECT_EQ(range("bytes=0-", 10), "part 0-9");
    EXPECT_EQ(range("bytes=9-", 10), "part 9-9");
    EXPECT_EQ(range("bytes=10-", 10), "unsatisfiable") << "starts at the end";
    EXPECT_EQ(range("bytes=999999999-", 10), "unsatisfiable");
    EXPECT_EQ(range("bytes=18446744073709551615-", 10), "unsatisfiable");
}

TEST(ParseRange, Suffix) {
    EXPECT_EQ(range("bytes=-5", 10), "part 5-9");
    EXPECT_EQ(range("bytes=-10", 10), "part 0-9");
    EXPECT_EQ(range("bytes=-20", 10), "part 0-9") << "a suffix longer than the file is all of it";
    EXPECT_EQ(range("bytes=-1", 1), "part 0-0");
    EXPECT_EQ(range("bytes=-0", 10), "unsatisfiable") << "no bytes";
    EXPECT_EQ(range("bytes=-", 10), "unsatisfiable");
}

TEST(ParseRange, EndBeforeStartIsUnsatisfiable) {
    EXPECT_EQ(range("bytes=5-2", 10), "unsatisfiable");
    EXPECT_EQ(range("bytes=5-4", 10), "unsatisfiable");
    EXPECT_EQ(range("bytes=5-5", 10), "part 5-5");
}

TEST(ParseRange, NothingOfAnEmptyFileCanBeSent) {
    EXPECT_EQ(range("bytes=0-", 0), "unsatisfiable");
    EXPECT_EQ(range("bytes=0-0", 0), "unsatisfiable");
    EXPECT_EQ(range("bytes=-5", 0), "unsatisfiable");
}

TEST(ParseRange, MalformedRangesAreUnsatisfiable) {
    for (const char* header : {"bytes=", "bytes=5", "bytes=a-b", "bytes=+1-5", "bytes=1-+5", "bytes=--5",
                               "bytes=-+5", "bytes= 0-5", "bytes=0-5 ", "bytes=0 -5", "bytes=1-2-3",
                               "bytes=0x1-5", "bytes=99999999999999999999-", "bytes=0-99999999999999999999",
                               "bytes=-99999999999999999999", "bytes=1.5-2"}) {
        EXPECT_EQ(range(header, 1000), "unsatisfiable") << header;
    }
}

TEST(EtagMatches, ComparesEachValidatorOfTheListWeakly) {
    const std::string etag = "\"0123abcd\"";
    EXPECT_TRUE(etag_matches(etag, etag));
    EXPECT_TRUE(etag_matches("W/" + etag, etag)) << "weak comparison";
    EXPECT_TRUE(etag_matches("\"other\", " + etag, etag)) << "in a list";
    EXPECT_TRUE(etag_matches("\"other\",\t" + etag + "\t, \"third\"", etag)) << "tabs around it";
    EXPECT_TRUE(etag_matches("\"other\",W/" + etag, etag));
    EXPECT_TRUE(etag_matches("*", etag));
    EXPECT_TRUE(etag_matches(" * ", etag));
    EXPECT_TRUE(etag_matches("\"other\", *", etag));
}

TEST(EtagMatches, NothingElseMatches) {
    const std::string etag = "\"0123abcd\"";
    EXPECT_FALSE(etag_matches("", etag));
    EXPECT_FALSE(etag_matches("\"other\"", etag));
    EXPECT_FALSE(etag_matches("0123abcd", etag)) << "unquoted";
    EXPECT_FALSE(etag_matches("\"0123ABCD\"", etag)) << "validators are case-sensitive";
    EXPECT_FALSE(etag_matches("\"0123abcd", etag));
    EXPECT_FALSE(etag_matches("w/" + etag, etag)) << "the weak prefix is upper case";
    EXPECT_FALSE(etag_matches(",,, ,", etag));
    EXPECT_FALSE(etag_matches("**", etag));
    EXPECT_FALSE(etag_matches("\"0123abcd\"x", etag));
}

TEST(ParseId, AcceptsPositiveDecimalNumbers) {
    EXPECT_EQ(parse_id("1"), 1);
    EXPECT_EQ(parse_id("12"), 12);
    EXPECT_EQ(parse_id("9223372036854775807"), 9223372036854775807LL);
}

TEST(ParseId, AnythingElseNamesNothing) {
    for (const char* text : {"", "0", "00", "012", "-1", "+1", "-0", " 1", "1 ", "1a", "a1", "1.0", "0x10",
                             "1e3", "9223372036854775808", "99999999999999999999", "１２"}) {
        EXPECT_THROW(parse_id(text), NotFoundError) << "'" << text << "'";
    }
    try {
        parse_id("abc");
        FAIL() << "no error";
    } catch (const NotFoundError& e) {
        EXPECT_STREQ(e.what(), "no such number: abc");
    }
}

TEST(ParseIdParam, AMalformedNumberIsABadRequest) {
    EXPECT_EQ(parse_id_param("category", "3"), 3);
    for (const char* value : {"", "0", "03", "-3", "x", "3 "}) {
        EXPECT_THROW(parse_id_param("category", value), BadRequestError) << "'" << value << "'";
    }
    try {
        parse_id_param("category", "abc");
        FAIL() << "no error";
    } catch (const BadRequestError& e) {
        EXPECT_STREQ(e.what(), "category must be a number, not 'abc'");
    }
}

TEST(ParseIntParam, ANumberInItsRangeOrTheFallback) {
    EXPECT_EQ(parse_int_param("page", "", 7, 1, 10), 7) << "absent: the fallback, even outside the range";
    EXPECT_EQ(parse_int_param("page", "", 70, 1, 10), 70);
    EXPECT_EQ(parse_int_param("page", "1", 7, 1, 10), 1);
    EXPECT_EQ(parse_int_param("page", "10", 7, 1, 10), 10);
    EXPECT_EQ(parse_int_param("page", "010", 7, 1, 10), 10) << "leading zeros are allowed in numbers";
    EXPECT_EQ(parse_int_param("x", "-3", 0, -5, 5), -3);
    EXPECT_EQ(parse_int_param("x", "-9223372036854775808", 0, LLONG_MIN, 0), LLONG_MIN);
}

TEST(ParseIntParam, OutOfRangeOrMalformedIsABadRequest) {
    for (const char* value : {"0", "11", "-1", "+3", "3x", " 3", "3 ", "3.0", "0x3", "99999999999999999999",
                              "-99999999999999999999", "-"}) {
        EXPECT_THROW(parse_int_param("page", value, 1, 1, 10), BadRequestError) << "'" << value << "'";
    }
    try {
        parse_int_param("page", "0", 1, 1, 1000);
        FAIL() << "no error";
    } catch (const BadRequestError& e) {
        EXPECT_STREQ(e.what(), "page must be a whole number from 1 to 1000");
    }
}

TEST(PercentDecode, DecodesEscapesAndPlusInForms) {
    EXPECT_EQ(percent_decode("a%20b", false), "a b");
    EXPECT_EQ(percent_decode("%e6%96%87%E5%BA%93", false), "文库");
    EXPECT_EQ(percent_decode("a+b", false), "a+b");
    EXPECT_EQ(percent_decode("a+b", true), "a b");
    EXPECT_EQ(percent_decode("%2B", true), "+");
    EXPECT_EQ(percent_decode("", true), "");
    EXPECT_EQ(percent_decode("%25", false), "%");
}

TEST(PercentDecode, RefusesTruncatedAndNonHexEscapesAndNul) {
    for (const char* s : {"%", "%4", "a%", "a%4", "%zz", "%4g", "%g4", "%00", "a%00b", "% 1"}) {
        EXPECT_FALSE(percent_decode(s, false).has_value()) << s;
    }
    EXPECT_FALSE(percent_decode(std::string_view("a\0b", 3), false).has_value()) << "a raw NUL";
}

TEST(PercentEncode, KeepsOnlyUnreservedCharacters) {
    EXPECT_EQ(percent_encode("AZaz09-_.~"), "AZaz09-_.~");
    EXPECT_EQ(percent_encode("a b/文?&=+%"), "a%20b%2F%E6%96%87%3F%26%3D%2B%25");
    EXPECT_EQ(percent_encode(std::string_view("\0\xff", 2)), "%00%FF");
    EXPECT_EQ(percent_encode(""), "");
    const std::string any = "报告 2024/Q1 \"final\".docx";
    EXPECT_EQ(percent_decode(percent_encode(any), false), any) << "a round trip";
    EXPECT_EQ(percent_decode(percent_encode(any), true), any) << "a round trip as a form";
}

TEST(ParseForm, PairsDecodedFirstValueWins) {
    std::map<std::string, std::string> out;
    parse_form("reason=copyright&detail=%E6%96%87+x&reason=spam&flag&&=v&bad=%zz&%zz=bad&", out);
    const std::map<std::string, std::string> expected{
        {"reason", "copyright"}, {"detail", "文 x"}, {"flag", ""}, {"", "v"}};
    EXPECT_EQ(out, expected);

    std::map<std::string, std::string> kept{{"q", "already"}};
    parse_form("q=new&page=2", kept);
    EXPECT_EQ(kept.at("q"), "already") << "a name present already keeps its value";
    EXPECT_EQ(kept.at("page"), "2");

    std::map<std::string, std::string> none;
    parse_form("", none);
    parse_form("&&&", none);
    EXPECT_TRUE(none.empty());
}

TEST(CleanFileName, KeepsTheLastPathComponent) {
    EXPECT_EQ(clean_file_name("report.pdf"), "report.pdf");
    EXPECT_EQ(clean_file_name("../../etc/passwd"), "passwd");
    EXPECT_EQ(clean_file_name("C:\\Users\\li\\报告.docx"), "报告.docx");
    EXPECT_EQ(clean_file_name("a/b\\c/d.txt"), "d.txt");
    EXPECT_EQ(clean_file_name("dir/"), "upload");
}

TEST(CleanFileName, RemovesControlsBidiOverridesAndLeadingDots) {
    EXPECT_EQ(clean_file_name("\x01"
                              "bad\u202Egpj.txt"),
              "badgpj.txt");
    EXPECT_EQ(clean_file_name("a\u202Db\tc\x7f"
                              "d\u0085e.txt"),
              "abcde.txt");
    EXPECT_EQ(clean_file_name("..hidden"), "hidden");
    EXPECT_EQ(clean_file_name(" . .x"), "x");
    EXPECT_EQ(clean_file_name("a..b"), "a..b") << "only leading dots go";
    EXPECT_EQ(clean_file_name("a\xff\xfe"
                              "b"),
              "ab")
        << "invalid UTF-8 is dropped";
    for (const char* nothing : {"", ".", "..", "...", " ", "\x01\x02", "/"}) {
        EXPECT_EQ(clean_file_name(nothing), "upload") << "'" << nothing << "'";
    }
}

TEST(CleanFileName, IsCutTo200BytesAtACharacterBoundary) {
    EXPECT_EQ(clean_file_name(std::string(300, 'a')), std::string(200, 'a'));
    EXPECT_EQ(clean_file_name(std::string(200, 'a')), std::string(200, 'a'));
    std::string chinese;
    for (int i = 0; i < 100; ++i) chinese += "文";  // 3 bytes each
    const std::string cut = clean_file_name(chinese);
    EXPECT_EQ(cut.size(), 198u);
    EXPECT_EQ(cut, chinese.substr(0, 198));
}

}  // namespace
}  // namespace wenku::web
