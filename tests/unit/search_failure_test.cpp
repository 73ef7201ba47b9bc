// What search does when the disk or the database fails, as the headers promise: a failed index
// commit leaves the index at its last commit and discards what was pending; a search log flush
// that cannot write keeps its batch for the next one, within its bound; related documents that
// cannot be stored are shown all the same.
#include <sqlite3.h>
#include <sys/resource.h>

#include <csignal>
#include <functional>
#include <map>

#include <gtest/gtest.h>

#include "core/errors.h"
#include "search/search_index.h"
#include "search/suggest.h"
#include "store/repository.h"
#include "store/sqlite/sqlite_repository.h"
#include "support/search_fixture.h"
#include "support/test_support.h"

using namespace wenku;
using namespace wenku::search;
using namespace wenku::test;
namespace fs = std::filesystem;

namespace {

/// The real SQLite repository, whose search log and related lists can be made to fail as a full
/// disk makes them fail: record_searches and store_related_list throw EnvironmentError, writing
/// nothing. `while_recording` runs inside record_searches, before it fails or writes: it stands
/// for the searches other threads make meanwhile.
class FailingRepository : public sqlite::SqliteRepository {
  public:
    explicit FailingRepository(const fs::path& db) : sqlite::SqliteRepository(db.string()) {}

    bool fail_search_log = false;
    bool fail_related_lists = false;
    std::function<void()> while_recording;

    void record_searches(const std::vector<LoggedSearch>& searches) override {
        if (while_recording) while_recording();
        if (fail_search_log) throw EnvironmentError("cannot record searches: database or disk is full");
        sqlite::SqliteRepository::record_searches(searches);
    }
    void store_related_list(std::int64_t document_id, const RelatedList& list) override {
        if (fail_related_lists)
            throw EnvironmentError("cannot store related documents: database or disk is full");
        sqlite::SqliteRepository::store_related_list(document_id, list);
    }
};

/// The search log as stored: canonical query → times searched, read with SQLite itself.
std::map<std::string, std::int64_t> logged_counts(const fs::path& db_path) {
    sqlite3* db = nullptr;
    std::map<std::string, std::int64_t> counts;
    if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db, "SELECT text, searches FROM search_query", -1, &stmt, nullptr) ==
            SQLITE_OK) {
            while (sqlite3_step(stmt) == SQLITE_ROW) {
                counts[reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))] =
                    sqlite3_column_int64(stmt, 1);
            }
        }
        sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return counts;
}

/// Results of a search for `query` that found document 1 (all the log keeps of a search).
SearchResults found(const std::string& query) {
    SearchResults results;
    results.canonical_query = query;
    results.plain_query = true;
    results.hits.emplace_back().document_id = 1;
    return results;
}

/// While alive, files this process writes cannot grow past what the largest file in `dir` holds
/// now (RLIMIT_FSIZE: writes beyond it fail with EFBIG, SIGXFSZ ignored), as on a full disk.
class FilesCannotGrow {
  public:
    explicit FilesCannotGrow(const fs::path& dir) {
        rlim_t largest = 0;
        for (const auto& e : fs::recursive_directory_iterator(dir)) {
            if (e.is_regular_file()) largest = std::max<rlim_t>(largest, e.file_size());
        }
        getrlimit(RLIMIT_FSIZE, &saved_);
        old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
        rlimit limited = saved_;
        limited.rlim_cur = largest;
        setrlimit(RLIMIT_FSIZE, &limited);
    }
    ~FilesCannotGrow() {
        setrlimit(RLIMIT_FSIZE, &saved_);
        std::signal(SIGXFSZ, old_handler_);
    }
    FilesCannotGrow(const FilesCannotGrow&) = delete;
    FilesCannotGrow& operator=(const FilesCannotGrow&) = delete;

  private:
    rlimit saved_{};
    void (*old_handler_)(int) = nullptr;
};

}  // namespace

TEST(SearchFailureTest, AFailedCommitLeavesTheLastCommitAndDiscardsWhatWasPending) {
    TempDir dir;
    const fs::path index = dir.path() / "index";
    IndexWriter writer(index, TextPolicy{});
    writer.add(ready_document(1, "春夜喜雨"), text_pages(1, {"好雨知时节，当春乃发生。"}), {});
    writer.commit();

    std::string long_text;
    for (int i = 0; i < 2000; ++i)
        long_text += "第" + std::to_string(i) + "句：春风又绿江南岸，明月何时照我还。";
    writer.add(ready_document(2, "泊船瓜洲"), text_pages(2, {long_text}), {});
    {
        const FilesCannotGrow full_disk(index);
        EXPECT_THROW(writer.commit(), EnvironmentError);
    }
    EXPECT_EQ(IndexReader(index).document_ids(), std::vector<std::int64_t>{1}) << "the last commit, whole";
    writer.commit();  // nothing is pending any more: document 2 was discarded, not kept
    EXPECT_EQ(IndexReader(index).document_ids(), std::vector<std::int64_t>{1});
    writer.add(ready_document(3, "静夜思"), text_pages(3, {"床前明月光，疑是地上霜。"}), {});
    writer.commit();  // the writer stays usable
    EXPECT_EQ(IndexReader(index).document_ids(), (std::vector<std::int64_t>{1, 3}));
}

TEST(SearchFailureTest, ReconcileIndexPutsRightWhatAFailedCommitLost) {
    TempDir dir;
    auto repo = open_sqlite_repository((dir.path() / "wenku.db").string());
    const fs::path index = dir.path() / "index";
    const auto a = add_ready_document(*repo, "春夜喜雨", {"好雨知时节，当春乃发生。"});
    ASSERT_EQ(reconcile_index(*repo, index, TextPolicy{}), 1);
    std::string long_text;
    for (int i = 0; i < 2000; ++i) long_text += "第" + std::to_string(i) + "句：春风又绿江南岸。";
    const auto b = add_ready_document(*repo, "泊船瓜洲", {long_text});
    {
        IndexWriter writer(index, TextPolicy{});
        writer.add(*repo->find_document(b), repo->pages(b), {});
        const FilesCannotGrow full_disk(index);
        EXPECT_THROW(writer.commit(), EnvironmentError);
    }
    EXPECT_EQ(IndexReader(index).document_ids(), std::vector<std::int64_t>{a});
    EXPECT_EQ(reconcile_index(*repo, index, TextPolicy{}), 1);
    EXPECT_EQ(IndexReader(index).document_ids(), (std::vector<std::int64_t>{a, b}));
}

TEST(SearchFailureTest, TheSearchLogKeepsWhatItCouldNotWriteAndWritesItOnce) {
    TempDir dir;
    const fs::path db = dir.path() / "wenku.db";
    FailingRepository repo(db);
    SearchLog log;
    log.add(found("春风"), "10.0.0.1");
    log.add(found("春风"), "10.0.0.1");
    log.add(found("明月"), "10.0.0.1");
    SearchResults nothing;
    nothing.canonical_query = "无果";
    log.add(nothing, "10.0.0.1");  // found nothing: not logged

    repo.fail_search_log = true;
    // While the failing write runs, readers search on: 春风 again and a new 长安.
    repo.while_recording = [&] {
        repo.while_recording = nullptr;
        log.add(found("春风"), "10.0.0.1");
        log.add(found("长安"), "10.0.0.1");
    };
    EXPECT_THROW(log.flush(repo), EnvironmentError);
    EXPECT_EQ(log.pending(), 3u) << "春风, 明月 and 长安, merged";
    EXPECT_TRUE(logged_counts(db).empty());

    EXPECT_THROW(log.flush(repo), EnvironmentError);  // still failing: still kept
    EXPECT_EQ(log.pending(), 3u);

    repo.fail_search_log = false;
    log.flush(repo);
    EXPECT_EQ(log.pending(), 0u);
    EXPECT_EQ(logged_counts(db),
              (std::map<std::string, std::int64_t>{{"春风", 3}, {"明月", 1}, {"长安", 1}}));
    log.flush(repo);  // nothing left: nothing written twice
    EXPECT_EQ(logged_counts(db)["春风"], 3);
}

TEST(SearchFailureTest, TheSearchLogDropsTheLeastRecentlySearchedPastItsBound) {
    TempDir dir;
    const fs::path db = dir.path() / "wenku.db";
    FailingRepository repo(db);
    SearchOptions options;
    options.log_max_pending = 3;
    SearchLog log(options);
    for (const char* q : {"一", "二", "三"}) log.add(found(q), "10.0.0.1");
    log.add(found("一"), "10.0.0.1");  // searched again: now the most recent
    log.add(found("四"), "10.0.0.1");  // past the bound: 二 goes
    EXPECT_EQ(log.pending(), 3u);

    repo.fail_search_log = true;
    repo.while_recording = [&] {  // meanwhile two more, so the batch no longer fits when it returns
        repo.while_recording = nullptr;
        log.add(found("五"), "10.0.0.1");
        log.add(found("一"), "10.0.0.1");
    };
    EXPECT_THROW(log.flush(repo), EnvironmentError);
    EXPECT_EQ(log.pending(), 3u) << "三 (the oldest of the batch) dropped, 一 merged";

    repo.fail_search_log = false;
    log.flush(repo);
    EXPECT_EQ(logged_counts(db), (std::map<std::string, std::int64_t>{{"一", 3}, {"四", 1}, {"五", 1}}));
}

TEST(SearchFailureTest, RelatedDocumentsThatCannotBeStoredAreShownAndComputedAgainLater) {
    TempDir dir;
    FailingRepository repo(dir.path() / "wenku.db");
    const fs::path index = dir.path() / "index";
    const auto a = add_ready_document(repo, "春天的诗一", {"春风吹过江南，桃花开满山坡。诗人写春风与桃花。"});
    const auto b = add_ready_document(repo, "春天的诗二", {"江南春风又起，桃花与春风是诗人最爱。"});
    add_ready_document(repo, "数据库", {"数据库的事务与索引，索引加快查询。"});
    reconcile_index(repo, index, TextPolicy{});

    repo.fail_related_lists = true;
    const auto shown = related_documents(repo, IndexReader(index), a, 1);
    EXPECT_EQ(shown, std::vector<std::int64_t>{b});
    EXPECT_FALSE(repo.related_list(a)) << "nothing stored";

    repo.fail_related_lists = false;
    EXPECT_EQ(related_documents(repo, IndexReader(index), a, 1), std::vector<std::int64_t>{b});
    ASSERT_TRUE(repo.related_list(a)) << "stored by the next call";
    EXPECT_EQ(repo.related_list(a)->library_size, 3);
}
