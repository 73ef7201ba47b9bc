// Search through the real binary: documents imported by `wenku import` (real worker processes)
// are found on the right pages; the index follows removals, survives its own loss and rebuilds.
#include <map>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/utf8.h"
#include "search/fold.h"
#include "search/tokens.h"
#include "support/test_support.h"

using namespace wenku;
using namespace wenku::test;
namespace fs = std::filesystem;

namespace {

nlohmann::json search_json(const fs::path& data, const std::string& query, int per_page = 100) {
    const auto r = run_wenku(data, {"search", query, "--json", "--per-page", std::to_string(per_page)});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out);
}

/// The hit for document `id` in search results, or null.
nlohmann::json hit_for(const nlohmann::json& results, std::int64_t id) {
    for (const auto& h : results["hits"]) {
        if (h["id"] == id) return h;
    }
    return nullptr;
}

/// The documents and pages of search results, in order (weights depend on the library's size).
std::vector<std::pair<std::int64_t, int>> ranked(const nlohmann::json& results) {
    std::vector<std::pair<std::int64_t, int>> out;
    for (const auto& h : results["hits"]) out.emplace_back(h["id"].get<std::int64_t>(), h["page"].get<int>());
    return out;
}

/// Index terms (words and CJK pairs) of a text, folded, as the index makes them.
std::set<std::string> terms_of(const std::string& text) {
    const std::u32string folded = search::fold(decode_utf8(text));
    const auto tokens = search::tokenize(folded);
    std::set<std::string> out;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const auto& t = tokens[i];
        if (!t.cjk && t.end - t.begin >= 6) {
            const std::string word = search::term_of(folded, t);
            if (word.find_first_of("0123456789") == std::string::npos) out.insert(word);
        }
        if (i > 0 && search::forms_pair(tokens[i - 1], t))
            out.insert(search::pair_term_of(folded, tokens[i - 1], t));
    }
    return out;
}

}  // namespace

TEST(SearchCliTest, WordsOnOnePageOfACorpusDocumentNameThatPage) {
    if (!corpus_dir()) GTEST_SKIP() << corpus_missing_message();
    TempDir data;
    TempDir demo;
    // Every page's text searchable, as with site.public_text = all (the default makes only the
    // free pages' text searchable: search_oracle_test.cpp).
    write_file(data.path() / "wenku.conf", "site.public_text = all\n");
    // The corpus PDFs and the project's own documents (Chinese PDFs of several pages among them).
    ASSERT_EQ(run_wenku(data.path(), {"demo", "--source", WENKU_SOURCE_DIR, "--write", demo.path().string()})
                  .exit_code,
              0);
    for (const auto& folder : {*corpus_dir() / "files" / "pdf", demo.path()}) {
        const auto imported = run_wenku(data.path(), {"import", folder.string()});
        ASSERT_TRUE(imported.exit_code == 0 || imported.exit_code == 1) << imported.err;
    }
    const auto listed = run_wenku(data.path(), {"ls", "--json", "--status", "ready"});
    int checked = 0;
    int cjk_checked = 0;
    std::istringstream lines(listed.out);
    for (std::string line; std::getline(lines, line);) {
        const auto doc = nlohmann::json::parse(line);
        if (doc["page_count"].get<int>() < 2) continue;
        const std::int64_t id = doc["id"];
        const auto pages = page_texts(data.path(), id);
        ASSERT_EQ(static_cast<int>(pages.size()), doc["page_count"].get<int>());
        std::map<std::string, std::set<int>> where;
        for (std::size_t p = 0; p < pages.size(); ++p) {
            for (const auto& term : terms_of(pages[p])) where[term].insert(static_cast<int>(p + 1));
        }
        const auto title_terms = terms_of(doc["title"].get<std::string>());
        // For every page that has them, a Chinese pair and a word that occur on that page only.
        for (const bool chinese : {true, false}) {
            std::set<int> pages_done;
            for (const auto& [term, on] : where) {
                if (on.size() != 1 || pages_done.count(*on.begin()) || title_terms.count(term)) continue;
                if (search::is_cjk(decode_utf8(term)[0]) != chinese) continue;
                pages_done.insert(*on.begin());
                const auto results = search_json(data.path(), term);
                const auto hit = hit_for(results, id);
                ASSERT_FALSE(hit.is_null()) << "№" << id << " not found by '" << term << "'";
                EXPECT_EQ(hit["pages"], nlohmann::json::array({*on.begin()}))
                    << "'" << term << "' in №" << id;
                EXPECT_EQ(hit["page"], *on.begin());
                std::string highlighted;
                for (const auto& f : hit["snippet"]) {
                    if (f["hit"]) highlighted += f["text"].get<std::string>();
                }
                EXPECT_EQ(search::fold_utf8(highlighted).find(term), 0u)
                    << "snippet highlights '" << highlighted << "' for '" << term << "'";
                ++checked;
                if (chinese) ++cjk_checked;
            }
        }
    }
    std::printf(
        "page hits checked: %d words and pairs (%d Chinese) on single pages of multi-page corpus PDFs\n",
        checked, cjk_checked);
    EXPECT_GE(checked, 50);
    EXPECT_GE(cjk_checked, 8);
}

TEST(SearchCliTest, TheIndexFollowsImportRemovalLossAndRebuild) {
    TempDir data;
    TempDir demo;
    ASSERT_EQ(run_wenku(data.path(), {"demo", "--source", WENKU_SOURCE_DIR, "--write", demo.path().string()})
                  .exit_code,
              0);
    ASSERT_EQ(run_wenku(data.path(), {"import", demo.path().string()}).exit_code, 0);

    // The project's Chinese sample: Traditional query, Simplified text, page and snippet.
    auto r = search_json(data.path(), "機關");
    ASSERT_GE(r["total"].get<int>(), 1);
    const std::int64_t guide = r["hits"][0]["id"];
    std::string highlighted;
    for (const auto& f : r["hits"][0]["snippet"]) {
        if (f["hit"]) highlighted += f["text"].get<std::string>();
    }
    EXPECT_EQ(highlighted, "机关");
    const auto before = search_json(data.path(), "文库");
    ASSERT_GE(before["total"].get<int>(), 3);

    // Removed: gone from the results.
    ASSERT_EQ(run_wenku(data.path(), {"rm", std::to_string(guide)}).exit_code, 0);
    EXPECT_TRUE(hit_for(search_json(data.path(), "機關"), guide).is_null());

    // The index lost altogether: the next search (or conversion) puts it right first.
    fs::remove_all(data.path() / "index");
    const auto again = run_wenku(data.path(), {"search", "文库", "--json"});
    EXPECT_NE(again.err.find("search index: 10 documents added"), std::string::npos) << again.err;
    const auto after = search_json(data.path(), "文库");
    EXPECT_EQ(after["total"], before["total"].get<int>() - 1);
    fs::remove_all(data.path() / "index");
    const fs::path other = demo.path() / "other" / "另一份文件.txt";
    std::string poem;
    for (int i = 0; i < 20; ++i) poem += "春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。\n";
    write_file(other, poem);
    const auto added = run_wenku(data.path(), {"add", other.string()});
    EXPECT_NE(added.err.find("search index: 10 documents added"), std::string::npos) << added.err;
    EXPECT_EQ(ranked(search_json(data.path(), "文库")), ranked(after));
    EXPECT_EQ(search_json(data.path(), "春眠")["total"], 1);

    // Rebuilt from the database: the same results.
    const auto rebuilt = run_wenku(data.path(), {"reindex"});
    ASSERT_EQ(rebuilt.exit_code, 0) << rebuilt.err;
    EXPECT_EQ(ranked(search_json(data.path(), "文库")), ranked(after));
}
