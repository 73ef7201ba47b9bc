// What search does when the disk fails, as the headers promise: a failed index commit leaves the
// index at its last commit and discards what was pending, and reconcile_index puts it right.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>

#include "core/errors.h"
#include "search/search_index.h"
#include "store/repository.h"
#include "support/test_support.h"

using namespace wenku;
using namespace wenku::search;
using wenku::test::TempDir;
namespace fs = std::filesystem;

namespace {

Document ready_document(std::int64_t id, const std::string& title) {
    Document d;
    d.id = id;
    d.title = title;
    d.format = "txt";
    d.status = DocumentStatus::ready;
    return d;
}

std::vector<Page> one_page(std::int64_t id, const std::string& text) {
    Page p;
    p.document_id = id;
    p.number = 1;
    p.text = text;
    return {p};
}

/// A document in the database, ready, and not yet in the index.
std::int64_t add_ready(Repository& repo, const std::string& title, const std::string& text) {
    static int serial = 0;
    Document d;
    d.original_name = title + ".txt";
    d.sha256 = std::to_string(++serial);
    d.sha256.resize(64, 'f');
    d.size_bytes = 1;
    const auto id = repo.add_queued_document(d);
    const auto job = repo.claim_job();
    EXPECT_TRUE(job);
    repo.complete_job(*job, "txt", title, one_page(id, text), {});
    return id;
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
    IndexWriter writer(index);
    writer.add(ready_document(1, "春夜喜雨"), one_page(1, "好雨知时节，当春乃发生。"), {});
    writer.commit();

    std::string long_text;
    for (int i = 0; i < 2000; ++i)
        long_text += "第" + std::to_string(i) + "句：春风又绿江南岸，明月何时照我还。";
    writer.add(ready_document(2, "泊船瓜洲"), one_page(2, long_text), {});
    {
        const FilesCannotGrow full_disk(index);
        EXPECT_THROW(writer.commit(), EnvironmentError);
    }
    EXPECT_EQ(IndexReader(index).document_ids(), std::vector<std::int64_t>{1}) << "the last commit, whole";
    writer.commit();  // nothing is pending any more: document 2 was discarded, not kept
    EXPECT_EQ(IndexReader(index).document_ids(), std::vector<std::int64_t>{1});
    writer.add(ready_document(3, "静夜思"), one_page(3, "床前明月光，疑是地上霜。"), {});
    writer.commit();  // the writer stays usable
    EXPECT_EQ(IndexReader(index).document_ids(), (std::vector<std::int64_t>{1, 3}));
}

TEST(SearchFailureTest, ReconcileIndexPutsRightWhatAFailedCommitLost) {
    TempDir dir;
    auto repo = open_sqlite_repository((dir.path() / "wenku.db").string());
    const fs::path index = dir.path() / "index";
    const auto a = add_ready(*repo, "春夜喜雨", "好雨知时节，当春乃发生。");
    ASSERT_EQ(reconcile_index(*repo, index), 1);
    std::string long_text;
    for (int i = 0; i < 2000; ++i) long_text += "第" + std::to_string(i) + "句：春风又绿江南岸。";
    const auto b = add_ready(*repo, "泊船瓜洲", long_text);
    {
        IndexWriter writer(index);
        writer.add(*repo->find_document(b), repo->pages(b), {});
        const FilesCannotGrow full_disk(index);
        EXPECT_THROW(writer.commit(), EnvironmentError);
    }
    EXPECT_EQ(IndexReader(index).document_ids(), std::vector<std::int64_t>{a});
    EXPECT_EQ(reconcile_index(*repo, index), 1);
    EXPECT_EQ(IndexReader(index).document_ids(), (std::vector<std::int64_t>{a, b}));
}

