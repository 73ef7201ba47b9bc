// What search may tell about locked pages (TextPolicy): nothing but a document's key terms; the
// index re-indexed when the policy changes; and what 相关搜索 may suggest: searches of several
// clients on several days, nothing the operator's blocklist names, a log pruned by age and size.
#include <ctime>

#include <gtest/gtest.h>

#include "search/blocklist.h"
#include "search/search_index.h"
#include "search/suggest.h"
#include "store/repository.h"
#include "support/search_fixture.h"
#include "support/test_support.h"

namespace {

using namespace wenku;
using namespace wenku::search;
using namespace wenku::test;
namespace fs = std::filesystem;

/// Three pages: page 1 public under free_pages = 1; 麒麟 four times on page 3 (a key term); a
/// sentence once on page 3.
const std::vector<std::string> three_pages = {
    "第一页：公开的介绍文字，春风又绿江南岸。",
    "第二页：付费内容，明月何时照我还。",
    "第三页：麒麟出没，麒麟再现，麒麟三现，麒麟四现。秘密口令是青龙白虎。",
};

SearchResults search_in(const fs::path& index, const std::string& query) {
    SearchRequest request;
    request.query = query;
    return IndexReader(index).search(request, {});
}

TextPolicy one_free_page() {
    TextPolicy policy;
    policy.default_free_pages = 1;
    return policy;
}

TEST(SearchPolicyTest, LockedPagesMatchOnlyThroughKeyTermsAndNameNoPage) {
    TempDir dir;
    const fs::path index = dir.path() / "index";
    {
        IndexWriter writer(index, one_free_page());
        writer.add(ready_document(1, "测试文档"), text_pages(1, three_pages), {});
        writer.commit();
    }
    const auto open = search_in(index, "江南");
    ASSERT_EQ(open.hits.size(), 1u);
    EXPECT_EQ(open.hits[0].pages, std::vector<int>{1});
    for (const char* locked : {"明月", "\"秘密口令\"", "青龙", "白虎", "秘", "\"青龙白虎\""})
        EXPECT_EQ(search_in(index, locked).total, 0) << locked;
    const auto key = search_in(index, "麒麟");
    ASSERT_EQ(key.hits.size(), 1u) << "a key term of a locked page";
    EXPECT_TRUE(key.hits[0].pages.empty()) << "a hit names a locked page";
    EXPECT_EQ(search_in(index, "江南 -麒麟").total, 0) << "key terms exclude too";

    const IndexReader reader(index);
    const auto terms = reader.key_terms(1, 20);
    ASSERT_FALSE(terms.empty());
    EXPECT_EQ(terms[0].first, "麒麟");
    for (const auto& [term, weight] : terms) EXPECT_NE(term, "青龙") << "a pair used once is no key term";
    EXPECT_EQ(reader.text_policy(), one_free_page().fingerprint());
    EXPECT_EQ(reader.public_pages(1), 1);
}

TEST(SearchPolicyTest, AnotherPolicyReindexesEveryDocument) {
    TempDir dir;
    auto repo = open_sqlite_repository((dir.path() / "wenku.db").string());
    const fs::path index = dir.path() / "index";
    const auto id = add_ready_document(*repo, "测试文档", three_pages);
    EXPECT_EQ(reconcile_index(*repo, index, one_free_page()), 1);
    EXPECT_EQ(search_in(index, "\"青龙白虎\"").total, 0);
    EXPECT_EQ(reconcile_index(*repo, index, one_free_page()), 0);

    EXPECT_EQ(reconcile_index(*repo, index, TextPolicy::everything()), 1) << "indexed anew";
    const auto all = search_in(index, "\"青龙白虎\"");
    ASSERT_EQ(all.hits.size(), 1u);
    EXPECT_EQ(all.hits[0].document_id, id);
    EXPECT_EQ(all.hits[0].pages, std::vector<int>{3});
    EXPECT_EQ(IndexReader(index).text_policy(), TextPolicy::everything().fingerprint());

    // Back: a rebuild follows the policy too.
    EXPECT_EQ(rebuild_index([&] { return open_sqlite_repository((dir.path() / "wenku.db").string()); }, index,
                            one_free_page(), 1),
              1);
    EXPECT_EQ(search_in(index, "\"青龙白虎\"").total, 0);
    EXPECT_EQ(reconcile_index(*repo, index, one_free_page(), ReconcileCheck::full), 0);
}

TEST(SearchBlocklistTest, BlocksFoldedWordsAndPatterns) {
    TempDir dir;
    const fs::path file = dir.path() / blocklist_file_name;
    const SearchBlocklist none(file);
    EXPECT_FALSE(none.blocks("论文代写")) << "no file blocks nothing";
    write_file(file, "# 注释\n\n代写\n加*微信\nSPAM\n");
    const SearchBlocklist list(file);
    EXPECT_TRUE(list.blocks("论文代写"));
    EXPECT_TRUE(list.blocks("論文代寫")) << "Traditional folds to Simplified";
    EXPECT_TRUE(list.blocks("加我微信"));
    EXPECT_TRUE(list.blocks("buy spam now"));
    EXPECT_FALSE(list.blocks("微信加"));
    EXPECT_FALSE(list.blocks("注释"));
    EXPECT_TRUE(suggestible("春风", true, 24, &list));
    EXPECT_FALSE(suggestible("春风", false, 24, &list)) << "operators";
    EXPECT_FALSE(suggestible("春风又绿江南岸", true, 5, &list)) << "too long";
}

TEST(SearchLogTest, SuggestsOnlyWhatSeveralClientsSearchedOnSeveralDays) {
    TempDir dir;
    auto repo = open_sqlite_repository((dir.path() / "wenku.db").string());
    const auto a = add_ready_document(*repo, "一", {"春风"});
    const std::int64_t today = std::time(nullptr) / 86400;
    repo->record_searches({{"春风", {a}, 1, {"10.0.0.1", "10.0.0.2"}, today - 1},
                           {"春风", {a}, 1, {"10.0.0.3"}, today},
                           {"明月", {a}, 50, {"10.0.0.1"}, today},
                           {"江南", {a}, 3, {"10.0.0.1", "10.0.0.2", "10.0.0.3"}, today}});
    const SuggestionBar bar{3, 2};
    EXPECT_EQ(repo->searches_leading_to({a}, 10, bar), std::vector<std::string>{"春风"});
    EXPECT_EQ(repo->searches_leading_to({a}, 10).size(), 3u) << "no bar";

    repo->record_searches({{"古文", {a}, 1, {"10.0.0.1"}, today - 400}});
    EXPECT_EQ(repo->prune_search_log(90, 100), 1) << "older than 90 days";
    EXPECT_EQ(repo->prune_search_log(90, 2), 1) << "beyond 2 queries: the least recent, least searched";
    EXPECT_EQ(repo->searches_leading_to({a}, 10), (std::vector<std::string>{"明月", "江南"}));
}

}  // namespace
