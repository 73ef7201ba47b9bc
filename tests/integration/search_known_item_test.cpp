// Known-item search on 100,000 real poems (the npm package chinese-poetry, mostly Traditional
// characters): a 4-7 character fragment of one line, converted to Simplified with OpenCC's full
// phrase-aware converter, must find its poem near the top. Prints the mean reciprocal rank.
#include <cstdio>
#include <random>

#include <gtest/gtest.h>
#include <opencc/SimpleConverter.hpp>

#include "core/utf8.h"
#include "search/fold.h"
#include "search/search_index.h"
#include "search_bench/poetry.h"
#include "support/test_support.h"

using namespace wenku;
using wenku::test::TempDir;

namespace {

constexpr std::size_t indexed_poems = 100'000;
constexpr int known_items = 1000;

std::optional<std::string> poetry_dir() {
    if (const char* env = std::getenv("WENKU_POETRY_DIR"); env && *env) return std::string(env);
    const auto r = test::run_command({std::string(WENKU_SOURCE_DIR) + "/bench/fetch-poetry"});
    if (r.exit_code != 0) return std::nullopt;
    std::string dir = r.out;
    while (!dir.empty() && (dir.back() == '\n' || dir.back() == '\r')) dir.pop_back();
    return dir;
}

/// The CJK runs of a line (between punctuation) that are at least 4 characters long.
std::vector<std::u32string> clauses(const std::string& line) {
    std::vector<std::u32string> out;
    std::u32string run;
    for (const char32_t c : decode_utf8(line + "。")) {
        if (search::is_cjk(c)) {
            run.push_back(c);
        } else {
            if (run.size() >= 4) out.push_back(run);
            run.clear();
        }
    }
    return out;
}

}  // namespace

TEST(SearchKnownItemTest, FragmentsOfOneLineInSimplifiedFindTheirPoem) {
    const auto dir = poetry_dir();
    if (!dir) {
        GTEST_SKIP() << "SKIPPED LOUDLY: the chinese-poetry package could not be installed "
                        "(bench/fetch-poetry needs npm "
                        "and the npm registry); set WENKU_POETRY_DIR to its dist folder";
    }
    const auto poems = bench::load_poems(*dir, indexed_poems);
    ASSERT_GE(poems.size(), indexed_poems / 2);
    TempDir tmp;
    const auto index = tmp.path() / "index";
    std::size_t next = 0;
    std::vector<std::u32string> folded_texts;
    for (const auto& p : poems) folded_texts.push_back(search::fold(decode_utf8(p.text())));
    search::build_index(index, search::TextPolicy{}, 2, [&]() -> std::optional<search::IndexInput> {
        if (next >= poems.size()) return std::nullopt;
        search::IndexInput in;
        in.document.id = static_cast<std::int64_t>(next + 1);
        in.document.title = poems[next].title;
        in.document.format = "txt";
        Page page;
        page.document_id = in.document.id;
        page.number = 1;
        page.text = poems[next].text();
        in.pages.push_back(page);
        ++next;
        return in;
    });

    const opencc::SimpleConverter to_simplified("/usr/share/opencc/t2s.json");
    const search::IndexReader reader(index);
    std::mt19937 random(20261126);
    double reciprocal_ranks = 0;
    int top3 = 0;
    int asked = 0;
    while (asked < known_items) {
        const std::size_t target = std::uniform_int_distribution<std::size_t>(0, poems.size() - 1)(random);
        const auto& lines = poems[target].lines;
        const auto runs =
            clauses(lines[std::uniform_int_distribution<std::size_t>(0, lines.size() - 1)(random)]);
        if (runs.empty()) continue;
        const auto& run = runs[std::uniform_int_distribution<std::size_t>(0, runs.size() - 1)(random)];
        const std::size_t length =
            std::min<std::size_t>(run.size(), std::uniform_int_distribution<std::size_t>(4, 7)(random));
        const std::size_t start = std::uniform_int_distribution<std::size_t>(0, run.size() - length)(random);
        const std::string query = to_simplified.Convert(encode_utf8(run.substr(start, length)));
        ++asked;

        search::SearchRequest request;
        request.query = query;
        request.exact_total = false;
        const auto results = reader.search(request, {});
        for (std::size_t rank = 0; rank < results.hits.size(); ++rank) {
            // The same poem collected twice (under another title or poet) is the same item.
            const auto id = static_cast<std::size_t>(results.hits[rank].document_id - 1);
            if (id == target || folded_texts[id] == folded_texts[target]) {
                reciprocal_ranks += 1.0 / static_cast<double>(rank + 1);
                if (rank < 3) ++top3;
                break;
            }
        }
    }
    const double mrr = reciprocal_ranks / asked;
    std::printf(
        "known-item search: %d fragments of 4-7 characters (Simplified) over %zu poems: MRR %.4f, "
        "in the top 3: %d (%.1f%%)\n",
        asked, poems.size(), mrr, top3, 100.0 * top3 / asked);
    EXPECT_GE(mrr, 0.95);
}
