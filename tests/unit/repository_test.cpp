// The Repository contract, run against every back-end through a factory: a PostgreSQL store adds
// one line to INSTANTIATE_TEST_SUITE_P and must pass the very same tests. Back-end specifics
// (SQLite's migrations and pragmas) are tested at the end.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "core/errors.h"
#include "store/repository.h"
#include "support/test_support.h"

namespace wenku {
namespace {

namespace fs = std::filesystem;

struct RepositoryBackend {
    std::string name;
    /// Opens the store kept in `dir`; opening the same dir again reopens the same data.
    std::function<std::unique_ptr<Repository>(const fs::path& dir)> open;
};

std::ostream& operator<<(std::ostream& out, const RepositoryBackend& backend) { return out << backend.name; }

/// A distinct, well-formed SHA-256 hex for test document `n`.
std::string fake_sha(int n) {
    char text[65];
    std::snprintf(text, sizeof text, "%064x", n);
    return text;
}

Document make_document(int n, const std::string& name = "") {
    Document d;
    d.original_name = name.empty() ? "doc" + std::to_string(n) + ".pdf" : name;
    d.sha256 = fake_sha(n);
    d.size_bytes = 1000 + n;
    return d;
}

std::vector<Page> make_pages(std::int64_t document_id, int count) {
    std::vector<Page> pages;
    pages.reserve(static_cast<std::size_t>(count));
    for (int i = 1; i <= count; ++i) {
        pages.push_back(Page{document_id, i, 1000, 1414, "第" + std::to_string(i) + "页的文字"});
    }
    return pages;
}

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::vector<std::int64_t> ids_of(const std::vector<Document>& docs) {
    std::vector<std::int64_t> ids;
    ids.reserve(docs.size());
    for (const auto& d : docs) ids.push_back(d.id);
    return ids;
}

class RepositoryTest : public ::testing::TestWithParam<RepositoryBackend> {
protected:
    void SetUp() override { repo = GetParam().open(scratch.path()); }

    /// Closes the store and opens it again from the same place.
    void reopen() {
        repo.reset();
        repo = GetParam().open(scratch.path());
    }

    /// Adds document `n` and converts it to `page_count` pages; returns its id.
    std::int64_t add_ready(int n, int page_count = 2) {
        const std::int64_t id = repo->add_queued_document(make_document(n));
        auto job = repo->claim_job();
        EXPECT_TRUE(job);
        EXPECT_EQ(job->document_id, id);
        repo->complete_job(*job, "pdf", "", make_pages(id, page_count), {});
        return id;
    }

    test::TempDir scratch;
    std::unique_ptr<Repository> repo;
};

// --- documents ---

TEST_P(RepositoryTest, AddsAndFindsADocument) {
    Document d = make_document(1, "年度工作总结.docx");
    d.title = "2023年度工作总结";
    d.uploader = "张三";
    d.price = 5;
    d.free_pages = 3;
    const std::int64_t before = now_seconds();
    const std::int64_t id = repo->add_queued_document(d);
    EXPECT_GT(id, 0);

    const auto found = repo->find_document(id);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->id, id);
    EXPECT_EQ(found->title, "2023年度工作总结");
    EXPECT_EQ(found->original_name, "年度工作总结.docx");
    EXPECT_EQ(found->size_bytes, 1001);
    EXPECT_EQ(found->sha256, fake_sha(1));
    EXPECT_EQ(found->status, DocumentStatus::queued);
    EXPECT_EQ(found->uploader, "张三");
    EXPECT_EQ(found->price, 5);
    EXPECT_EQ(found->free_pages, 3);
    EXPECT_FALSE(found->category_id);
    EXPECT_EQ(found->page_count, 0);
    EXPECT_GE(found->created_at, before);
    EXPECT_LE(found->created_at, now_seconds());

    const auto by_sha = repo->find_document_by_sha256(fake_sha(1));
    ASSERT_TRUE(by_sha);
    EXPECT_EQ(by_sha->id, id);
    EXPECT_FALSE(repo->find_document(id + 1));
    EXPECT_FALSE(repo->find_document_by_sha256(fake_sha(2)));
    EXPECT_EQ(repo->count_queued_jobs(), 1);
}

TEST_P(RepositoryTest, KeepsAGivenCreationTimeAndNoFreePagesOverride) {
    Document d = make_document(1);
    d.created_at = 1'600'000'000;
    const auto found = repo->find_document(repo->add_queued_document(d));
    ASSERT_TRUE(found);
    EXPECT_EQ(found->created_at, 1'600'000'000);
    EXPECT_FALSE(found->free_pages);
}

TEST_P(RepositoryTest, RefusesADuplicateNamingTheExistingNumber) {
    repo->add_queued_document(make_document(1));
    const std::int64_t second = repo->add_queued_document(make_document(2));
    try {
        repo->add_queued_document(make_document(2, "copy-of-doc2.pdf"));
        FAIL() << "a duplicate was accepted";
    } catch (const DuplicateError& e) {
        EXPECT_EQ(e.code(), "duplicate");
        EXPECT_EQ(e.existing_id(), second);
        EXPECT_EQ(std::string(e.what()), "already in the library as №" + std::to_string(second));
    }
    EXPECT_EQ(repo->count_documents({}), 2);
    EXPECT_EQ(repo->count_queued_jobs(), 2);
}

TEST_P(RepositoryTest, RefusesAnUnknownCategory) {
    Document d = make_document(1);
    d.category_id = 424242;
    EXPECT_THROW(repo->add_queued_document(d), NotFoundError);
    EXPECT_EQ(repo->count_documents({}), 0);
    EXPECT_EQ(repo->count_queued_jobs(), 0);
}

TEST_P(RepositoryTest, ListsNewestFirstWithLimitAndOffset) {
    std::vector<std::int64_t> ids;
    for (int i = 1; i <= 5; ++i) ids.push_back(repo->add_queued_document(make_document(i)));
    DocumentFilter all;
    EXPECT_EQ(ids_of(repo->list_documents(all)), (std::vector<std::int64_t>{ids[4], ids[3], ids[2], ids[1], ids[0]}));
    DocumentFilter window;
    window.limit = 2;
    window.offset = 1;
    EXPECT_EQ(ids_of(repo->list_documents(window)), (std::vector<std::int64_t>{ids[3], ids[2]}));
    EXPECT_EQ(repo->count_documents(window), 5);  // counting ignores the window
    window.offset = 10;
    EXPECT_TRUE(repo->list_documents(window).empty());
    window.limit = -1;
    EXPECT_THROW(repo->list_documents(window), UsageError);
}

TEST_P(RepositoryTest, CountsViewsAndDownloadsAndOrdersByThem) {
    const auto a = add_ready(1), b = add_ready(2), c = add_ready(3);
    repo->add_counts(a, 5, 1);
    repo->add_counts(b, 2, 7);
    repo->add_counts(a, 1, 0);
    repo->add_counts(999, 3, 3);  // unknown: nothing happens
    EXPECT_EQ(repo->find_document(a)->views, 6);
    EXPECT_EQ(repo->find_document(a)->downloads, 1);
    DocumentFilter f;
    f.order = DocumentOrder::views;
    EXPECT_EQ(ids_of(repo->list_documents(f)), (std::vector<std::int64_t>{a, b, c}));
    f.order = DocumentOrder::downloads;
    EXPECT_EQ(ids_of(repo->list_documents(f)), (std::vector<std::int64_t>{b, a, c}));
    f.order = DocumentOrder::newest;
    EXPECT_EQ(ids_of(repo->list_documents(f)), (std::vector<std::int64_t>{c, b, a}));
}

TEST_P(RepositoryTest, StoresReportsNewestFirstAndDropsThemWithTheirDocument) {
    const auto a = add_ready(1), b = add_ready(2);
    Report r;
    r.document_id = a;
    r.reason = "copyright";
    r.detail = "第3页抄袭了我的文章";
    const auto first = repo->add_report(r);
    r.document_id = b;
    r.reason = "spam";
    r.detail = "";
    r.created_at = 1700000000;
    const auto second = repo->add_report(r);
    const auto reports = repo->reports(10);
    ASSERT_EQ(reports.size(), 2u);
    EXPECT_EQ(reports[0].id, second);
    EXPECT_EQ(reports[0].created_at, 1700000000);
    EXPECT_EQ(reports[1].id, first);
    EXPECT_EQ(reports[1].detail, "第3页抄袭了我的文章");
    EXPECT_GT(reports[1].created_at, 0);
    r.document_id = 999;
    EXPECT_THROW(repo->add_report(r), NotFoundError);
    repo->remove_document(a);
    ASSERT_EQ(repo->reports(10).size(), 1u);
    EXPECT_EQ(repo->reports(10)[0].document_id, b);
}

TEST_P(RepositoryTest, RecordsBatchedSearchesWithTheirCounts) {
    const auto a = add_ready(1), b = add_ready(2);
    repo->record_searches({{"春风", {a}, 3}, {"明月", {a, b}, 1}});
    EXPECT_EQ(repo->searches_leading_to({a}, 10), (std::vector<std::string>{"春风", "明月"}));  // more searches first
    repo->record_searches({{"明月", {a, b}, 5}});
    EXPECT_EQ(repo->searches_leading_to({a}, 10), (std::vector<std::string>{"明月", "春风"}));
    EXPECT_EQ(repo->searches_leading_to({b}, 10), (std::vector<std::string>{"明月"}));
    repo->record_searches({});  // nothing to write is fine
}

TEST_P(RepositoryTest, FiltersByStatus) {
    const std::int64_t ready = add_ready(1);
    const std::int64_t queued = repo->add_queued_document(make_document(2));
    DocumentFilter f;
    f.status = DocumentStatus::ready;
    EXPECT_EQ(ids_of(repo->list_documents(f)), std::vector<std::int64_t>{ready});
    EXPECT_EQ(repo->count_documents(f), 1);
    f.status = DocumentStatus::queued;
    EXPECT_EQ(ids_of(repo->list_documents(f)), std::vector<std::int64_t>{queued});
    f.status = DocumentStatus::failed;
    EXPECT_TRUE(repo->list_documents(f).empty());
    EXPECT_EQ(repo->count_documents(f), 0);
}

TEST_P(RepositoryTest, FiltersByCategoryIncludingItsSubtree) {
    const std::int64_t fanwen = repo->ensure_category_path("实用范文");
    const std::int64_t xiezuo = repo->ensure_category_path("实用范文/写作指导");
    const std::int64_t zongjie = repo->ensure_category_path("实用范文/工作总结/年终总结");
    const std::int64_t jiaoyu = repo->ensure_category_path("教育");

    auto add_in = [&](int n, std::int64_t category) {
        Document d = make_document(n);
        d.category_id = category;
        return repo->add_queued_document(d);
    };
    const std::int64_t a = add_in(1, fanwen);
    const std::int64_t b = add_in(2, xiezuo);
    const std::int64_t c = add_in(3, zongjie);
    const std::int64_t d = add_in(4, jiaoyu);
    repo->add_queued_document(make_document(5));  // no category

    DocumentFilter f;
    f.category_id = fanwen;
    EXPECT_EQ(ids_of(repo->list_documents(f)), (std::vector<std::int64_t>{c, b, a}));
    EXPECT_EQ(repo->count_documents(f), 3);
    f.category_id = xiezuo;
    EXPECT_EQ(ids_of(repo->list_documents(f)), std::vector<std::int64_t>{b});
    f.category_id = jiaoyu;
    EXPECT_EQ(ids_of(repo->list_documents(f)), std::vector<std::int64_t>{d});

    // Category and status together: only b is ready.
    auto job = repo->claim_job();  // a's job, the oldest
    ASSERT_TRUE(job);
    repo->fail_job(*job, "corrupt: damaged");
    job = repo->claim_job();
    ASSERT_TRUE(job);
    EXPECT_EQ(job->document_id, b);
    repo->complete_job(*job, "pdf", "写作指导", make_pages(b, 1), {});
    f.category_id = fanwen;
    f.status = DocumentStatus::ready;
    EXPECT_EQ(ids_of(repo->list_documents(f)), std::vector<std::int64_t>{b});
    EXPECT_EQ(repo->count_documents(f), 1);
}

TEST_P(RepositoryTest, RemovingADocumentRemovesItsPagesAndJobs) {
    const std::int64_t ready = add_ready(1, 3);
    const std::int64_t queued = repo->add_queued_document(make_document(2));
    ASSERT_EQ(repo->pages(ready).size(), 3u);

    repo->remove_document(ready);
    EXPECT_FALSE(repo->find_document(ready));
    EXPECT_TRUE(repo->pages(ready).empty());
    EXPECT_FALSE(repo->page(ready, 1));

    repo->remove_document(queued);
    EXPECT_EQ(repo->count_queued_jobs(), 0);
    EXPECT_FALSE(repo->claim_job());
    EXPECT_EQ(repo->count_documents({}), 0);

    EXPECT_THROW(repo->remove_document(queued), NotFoundError);
    EXPECT_THROW(repo->remove_document(999), NotFoundError);

    // Numbers are public: a removed one is never given to a new document.
    const std::int64_t next = repo->add_queued_document(make_document(3));
    EXPECT_GT(next, queued);
    // The same bytes may come back once removed.
    EXPECT_NO_THROW(repo->add_queued_document(make_document(1)));
}

// --- the job queue ---

TEST_P(RepositoryTest, ClaimsTheOldestJobFirst) {
    const std::int64_t a = repo->add_queued_document(make_document(1));
    const std::int64_t b = repo->add_queued_document(make_document(2));
    const std::int64_t c = repo->add_queued_document(make_document(3));
    EXPECT_EQ(repo->count_queued_jobs(), 3);

    for (std::int64_t expected : {a, b, c}) {
        const auto job = repo->claim_job();
        ASSERT_TRUE(job);
        EXPECT_EQ(job->document_id, expected);
        EXPECT_EQ(job->attempts, 1);
        EXPECT_EQ(repo->find_document(expected)->status, DocumentStatus::converting);
    }
    EXPECT_FALSE(repo->claim_job());
    EXPECT_EQ(repo->count_queued_jobs(), 0);
}

TEST_P(RepositoryTest, PagesKeepWhetherTheirTextWasRecognisedByOcr) {
    const std::int64_t id = repo->add_queued_document(make_document(1));
    auto job = repo->claim_job();
    ASSERT_TRUE(job);
    auto pages = make_pages(id, 2);
    pages[1].ocr = true;
    repo->complete_job(*job, "pdf", "", pages, {});
    EXPECT_FALSE(repo->page(id, 1)->ocr);
    EXPECT_TRUE(repo->page(id, 2)->ocr);
    EXPECT_TRUE(repo->pages(id)[1].ocr);
}

TEST_P(RepositoryTest, CompletingAJobPublishesPagesAndStatus) {
    Document titled = make_document(1);
    titled.title = "用户给的标题";
    const std::int64_t a = repo->add_queued_document(titled);
    const std::int64_t b = repo->add_queued_document(make_document(2));

    auto job = repo->claim_job();
    ASSERT_TRUE(job);
    auto pages = make_pages(a, 3);
    std::reverse(pages.begin(), pages.end());  // stored order must not matter
    repo->complete_job(*job, "docx", "文档里的标题", pages, {});

    const auto doc = repo->find_document(a);
    ASSERT_TRUE(doc);
    EXPECT_EQ(doc->status, DocumentStatus::ready);
    EXPECT_EQ(doc->format, "docx");
    EXPECT_EQ(doc->page_count, 3);
    EXPECT_EQ(doc->title, "用户给的标题");  // a title the document already had is kept
    EXPECT_TRUE(doc->error.empty());

    const auto stored = repo->pages(a);
    ASSERT_EQ(stored.size(), 3u);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(stored[i].number, i + 1);
        EXPECT_EQ(stored[i].document_id, a);
        EXPECT_EQ(stored[i].width_px, 1000);
        EXPECT_EQ(stored[i].height_px, 1414);
    }
    const auto second = repo->page(a, 2);
    ASSERT_TRUE(second);
    EXPECT_EQ(second->text, "第2页的文字");
    EXPECT_FALSE(repo->page(a, 4));
    EXPECT_FALSE(repo->page(a, 0));

    job = repo->claim_job();
    ASSERT_TRUE(job);
    EXPECT_EQ(job->document_id, b);
    repo->complete_job(*job, "pdf", "文档里的标题", make_pages(b, 1), {});
    EXPECT_EQ(repo->find_document(b)->title, "文档里的标题");  // an empty title is filled in

    EXPECT_FALSE(repo->claim_job());
    EXPECT_EQ(repo->count_queued_jobs(), 0);
    // A finished job cannot be completed again.
    EXPECT_THROW(repo->complete_job(*job, "pdf", "", make_pages(b, 1), {}), UsageError);
}

TEST_P(RepositoryTest, CompletingIsAllOrNothing) {
    const std::int64_t id = repo->add_queued_document(make_document(1));
    const auto job = repo->claim_job();
    ASSERT_TRUE(job);
    auto pages = make_pages(id, 3);
    pages[2].number = 2;  // two pages numbered 2: the insert fails half-way
    EXPECT_THROW(repo->complete_job(*job, "pdf", "标题", pages, {}), EnvironmentError);

    const auto doc = repo->find_document(id);
    EXPECT_EQ(doc->status, DocumentStatus::converting);
    EXPECT_EQ(doc->page_count, 0);
    EXPECT_TRUE(doc->title.empty());
    EXPECT_TRUE(repo->pages(id).empty());

    // The job is still running and can be completed properly.
    repo->complete_job(*job, "pdf", "标题", make_pages(id, 3), {});
    EXPECT_EQ(repo->find_document(id)->status, DocumentStatus::ready);
    EXPECT_EQ(repo->pages(id).size(), 3u);
}

TEST_P(RepositoryTest, CompletingTheJobOfARemovedDocumentIsNotFound) {
    const std::int64_t id = repo->add_queued_document(make_document(1));
    const auto job = repo->claim_job();
    ASSERT_TRUE(job);
    repo->remove_document(id);
    EXPECT_THROW(repo->complete_job(*job, "pdf", "", make_pages(id, 1), {}), NotFoundError);
    EXPECT_THROW(repo->fail_job(*job, "crashed: worker died"), NotFoundError);
}

TEST_P(RepositoryTest, FailingAJobMarksTheDocumentFailed) {
    const std::int64_t id = repo->add_queued_document(make_document(1));
    const auto job = repo->claim_job();
    ASSERT_TRUE(job);
    repo->fail_job(*job, "encrypted: the PDF is password-protected");
    const auto doc = repo->find_document(id);
    EXPECT_EQ(doc->status, DocumentStatus::failed);
    EXPECT_EQ(doc->error, "encrypted: the PDF is password-protected");
    EXPECT_TRUE(repo->pages(id).empty());
    EXPECT_FALSE(repo->claim_job());
    EXPECT_EQ(repo->count_queued_jobs(), 0);
}

TEST_P(RepositoryTest, RequeuesAbandonedJobsKeepingTheirAttempts) {
    const std::int64_t a = repo->add_queued_document(make_document(1));
    const std::int64_t b = repo->add_queued_document(make_document(2));
    const std::int64_t c = repo->add_queued_document(make_document(3));
    ASSERT_TRUE(repo->claim_job());
    ASSERT_TRUE(repo->claim_job());
    EXPECT_EQ(repo->count_queued_jobs(), 1);

    EXPECT_EQ(repo->requeue_abandoned_jobs(), 2);
    EXPECT_EQ(repo->count_queued_jobs(), 3);
    EXPECT_EQ(repo->find_document(a)->status, DocumentStatus::queued);
    EXPECT_EQ(repo->find_document(b)->status, DocumentStatus::queued);
    EXPECT_EQ(repo->requeue_abandoned_jobs(), 0);

    const auto again = repo->claim_job();
    ASSERT_TRUE(again);
    EXPECT_EQ(again->document_id, a);
    EXPECT_EQ(again->attempts, 2);
    EXPECT_EQ(repo->claim_job()->document_id, b);
    const auto fresh = repo->claim_job();
    EXPECT_EQ(fresh->document_id, c);
    EXPECT_EQ(fresh->attempts, 1);
}

TEST_P(RepositoryTest, RequeuesADocumentForReconversion) {
    const std::int64_t ready = add_ready(1, 2);
    const std::int64_t failed = repo->add_queued_document(make_document(2));
    repo->fail_job(*repo->claim_job(), "corrupt: truncated");
    const std::int64_t converting = repo->add_queued_document(make_document(3));
    ASSERT_TRUE(repo->claim_job());

    repo->requeue_document(ready);
    repo->requeue_document(failed);
    repo->requeue_document(converting);
    repo->requeue_document(converting);  // still one job
    EXPECT_EQ(repo->count_queued_jobs(), 3);
    EXPECT_EQ(repo->find_document(failed)->status, DocumentStatus::queued);
    EXPECT_TRUE(repo->find_document(failed)->error.empty());
    EXPECT_THROW(repo->requeue_document(999), NotFoundError);

    std::set<std::int64_t> claimed;
    while (auto job = repo->claim_job()) {
        claimed.insert(job->document_id);
        repo->complete_job(*job, "pdf", "", make_pages(job->document_id, 1), {});
    }
    EXPECT_EQ(claimed, (std::set<std::int64_t>{ready, failed, converting}));
    EXPECT_EQ(repo->pages(ready).size(), 1u);  // the new conversion replaced the old pages
    EXPECT_EQ(repo->find_document(ready)->page_count, 1);
}

TEST_P(RepositoryTest, ConcurrentClaimsNeverShareAJob) {
    constexpr int job_count = 200;
    for (int i = 1; i <= job_count; ++i) repo->add_queued_document(make_document(i));

    std::mutex mutex;
    std::vector<std::int64_t> claimed;
    constexpr int thread_count = 4;
    std::vector<std::thread> threads;
    threads.reserve(thread_count);
    for (int t = 0; t < thread_count; ++t) {
        threads.emplace_back([&] {
            while (auto job = repo->claim_job()) {
                repo->complete_job(*job, "txt", "", make_pages(job->document_id, 1), {});
                std::lock_guard lock(mutex);
                claimed.push_back(job->id);
            }
        });
    }
    for (auto& t : threads) t.join();

    EXPECT_EQ(claimed.size(), static_cast<std::size_t>(job_count));
    EXPECT_EQ(std::set<std::int64_t>(claimed.begin(), claimed.end()).size(), static_cast<std::size_t>(job_count));
    DocumentFilter ready;
    ready.status = DocumentStatus::ready;
    EXPECT_EQ(repo->count_documents(ready), job_count);
}

// --- near-duplicate detection ---

/// A made-up signature (the store keeps signatures, it does not compute them): values and band
/// hashes distinct for each `seed`, the first band hash with its top bit set (a negative SQLite
/// integer).
TextSignature make_signature(std::uint32_t seed) {
    TextSignature s;
    for (std::uint32_t i = 0; i < 128; ++i) s.minhash.push_back(seed * 1000 + i);
    for (std::uint64_t b = 0; b < 32; ++b) s.band_hashes.push_back(seed * 100 + b);
    s.band_hashes[0] |= 0x8000'0000'0000'0000ULL;
    return s;
}

/// `s` with band `band` made equal to `other`'s.
TextSignature sharing_band(TextSignature s, const TextSignature& other, std::size_t band) {
    s.band_hashes[band] = other.band_hashes[band];
    return s;
}

TEST_P(RepositoryTest, StoresATextSignatureWithTheCompletedDocument) {
    const std::int64_t signed_id = repo->add_queued_document(make_document(1));
    repo->complete_job(*repo->claim_job(), "pdf", "", make_pages(signed_id, 2), {make_signature(1)});
    const std::int64_t short_id = add_ready(2);  // too little text: no signature

    EXPECT_EQ(repo->text_signature(signed_id), make_signature(1));
    EXPECT_FALSE(repo->text_signature(short_id));
    EXPECT_FALSE(repo->text_signature(999));
    const auto doc = repo->find_document(signed_id);
    EXPECT_FALSE(doc->near_duplicate_of);
    EXPECT_EQ(doc->near_duplicate_similarity, 0);

    reopen();
    EXPECT_EQ(repo->text_signature(signed_id), make_signature(1));
}

TEST_P(RepositoryTest, CandidatesShareABandAndAreReadyAndNotTheDocumentItself) {
    const TextSignature probe = make_signature(10);
    auto add_signed = [&](int n, const TextSignature& signature) {
        const std::int64_t id = repo->add_queued_document(make_document(n));
        repo->complete_job(*repo->claim_job(), "pdf", "", make_pages(id, 1), {signature});
        return id;
    };
    const std::int64_t shares_first_band = add_signed(1, sharing_band(make_signature(1), probe, 0));
    const std::int64_t shares_last_band = add_signed(2, sharing_band(make_signature(2), probe, 31));
    add_signed(3, make_signature(3));  // shares nothing
    const std::int64_t requeued = add_signed(4, sharing_band(make_signature(4), probe, 5));
    const std::int64_t itself = add_signed(5, probe);
    repo->requeue_document(requeued);  // not ready while it is converted again

    EXPECT_EQ(repo->near_duplicate_candidates(itself, probe),
              (std::vector<std::int64_t>{shares_first_band, shares_last_band}));
    // A document being converted (not ready, no signature yet) sees the same candidates plus
    // the ready `itself`.
    const std::int64_t newcomer = repo->add_queued_document(make_document(6));
    EXPECT_EQ(repo->near_duplicate_candidates(newcomer, probe),
              (std::vector<std::int64_t>{shares_first_band, shares_last_band, itself}));
}

TEST_P(RepositoryTest, RecordsTheNearDuplicateFlagAndReplacesItOnReconversion) {
    const TextSignature original_signature = make_signature(1);
    const std::int64_t original = repo->add_queued_document(make_document(1));
    repo->complete_job(*repo->claim_job(), "pdf", "", make_pages(original, 1), {original_signature});
    const std::int64_t copy = repo->add_queued_document(make_document(2));
    repo->complete_job(*repo->claim_job(), "pdf", "", make_pages(copy, 1), {original_signature, original, 0.9375});

    const auto doc = repo->find_document(copy);
    EXPECT_EQ(doc->status, DocumentStatus::ready);
    EXPECT_EQ(doc->near_duplicate_of, original);
    EXPECT_DOUBLE_EQ(doc->near_duplicate_similarity, 0.9375);
    EXPECT_EQ(ids_of(repo->list_documents({}))[0], copy);
    EXPECT_EQ(repo->list_documents({})[0].near_duplicate_of, original);
    // Converting the original again: its copy is not offered as its original.
    EXPECT_TRUE(repo->near_duplicate_candidates(original, original_signature).empty());
    EXPECT_EQ(repo->near_duplicate_candidates(copy, original_signature), (std::vector<std::int64_t>{original}));

    repo->requeue_document(copy);
    repo->complete_job(*repo->claim_job(), "pdf", "", make_pages(copy, 1), {});
    EXPECT_FALSE(repo->find_document(copy)->near_duplicate_of);
    EXPECT_FALSE(repo->text_signature(copy));
}

TEST_P(RepositoryTest, RemovingADocumentRemovesItsSignatureAndClearsItsCopiesFlags) {
    const TextSignature signature = make_signature(1);
    const std::int64_t original = repo->add_queued_document(make_document(1));
    repo->complete_job(*repo->claim_job(), "pdf", "", make_pages(original, 1), {signature});
    const std::int64_t copy = repo->add_queued_document(make_document(2));
    repo->complete_job(*repo->claim_job(), "pdf", "", make_pages(copy, 1), {signature, original, 1.0});

    repo->remove_document(original);
    EXPECT_FALSE(repo->text_signature(original));
    const auto doc = repo->find_document(copy);
    EXPECT_FALSE(doc->near_duplicate_of);
    EXPECT_EQ(doc->near_duplicate_similarity, 0);
    const std::int64_t newcomer = repo->add_queued_document(make_document(3));
    EXPECT_EQ(repo->near_duplicate_candidates(newcomer, signature), (std::vector<std::int64_t>{copy}));

    repo->remove_document(copy);
    EXPECT_TRUE(repo->near_duplicate_candidates(newcomer, signature).empty());
}

TEST_P(RepositoryTest, AFailedCompletionStoresNoSignature) {
    const std::int64_t id = repo->add_queued_document(make_document(1));
    const auto job = repo->claim_job();
    // A flag naming no document: the commit fails after the signature was written.
    EXPECT_THROW(repo->complete_job(*job, "pdf", "", make_pages(id, 2), {make_signature(1), 999, 0.95}),
                 EnvironmentError);
    EXPECT_FALSE(repo->text_signature(id));
    EXPECT_EQ(repo->find_document(id)->status, DocumentStatus::converting);
    const std::int64_t newcomer = repo->add_queued_document(make_document(2));
    EXPECT_TRUE(repo->near_duplicate_candidates(newcomer, make_signature(1)).empty());
}

// --- categories ---

TEST_P(RepositoryTest, EnsuresCategoryPathsIdempotently) {
    const std::int64_t leaf = repo->ensure_category_path("实用范文/写作指导");
    EXPECT_EQ(repo->ensure_category_path("实用范文/写作指导"), leaf);
    EXPECT_EQ(repo->ensure_category_path("  实用范文 / 写作指导  "), leaf);
    EXPECT_EQ(repo->ensure_category_path("/实用范文//写作指导/"), leaf);
    EXPECT_EQ(repo->ensure_category_path("\xE3\x80\x80实用范文\xE3\x80\x80/写作指导"), leaf);  // U+3000
    EXPECT_EQ(repo->categories().size(), 2u);

    const std::int64_t root = repo->ensure_category_path("实用范文");
    const auto chain = repo->category_chain(leaf);
    ASSERT_EQ(chain.size(), 2u);
    EXPECT_EQ(chain[0].id, root);
    EXPECT_EQ(chain[0].name, "实用范文");
    EXPECT_FALSE(chain[0].parent_id);
    EXPECT_EQ(chain[1].id, leaf);
    EXPECT_EQ(chain[1].name, "写作指导");
    EXPECT_EQ(chain[1].parent_id, root);
    EXPECT_EQ(repo->categories().size(), 2u);  // no second root of the same name
}

TEST_P(RepositoryTest, SameNameUnderDifferentParentsIsDifferent) {
    const std::int64_t a = repo->ensure_category_path("教育/考试");
    const std::int64_t b = repo->ensure_category_path("资格考试/考试");
    const std::int64_t top = repo->ensure_category_path("考试");
    EXPECT_NE(a, b);
    EXPECT_NE(a, top);
    EXPECT_NE(b, top);
    EXPECT_EQ(repo->categories().size(), 5u);
    EXPECT_EQ(repo->category_chain(top).size(), 1u);

    const auto all = repo->categories();
    for (std::size_t i = 0; i < all.size(); ++i) {  // parents come first
        if (!all[i].parent_id) continue;
        const auto parent = std::find_if(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(i),
                                         [&](const Category& c) { return c.id == *all[i].parent_id; });
        EXPECT_NE(parent, all.begin() + static_cast<std::ptrdiff_t>(i)) << all[i].name;
    }
}

TEST_P(RepositoryTest, RefusesEmptyCategoryPathsAndUnknownIds) {
    EXPECT_THROW(repo->ensure_category_path(""), UsageError);
    EXPECT_THROW(repo->ensure_category_path(" / // "), UsageError);
    EXPECT_TRUE(repo->categories().empty());
    EXPECT_THROW(repo->category_chain(12345), NotFoundError);
}

// --- persistence ---

TEST_P(RepositoryTest, ReopeningKeepsEverything) {
    const std::int64_t category = repo->ensure_category_path("教育/高考");
    Document d = make_document(1);
    d.category_id = category;
    const std::int64_t id = repo->add_queued_document(d);
    repo->complete_job(*repo->claim_job(), "pdf", "高考语文", make_pages(id, 2), {});
    const std::int64_t queued = repo->add_queued_document(make_document(2));

    reopen();
    const auto doc = repo->find_document(id);
    ASSERT_TRUE(doc);
    EXPECT_EQ(doc->status, DocumentStatus::ready);
    EXPECT_EQ(doc->title, "高考语文");
    EXPECT_EQ(doc->category_id, category);
    EXPECT_EQ(repo->pages(id).size(), 2u);
    EXPECT_EQ(repo->ensure_category_path("教育/高考"), category);
    EXPECT_EQ(repo->categories().size(), 2u);
    EXPECT_EQ(repo->count_queued_jobs(), 1);
    EXPECT_EQ(repo->claim_job()->document_id, queued);
    EXPECT_GT(repo->add_queued_document(make_document(3)), queued);
}

INSTANTIATE_TEST_SUITE_P(Backends, RepositoryTest,
                         ::testing::Values(RepositoryBackend{
                             "sqlite",
                             [](const fs::path& dir) { return open_sqlite_repository((dir / "wenku.db").string()); }}),
                         [](const ::testing::TestParamInfo<RepositoryBackend>& backend) { return backend.param.name; });

// --- SQLite specifics ---

/// Runs `sql` on its own raw connection to `db` and returns the first column of the first row.
std::string raw_sqlite(const fs::path& db, const std::string& sql) {
    sqlite3* handle = nullptr;
    EXPECT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
    std::string result;
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(handle);
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
        result = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    sqlite3_close(handle);
    return result;
}

TEST(SqliteRepository, UsesWalAndRecordsItsSchemaVersion) {
    test::TempDir dir;
    const fs::path db = dir.path() / "wenku.db";
    open_sqlite_repository(db.string());
    EXPECT_EQ(raw_sqlite(db, "PRAGMA journal_mode"), "wal");
    EXPECT_GE(std::stoi(raw_sqlite(db, "PRAGMA user_version")), 1);
}

TEST(SqliteRepository, ReopeningDoesNotRerunMigrations) {
    test::TempDir dir;
    const fs::path db = dir.path() / "wenku.db";
    {
        auto repo = open_sqlite_repository(db.string());
        repo->add_queued_document(make_document(1));
    }
    const std::string version = raw_sqlite(db, "PRAGMA user_version");
    const std::string schema = raw_sqlite(db, "SELECT group_concat(sql, ';') FROM sqlite_schema");
    // Re-running migration 1 would fail outright (CREATE TABLE without IF NOT EXISTS); beyond
    // that, opening must leave the version and the schema exactly as they were.
    for (int i = 0; i < 2; ++i) {
        auto repo = open_sqlite_repository(db.string());
        EXPECT_EQ(repo->count_documents({}), 1);
    }
    EXPECT_EQ(raw_sqlite(db, "PRAGMA user_version"), version);
    EXPECT_EQ(raw_sqlite(db, "SELECT group_concat(sql, ';') FROM sqlite_schema"), schema);
}

TEST(SqliteRepository, RefusesADatabaseFromANewerWenku) {
    test::TempDir dir;
    const fs::path db = dir.path() / "wenku.db";
    open_sqlite_repository(db.string());
    const int newer = std::stoi(raw_sqlite(db, "PRAGMA user_version")) + 1;
    raw_sqlite(db, "PRAGMA user_version = " + std::to_string(newer));
    try {
        open_sqlite_repository(db.string());
        FAIL() << "a newer database was opened";
    } catch (const EnvironmentError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find(db.string()), std::string::npos) << message;
        EXPECT_NE(message.find("schema version " + std::to_string(newer)), std::string::npos) << message;
        EXPECT_NE(message.find("newer"), std::string::npos) << message;
    }
}

TEST(SqliteRepository, RefusesAFileThatIsNotADatabase) {
    test::TempDir dir;
    const fs::path db = dir.path() / "wenku.db";
    test::write_file(db, std::string(4096, 'x'));
    try {
        open_sqlite_repository(db.string());
        FAIL() << "garbage was opened as a database";
    } catch (const EnvironmentError& e) {
        EXPECT_NE(std::string(e.what()).find("cannot open the database " + db.string()), std::string::npos)
            << e.what();
    }
    EXPECT_THROW(open_sqlite_repository((dir.path() / "missing" / "wenku.db").string()), EnvironmentError);
}

TEST(SqliteRepository, ErrorsNameTheOperation) {
    test::TempDir dir;
    const fs::path db = dir.path() / "wenku.db";
    auto repo = open_sqlite_repository(db.string());
    repo->add_queued_document(make_document(1));

    // Another connection holds the write lock past the 5 s busy timeout.
    sqlite3* other = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &other), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
    try {
        repo->claim_job();
        ADD_FAILURE() << "claimed a job while the database was locked";
    } catch (const EnvironmentError& e) {
        EXPECT_EQ(std::string(e.what()), "cannot claim a job: database is locked");
    }
    sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(other);
    EXPECT_TRUE(repo->claim_job());  // nothing was left half-done
}

}  // namespace
}  // namespace wenku
