// Near-duplicate detection end to end through the wenku binary: a real document re-uploaded under
// another name with a new title and one paragraph edited is flagged as a copy of the original
// (or refused, with ingest.near_duplicate = refuse), an unrelated document is not, and the
// library verifies afterwards. Documents: the project's own Chinese demo guide and a Chinese
// README from the shared corpus.
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace wenku::test {
namespace fs = std::filesystem;

namespace {

const fs::path demo_dir = fs::path(WENKU_SOURCE_DIR) / "demo";

/// `text` with the first occurrence of `from` replaced by `to`; fails the test if it is absent.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
}

std::string number_of(const nlohmann::json& doc) { return std::to_string(doc["id"].get<int>()); }

class NearDuplicateTest : public ::testing::Test {
  protected:
    void SetUp() override {
        data = dir.path() / "data";
        inbox = dir.path() / "inbox";
        fs::create_directories(inbox);
    }
    void TearDown() override { ::unsetenv("WENKU_INGEST_NEAR_DUPLICATE"); }

    /// Adds `name` with `text` on its own (so documents are committed in the order added).
    CommandResult add(const std::string& name, const std::string& text) {
        write_file(inbox / name, text);
        return run_wenku(data, {"add", (inbox / name).string()});
    }

    /// Adds the original and then the copy; expects the copy flagged as a near-duplicate of the
    /// original with at least 90% similarity, and returns that similarity.
    double expect_copy_flagged(const std::string& original_name, const std::string& original,
                               const std::string& copy_name, const std::string& copy) {
        const auto first = add(original_name, original);
        EXPECT_EQ(first.exit_code, 0) << first.err;
        const auto second = add(copy_name, copy);
        EXPECT_EQ(second.exit_code, 0) << second.err;
        auto docs = documents_by_name(data);
        const auto& o = docs[original_name];
        const auto& c = docs[copy_name];
        EXPECT_EQ(c["status"], "ready") << c.dump();
        EXPECT_TRUE(o["near_duplicate_of"].is_null()) << o.dump();
        EXPECT_EQ(c["near_duplicate_of"], o["id"]) << c.dump();
        const double similarity =
            c["near_duplicate_similarity"].is_number() ? c["near_duplicate_similarity"].get<double>() : 0;
        EXPECT_GE(similarity, 0.9);
        EXPECT_NE(second.err.find("№" + number_of(c) + " looks like a copy of №" + number_of(o) + " ("),
                  std::string::npos)
            << second.err;
        const auto info = run_wenku(data, {"info", number_of(c)});
        EXPECT_NE(info.out.find("near-duplicate of №" + number_of(o) + " ("), std::string::npos) << info.out;
        EXPECT_NE(info.out.find("% the same)"), std::string::npos) << info.out;
        return similarity;
    }

    TempDir dir;
    fs::path data, inbox;
};

/// The demo guide re-uploaded: another title, and one of its ten prose paragraphs touched up.
std::string edited_guide(const std::string& guide) {
    std::string copy = replaced(guide, "# 文库使用指南", "# 文库系统操作手册（内部资料）");
    return replaced(copy, "每一页都会生成一张宽度为一千像素的 WebP 预览图",
                    "每一页都会被渲染成一张宽一千二百像素的 WebP 图片");
}

}  // namespace

TEST_F(NearDuplicateTest, AnEditedCopyOfTheDemoGuideIsFlaggedAndAnUnrelatedDocumentIsNot) {
    const std::string guide = read_file(demo_dir / "文库使用指南.md");
    const double similarity =
        expect_copy_flagged("文库使用指南.md", guide, "操作手册-最终版.md", edited_guide(guide));
    std::printf("demo guide, new title + one paragraph edited: %.3f the same\n", similarity);

    ASSERT_EQ(
        add("关于文库的十个问题.txt", read_file(demo_dir / "gb18030" / "关于文库的十个问题.txt")).exit_code,
        0);
    auto docs = documents_by_name(data);
    EXPECT_TRUE(docs["关于文库的十个问题.txt"]["near_duplicate_of"].is_null())
        << docs["关于文库的十个问题.txt"].dump();
    EXPECT_TRUE(docs["关于文库的十个问题.txt"]["near_duplicate_similarity"].is_null());

    // The table marks the copy compactly.
    const auto ls = run_wenku(data, {"ls"});
    EXPECT_NE(ls.out.find("ready ≈№" + number_of(docs["文库使用指南.md"])), std::string::npos) << ls.out;
    EXPECT_EQ(run_wenku(data, {"verify"}).exit_code, 0);

    // Removing the original leaves the copy, no longer pointing anywhere.
    ASSERT_EQ(run_wenku(data, {"rm", number_of(docs["文库使用指南.md"])}).exit_code, 0);
    docs = documents_by_name(data);
    EXPECT_TRUE(docs["操作手册-最终版.md"]["near_duplicate_of"].is_null())
        << docs["操作手册-最终版.md"].dump();
    EXPECT_EQ(run_wenku(data, {"verify"}).exit_code, 0);
}

TEST_F(NearDuplicateTest, AnEditedCopyOfACorpusDocumentIsFlagged) {
    if (!corpus_dir()) GTEST_SKIP() << corpus_missing_message();
    const fs::path readme = *corpus_dir() / "files" / "md" / "kkfileview__README.cn.md";
    if (!fs::exists(readme)) GTEST_SKIP() << "SKIPPED LOUDLY: the corpus has no " << readme;
    const std::string original = read_file(readme);
    std::string copy = replaced(original, "# kkFileView", "# 万能文件在线预览系统使用说明");
    copy = replaced(copy, "- 最最重要 Apache 协议开源，代码 pull 下来想干嘛就干嘛",
                    "- 最重要的是它采用 Apache 协议开源，代码可以自由修改与使用");
    const double similarity = expect_copy_flagged("kkfileview-README.md", original, "文件预览说明.md", copy);
    std::printf("corpus README, new title + one paragraph edited: %.3f the same\n", similarity);
    EXPECT_EQ(run_wenku(data, {"verify"}).exit_code, 0);
}

TEST_F(NearDuplicateTest, WithRefuseTheCopyFailsNamingTheOriginalAndLeavesNothingBehind) {
    const std::string guide = read_file(demo_dir / "文库使用指南.md");
    ::setenv("WENKU_INGEST_NEAR_DUPLICATE", "refuse", 1);
    ASSERT_EQ(add("文库使用指南.md", guide).exit_code, 0);
    const auto r = add("操作手册-最终版.md", edited_guide(guide));
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("duplicate: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("% the same as №1 «文库使用指南»; refused (ingest.near_duplicate = refuse)"),
              std::string::npos)
        << r.err;

    auto docs = documents_by_name(data);
    const auto& copy = docs["操作手册-最终版.md"];
    EXPECT_EQ(copy["status"], "failed");
    EXPECT_EQ(copy["error"].get<std::string>().rfind("duplicate: ", 0), 0u) << copy.dump();
    EXPECT_TRUE(copy["near_duplicate_of"].is_null());
    EXPECT_EQ(copy["page_count"], 0);
    const std::string sha = copy["sha256"];
    EXPECT_FALSE(fs::exists(data / "pages" / sha.substr(0, 2) / sha));  // no previews left behind
    const auto text = run_wenku(data, {"text", number_of(copy)});
    EXPECT_EQ(text.out, "");

    // An unrelated document still goes in.
    EXPECT_EQ(
        add("关于文库的十个问题.txt", read_file(demo_dir / "gb18030" / "关于文库的十个问题.txt")).exit_code,
        0);
    const auto verify = run_wenku(data, {"verify"});
    EXPECT_EQ(verify.exit_code, 0) << verify.out;
}

TEST_F(NearDuplicateTest, OfTwoCopiesConvertedAtOnceTheOneCommittedSecondIsTheCopy) {
    const std::string guide = read_file(demo_dir / "文库使用指南.md");
    write_file(inbox / "a.md", guide);
    write_file(inbox / "b.md", edited_guide(guide));
    const auto r =
        run_wenku(data, {"add", "--jobs", "2", (inbox / "a.md").string(), (inbox / "b.md").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto docs = documents_by_name(data);
    const bool a_flagged = !docs["a.md"]["near_duplicate_of"].is_null();
    const bool b_flagged = !docs["b.md"]["near_duplicate_of"].is_null();
    EXPECT_NE(a_flagged, b_flagged) << docs["a.md"].dump() << "\n" << docs["b.md"].dump();
    const auto& copy = a_flagged ? docs["a.md"] : docs["b.md"];
    const auto& original = a_flagged ? docs["b.md"] : docs["a.md"];
    EXPECT_EQ(copy["near_duplicate_of"], original["id"]);
}

TEST_F(NearDuplicateTest, OffComparesNothing) {
    const std::string guide = read_file(demo_dir / "文库使用指南.md");
    ::setenv("WENKU_INGEST_NEAR_DUPLICATE", "off", 1);
    ASSERT_EQ(add("文库使用指南.md", guide).exit_code, 0);
    ASSERT_EQ(add("操作手册-最终版.md", edited_guide(guide)).exit_code, 0);
    EXPECT_TRUE(documents_by_name(data)["操作手册-最终版.md"]["near_duplicate_of"].is_null());

    ::setenv("WENKU_INGEST_NEAR_DUPLICATE", "sometimes", 1);
    const auto r = add("another.md", guide + "\n另外一段。\n");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("ingest.near_duplicate must be flag, refuse or off, not 'sometimes'"),
              std::string::npos)
        << r.err;
}

}  // namespace wenku::test
