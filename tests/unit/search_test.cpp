// The search layer on real text: folding, query syntax, highlights, the Xapian index with page
// hits, filters, sorting, facets, related documents and reconciliation with the database.
#include <map>

#include <gtest/gtest.h>

#include "core/config.h"
#include "core/errors.h"
#include "core/settings.h"
#include "core/utf8.h"
#include "search/fold.h"
#include "search/highlight.h"
#include "search/query.h"
#include "search/search_index.h"
#include "search/search_options.h"
#include "search/suggest.h"
#include "store/repository.h"
#include "support/search_fixture.h"
#include "support/test_support.h"

using namespace wenku;
using namespace wenku::search;
using namespace wenku::test;
namespace fs = std::filesystem;

namespace {

std::string hits_of(const std::vector<Fragment>& fragments) {
    std::string out;
    for (const auto& f : fragments) {
        if (f.hit) out += (out.empty() ? "" : "|") + f.text;
    }
    return out;
}

/// An index of a few documents, with their page texts for snippets.
class SearchIndexTest : public ::testing::Test {
  protected:
    void add(const Document& d, const std::vector<std::string>& pages,
             const std::vector<Category>& chain = {}) {
        IndexWriter writer(dir_.path() / "index", TextPolicy{});
        writer.add(d, text_pages(d.id, pages), chain);
        writer.commit();
        for (std::size_t i = 0; i < pages.size(); ++i) texts_[{d.id, static_cast<int>(i + 1)}] = pages[i];
    }

    SearchResults search(const std::string& query, SearchRequest request = {}) {
        IndexReader reader(dir_.path() / "index");
        request.query = query;
        return reader.search(request, [this](std::int64_t id, int page) -> std::optional<std::string> {
            const auto it = texts_.find({id, page});
            if (it == texts_.end()) return std::nullopt;
            return it->second;
        });
    }

    std::vector<std::int64_t> ids(const SearchResults& r) {
        std::vector<std::int64_t> out;
        for (const auto& h : r.hits) out.push_back(h.document_id);
        return out;
    }

    void SetUp() override {
        // A Traditional poem, a Simplified guide of three pages, an English paper.
        Document poem = ready_document(1, "春夜喜雨", "txt", 100);
        add(poem, {"好雨知時節，當春乃發生。\n隨風潛入夜，潤物細無聲。\n春風又綠江南岸，機關算盡太聰明。"});
        Document guide = ready_document(2, "文库使用指南", "pdf", 200);
        Category root{10, std::nullopt, "实用范文"};
        Category child{11, 10, "写作指导"};
        guide.category_id = 11;
        add(guide,
            {"本文介绍文库的基本用法：如何上传文档。", "搜索以页为单位，春风拂面。机关单位的文档也可以上传。",
             "春风得意马蹄疾，一日看尽长安花。下载原文件需要积分。"},
            {root, child});
        Document paper = ready_document(3, "Trace-based Just-in-Time Type Specialization", "pdf", 300);
        add(paper,
            {"Dynamic languages such as JavaScript are more difficult to compile than statically typed ones.",
             "We present a trace-based compilation technique for dynamic languages."});
    }

    TempDir dir_;
    std::map<std::pair<std::int64_t, int>, std::string> texts_;
};

}  // namespace

TEST(FoldTest, TraditionalBecomesSimplifiedOneCharacterForOne) {
    EXPECT_EQ(fold_utf8("春風又綠江南岸"), "春风又绿江南岸");
    EXPECT_EQ(fold_utf8("機關"), "机关");
    EXPECT_EQ(fold_utf8("ＡＢＣ１２３"), "abc123");
    EXPECT_EQ(fold_utf8("Hello　World"), "hello world");
    const std::u32string traditional = U"後臺發髮裏裡";
    EXPECT_EQ(fold(traditional).size(), traditional.size());
    EXPECT_EQ(fold_utf8("後臺發髮裏裡"), "后台发发里里");
}

TEST(QueryTest, ParsesWordsPhrasesExclusionsAndFilters) {
    const ParsedQuery q =
        parse_query("春風 \"明月 光\" -秋天 format:pdf category:12 uploader:Li title:指南 c++");
    ASSERT_EQ(q.parts.size(), 5u);
    EXPECT_EQ(q.parts[0].folded, U"春风");
    EXPECT_FALSE(q.parts[0].phrase);
    EXPECT_TRUE(q.parts[1].phrase);
    EXPECT_EQ(q.parts[1].folded, U"明月 光");
    EXPECT_TRUE(q.parts[2].exclude);
    EXPECT_TRUE(q.parts[3].title_only);
    EXPECT_EQ(q.parts[4].folded, U"c++");
    EXPECT_EQ(q.formats, std::vector<std::string>{"pdf"});
    EXPECT_EQ(q.categories, std::vector<std::string>{"12"});
    EXPECT_EQ(q.uploaders, std::vector<std::string>{"li"});
    EXPECT_EQ(parse_query("春風  又綠").canonical(), parse_query("春风 又绿").canonical());
    EXPECT_TRUE(parse_query("  \"  ").parts.empty());
    // At most 32 parts; filters after them still count (found by fuzz_query: the canonical
    // spelling of a long query lost its filters when parsed again).
    std::string many;
    for (int i = 0; i < 40; ++i) many += "w" + std::to_string(i) + " ";
    const ParsedQuery capped = parse_query(many + "format:pdf");
    EXPECT_EQ(capped.parts.size(), 32u);
    EXPECT_EQ(capped.formats, std::vector<std::string>{"pdf"});
    EXPECT_EQ(parse_query(capped.canonical()).canonical(), capped.canonical());
    EXPECT_FALSE(parse_query("-only").has_positive_part());
}

TEST(QueryTest, LimitsCutWhatIsReadNotTheFilters) {
    QueryLimits limits;
    limits.max_chars = 9;
    EXPECT_EQ(parse_query("春风又绿江南岸 明月", limits).canonical(), "春风又绿江南岸 明");
    limits = QueryLimits{};
    limits.max_parts = 2;
    const ParsedQuery two = parse_query("一 二 三 format:pdf", limits);
    EXPECT_EQ(two.parts.size(), 2u);
    EXPECT_EQ(two.formats, std::vector<std::string>{"pdf"});
    limits = QueryLimits{};
    limits.max_part_tokens = 3;
    EXPECT_EQ(parse_query("春风又绿江南岸", limits).parts.at(0).tokens.size(), 3u);
}

TEST(SearchOptionsTest, SettingsDefaultsAreTheOptionsDefaultsAndRangesAreChecked) {
    Settings settings;
    const SearchOptions read = SearchOptions::from(Config::from(settings).search);
    const SearchOptions defaults;
    EXPECT_EQ(read.query.max_chars, defaults.query.max_chars);
    EXPECT_EQ(read.query.max_parts, defaults.query.max_parts);
    EXPECT_EQ(read.query.max_part_tokens, defaults.query.max_part_tokens);
    EXPECT_EQ(read.snippet_chars, defaults.snippet_chars);
    EXPECT_EQ(read.related_list_size, defaults.related_list_size);
    EXPECT_EQ(read.related_refresh_percent, defaults.related_refresh_percent);
    EXPECT_EQ(read.log_max_pending, defaults.log_max_pending);
    EXPECT_EQ(read.reader_reopen, defaults.reader_reopen);
    settings.set("search.snippet_chars", "0");
    EXPECT_THROW(SearchOptions::from(Config::from(settings).search), UsageError);
    settings.set("search.snippet_chars", "many");
    EXPECT_THROW(SearchOptions::from(Config::from(settings).search), UsageError);
    settings.set("search.snippet_chars", "60");
    settings.set("search.reader_reopen_ms", "0");
    EXPECT_EQ(SearchOptions::from(Config::from(settings).search).snippet_chars, 60u);
    EXPECT_EQ(SearchOptions::from(Config::from(settings).search).reader_reopen.count(), 0);
}

TEST(HighlightTest, CoversExactlyTheMatchedCharactersInTheDocumentsOwnScript) {
    const auto q = parse_query("春风");
    // 春風 is highlighted (Traditional), the lone 春 of 春天 and 風 of 風雨 are not.
    EXPECT_EQ(hits_of(highlight("春風又綠，春天風雨", q)), "春風");
    EXPECT_EQ(hits_of(highlight("一夜春\n風", q)), "春\n風");  // a line break inside the word
    EXPECT_EQ(hits_of(highlight("春，風", q)), "");            // punctuation between: not the word
    EXPECT_EQ(hits_of(highlight("The JIT compiles Traces; tracing JITs", parse_query("jit traces"))),
              "JIT|Traces");
    EXPECT_EQ(hits_of(highlight("机关算尽太聪明", parse_query("\"機關算盡\""))), "机关算尽");
    EXPECT_EQ(hits_of(highlight("明月几时有", parse_query("明月 -几时"))), "明月");
}

TEST(HighlightTest, SnippetCentresOnTheMatchesAndMarksCuts) {
    const std::string text =
        "开头。" + std::string(200, ' ') + "一段很长的文字里有春風二字。" + std::string(200, ' ') + "结尾。";
    const auto s = snippet(text, parse_query("春风"), 40);
    EXPECT_EQ(hits_of(s), "春風");
    EXPECT_EQ(s.front().text, "…");
    EXPECT_EQ(s.back().text, "…");
}

TEST_F(SearchIndexTest, SimplifiedFindsTraditionalAndTheSnippetShowsTheOriginal) {
    const auto r = search("春风");
    EXPECT_EQ(r.total, 2);
    EXPECT_TRUE(r.total_exact);
    ASSERT_EQ(ids(r).size(), 2u);
    for (const auto& h : r.hits) {
        if (h.document_id == 1) {
            EXPECT_EQ(hits_of(h.snippet), "春風");
        }
    }
    EXPECT_EQ(ids(search("機關")).size(), 2u);  // Traditional query, Simplified text too
    EXPECT_EQ(ids(search("机关算尽")), std::vector<std::int64_t>{1});
}

TEST_F(SearchIndexTest, HitsNameThePagesTheWordsAreOn) {
    auto r = search("春风");
    for (const auto& h : r.hits) {
        if (h.document_id == 2) {
            EXPECT_EQ(h.pages, (std::vector<int>{2, 3}));
        }
    }
    r = search("下载");
    ASSERT_EQ(r.hits.size(), 1u);
    EXPECT_EQ(r.hits[0].pages, std::vector<int>{3});
    EXPECT_EQ(r.hits[0].page, 3);
    EXPECT_EQ(hits_of(r.hits[0].snippet), "下载");
    r = search("trace-based");
    ASSERT_EQ(r.hits.size(), 1u);
    EXPECT_EQ(r.hits[0].page, 2);  // the title has it too, but the text's page is where to go
}

TEST_F(SearchIndexTest, PhrasesAreExactWordsAreNot) {
    EXPECT_EQ(ids(search("春风马蹄")), std::vector<std::int64_t>{});  // 风马 is not there
    EXPECT_EQ(ids(search("春风 马蹄")), std::vector<std::int64_t>{2});
    EXPECT_EQ(ids(search("\"春风得意\"")), std::vector<std::int64_t>{2});
    EXPECT_EQ(ids(search("\"得意春风\"")), std::vector<std::int64_t>{});
    // A single-page document has no positions: its phrases are checked on its text.
    EXPECT_EQ(ids(search("\"機關算盡\"")), std::vector<std::int64_t>{1});
    EXPECT_EQ(ids(search("\"算尽机关\"")), std::vector<std::int64_t>{});
    EXPECT_EQ(ids(search("春风 -\"春风又绿\"")), std::vector<std::int64_t>{2});
    EXPECT_EQ(ids(search("春风 -\"绿春风\"")).size(), 2u);
    EXPECT_EQ(search("好雨").hits.at(0).pages, std::vector<int>{1});
    EXPECT_EQ(ids(search("\"dynamic languages\"")), std::vector<std::int64_t>{3});
    EXPECT_EQ(ids(search("\"languages dynamic\"")), std::vector<std::int64_t>{});
}

TEST_F(SearchIndexTest, ExclusionsFiltersSortingAndFacets) {
    EXPECT_EQ(ids(search("春风 -长安")), std::vector<std::int64_t>{1});
    EXPECT_EQ(ids(search("春风 format:txt")), std::vector<std::int64_t>{1});
    EXPECT_EQ(ids(search("春风 category:10")), std::vector<std::int64_t>{2});  // the parent holds its subtree
    EXPECT_EQ(ids(search("title:指南")), std::vector<std::int64_t>{2});
    SearchRequest newest;
    newest.sort = SearchSort::newest;
    EXPECT_EQ(ids(search("format:pdf", newest)), (std::vector<std::int64_t>{3, 2}));
    SearchRequest facets;
    facets.facets = true;
    const auto r = search("春风", facets);
    EXPECT_EQ(r.formats.at("txt"), 1);
    EXPECT_EQ(r.formats.at("pdf"), 1);
    EXPECT_EQ(r.categories.at(11), 1);
}

TEST_F(SearchIndexTest, TitleMatchesRankFirst) {
    Document other = ready_document(4, "上传须知", "pdf");
    add(other, {"指南一词出现在正文里。", "其他内容。"});
    const auto r = search("指南");
    ASSERT_EQ(r.hits.size(), 2u);
    EXPECT_EQ(r.hits[0].document_id, 2);
    EXPECT_EQ(hits_of(r.hits[0].title_fragments), "指南");
}

TEST_F(SearchIndexTest, RemovedDocumentsAreGone) {
    {
        IndexWriter writer(dir_.path() / "index", TextPolicy{});
        writer.remove(1);
        writer.remove(99);  // not there: nothing happens
    }
    EXPECT_EQ(ids(search("春风")), std::vector<std::int64_t>{2});
}

TEST_F(SearchIndexTest, TheReadersOptionsSetTheSnippetsLengthAndTheQueryLimits) {
    SearchOptions options;
    options.snippet_chars = 12;
    options.query.max_parts = 1;
    const IndexReader reader(dir_.path() / "index", options);
    SearchRequest request;
    request.query = "春风 马蹄";  // the second word is beyond the limit: 春风 alone finds both
    const auto r = reader.search(request, [this](std::int64_t id, int page) -> std::optional<std::string> {
        return texts_.at({id, page});
    });
    ASSERT_EQ(r.total, 2);
    for (const auto& hit : r.hits) {
        std::size_t chars = 0;
        for (const auto& f : hit.snippet) chars += f.text == "…" ? 0 : decode_utf8(f.text).size();
        EXPECT_LE(chars, 12u);
    }
}

TEST_F(SearchIndexTest, TermsTooLongForTheIndexAreLeftOutAndLoseNothingElse) {
    // A word of 64 four-byte letters (256 bytes) and a 300-byte uploader are longer than Xapian
    // takes: adding them would fail and discard every change since the last commit.
    std::string gothic;
    for (int i = 0; i < 64; ++i) gothic += "\U00010330";
    Document odd = ready_document(5, "哥特字母表", "pdf");
    odd.uploader = std::string(300, 'u');
    {
        IndexWriter writer(dir_.path() / "index", TextPolicy{});
        writer.add(ready_document(4, "静夜思", "pdf"), text_pages(4, {"床前明月光，疑是地上霜。"}), {});
        writer.add(odd, text_pages(5, {"开头 " + gothic + " 结尾，哥特字母。"}), {});
        writer.commit();
    }
    EXPECT_EQ(ids(search("明月光")), std::vector<std::int64_t>{4}) << "the change before is kept";
    EXPECT_EQ(ids(search("哥特字母")), std::vector<std::int64_t>{5});
    EXPECT_EQ(search(gothic).total, 0);
    EXPECT_EQ(search("uploader:" + odd.uploader).total, 0);
}

TEST(SearchRelatedTest, RelatedDocumentsShareTopicsNotRarePairs) {
    TempDir dir;
    IndexWriter writer(dir.path() / "index", TextPolicy{});
    const std::vector<std::string> topics = {
        "数据库的事务与索引：事务保证一致性，索引加快查询。数据库管理员要关注索引与事务日志。",
        "索引的设计：数据库查询依赖索引，事务越短越好。数据库的索引要定期维护。",
        "春天的诗：春风吹过江南，桃花开满山坡。诗人写春风与桃花。",
        "咏春：春风与桃花，是诗人最爱的春天景色。江南春风又起。",
        "数据库备份与恢复：事务日志让数据库可以恢复到任何时刻。索引不需要备份。"};
    for (std::size_t i = 0; i < topics.size(); ++i) {
        writer.add(
            ready_document(static_cast<std::int64_t>(i + 1), "第" + std::to_string(i + 1) + "篇", "pdf"),
            text_pages(static_cast<std::int64_t>(i + 1), {topics[i], "偶然一词：鸭嘴兽。"}), {});
    }
    writer.commit();
    const IndexReader reader(dir.path() / "index");
    const auto related = reader.related(1, 2);
    ASSERT_EQ(related.size(), 2u);
    EXPECT_TRUE((related[0] == 2 || related[0] == 5) && (related[1] == 2 || related[1] == 5));
    const auto poems = reader.related(3, 1);
    ASSERT_EQ(poems.size(), 1u);
    EXPECT_EQ(poems[0], 4);
    const auto terms = reader.key_terms(1, 5);
    ASSERT_FALSE(terms.empty());
    for (const auto& [term, weight] : terms)
        EXPECT_NE(term, "鸭嘴") << "a pair every document has is no key term";
}

TEST(SearchReconcileTest, TheIndexFollowsTheDatabase) {
    TempDir dir;
    auto repo = open_sqlite_repository((dir.path() / "wenku.db").string());
    const fs::path index = dir.path() / "index";
    // Two ready documents in the database, none in the index.
    for (int i = 0; i < 2; ++i) {
        Document d;
        d.original_name = "d" + std::to_string(i) + ".txt";
        d.sha256 = std::string(63, 'a') + static_cast<char>('0' + i);
        d.size_bytes = 1;
        const auto id = repo->add_queued_document(d);
        const auto job = repo->claim_job();
        ASSERT_TRUE(job);
        repo->complete_job(*job, "txt", "文档" + std::to_string(id),
                           text_pages(id, {"第" + std::to_string(id) + "号文件，春风。"}), {});
    }
    EXPECT_EQ(reconcile_index(*repo, index, TextPolicy{}), 2);
    EXPECT_EQ(reconcile_index(*repo, index, TextPolicy{}), 0);
    EXPECT_EQ(IndexReader(index).document_ids(), (std::vector<std::int64_t>{1, 2}));
    repo->remove_document(1);
    EXPECT_EQ(reconcile_index(*repo, index, TextPolicy{}), 1);
    EXPECT_EQ(IndexReader(index).document_ids(), (std::vector<std::int64_t>{2}));
    const auto db = dir.path() / "wenku.db";
    EXPECT_EQ(rebuild_index([db] { return open_sqlite_repository(db.string()); }, index, TextPolicy{}, 2), 1);
    EXPECT_EQ(IndexReader(index).document_ids(), (std::vector<std::int64_t>{2}));
}

TEST(SearchReconcileTest, TheFullCheckFindsWhatTheQuickOneMisses) {
    TempDir dir;
    auto repo = open_sqlite_repository((dir.path() / "wenku.db").string());
    const fs::path index = dir.path() / "index";
    for (int i = 1; i <= 3; ++i) {
        Document d;
        d.original_name = "d" + std::to_string(i) + ".txt";
        d.sha256 = std::string(63, 'b') + static_cast<char>('0' + i);
        d.size_bytes = 1;
        const auto id = repo->add_queued_document(d);
        const auto job = repo->claim_job();
        ASSERT_TRUE(job);
        repo->complete_job(*job, "txt", "文档" + std::to_string(id), text_pages(id, {"春风。"}), {});
    }
    {
        IndexWriter writer(index, TextPolicy{});  // 1 and 3 indexed, 2 not
        for (const std::int64_t id : {1, 3}) writer.add(*repo->find_document(id), repo->pages(id), {});
    }
    repo->remove_document(1);  // the database: 2 and 3; the index: 1 and 3, the newest among them
    EXPECT_EQ(reconcile_index(*repo, index, TextPolicy{}), 0) << "the counts agree and the newest is indexed";
    EXPECT_EQ(reconcile_index(*repo, index, TextPolicy{}, ReconcileCheck::full), 2);
    EXPECT_EQ(IndexReader(index).document_ids(), (std::vector<std::int64_t>{2, 3}));
}

namespace {

/// Ready documents in a real SQLite library, indexed.
std::int64_t add_ready(Repository& repo, const fs::path& index, const std::string& title,
                       const std::string& text) {
    const auto id = add_ready_document(repo, title, {text});
    IndexWriter writer(index, TextPolicy{});
    writer.add(*repo.find_document(id), repo.pages(id), {});
    return id;
}

}  // namespace

TEST(SearchSuggestTest, RelatedSearchesComeFromQueriesThatLedToTheSameDocuments) {
    TempDir dir;
    auto repo = open_sqlite_repository((dir.path() / "wenku.db").string());
    const fs::path index = dir.path() / "index";
    add_ready(*repo, index, "唐诗选读", "春风得意马蹄疾，一日看尽长安花。春风又绿江南岸。长安古道马迟迟。");
    add_ready(*repo, index, "数据库入门", "数据库的事务与索引。索引加快查询，事务保证一致。数据库索引。");
    add_ready(*repo, index, "宋词选读", "春风十里扬州路。长安不见使人愁。江南好，风景旧曾谙。");
    SearchOptions options;  // every logged search suggested at once
    options.suggest_min_addresses = 1;
    options.suggest_min_days = 1;
    const IndexReader reader(index, options);
    auto run = [&](const std::string& q, bool log) {
        SearchRequest r;
        r.query = q;
        auto results = reader.search(r, {});
        if (log) record_search(*repo, results, "10.0.0.1", options);
        return results;
    };
    run("長安", true);  // logged as 长安 (canonical, Simplified)
    run("马蹄", true);
    run("马蹄", true);
    run("事务", true);
    run("不存在的词", true);  // found nothing: not logged
    const auto suggestions = related_searches(*repo, reader, run("春风", false), 6);
    ASSERT_GE(suggestions.size(), 2u);
    EXPECT_EQ(suggestions[0], "长安");  // led to both poems
    EXPECT_EQ(suggestions[1], "马蹄");
    EXPECT_EQ(std::count(suggestions.begin(), suggestions.end(), "事务"), 0) << "led elsewhere";
    EXPECT_EQ(std::count(suggestions.begin(), suggestions.end(), "春风"), 0) << "never the query itself";
    // Searches that were never logged still get the leading documents' key terms.
    const auto keywords = related_searches(*repo, reader, run("查询", false), 4);
    EXPECT_NE(std::find(keywords.begin(), keywords.end(), "索引"), keywords.end());
}

TEST(SearchSuggestTest, RelatedDocumentsAreStoredAndRefreshedWhenTheLibraryGrows) {
    TempDir dir;
    auto repo = open_sqlite_repository((dir.path() / "wenku.db").string());
    const fs::path index = dir.path() / "index";
    const auto a = add_ready(*repo, index, "春天的诗一", "春风吹过江南，桃花开满山坡。诗人写春风与桃花。");
    const auto b = add_ready(*repo, index, "数据库", "数据库的事务与索引，索引加快查询。");
    EXPECT_EQ(related_documents(*repo, IndexReader(index), a, 5), std::vector<std::int64_t>{});
    ASSERT_TRUE(repo->related_list(a));
    EXPECT_EQ(repo->related_list(a)->library_size, 2);
    // The library doubles: a new poem about spring becomes the first related document.
    const auto c = add_ready(*repo, index, "春天的诗二", "江南春风又起，桃花与春风是诗人最爱。");
    add_ready(*repo, index, "另一篇", "数据库备份与恢复，事务日志。");
    const auto related = related_documents(*repo, IndexReader(index), a, 5);
    ASSERT_FALSE(related.empty());
    EXPECT_EQ(related[0], c);
    EXPECT_EQ(repo->related_list(a)->library_size, 4);
    (void)b;
}
