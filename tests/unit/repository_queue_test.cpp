// The Repository contract, the durable job queue and the text signatures a completed job stores
// for near-duplicate detection (support/repository_fixture.h).
#include <algorithm>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "core/errors.h"
#include "support/repository_fixture.h"

namespace wenku::test {
namespace {

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
    EXPECT_EQ(std::set<std::int64_t>(claimed.begin(), claimed.end()).size(),
              static_cast<std::size_t>(job_count));
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
    repo->complete_job(*repo->claim_job(), "pdf", "", make_pages(copy, 1),
                       {original_signature, original, 0.9375});

    const auto doc = repo->find_document(copy);
    EXPECT_EQ(doc->status, DocumentStatus::ready);
    EXPECT_EQ(doc->near_duplicate_of, original);
    EXPECT_DOUBLE_EQ(doc->near_duplicate_similarity, 0.9375);
    EXPECT_EQ(ids_of(repo->list_documents({}))[0], copy);
    EXPECT_EQ(repo->list_documents({})[0].near_duplicate_of, original);
    // Converting the original again: its copy is not offered as its original.
    EXPECT_TRUE(repo->near_duplicate_candidates(original, original_signature).empty());
    EXPECT_EQ(repo->near_duplicate_candidates(copy, original_signature),
              (std::vector<std::int64_t>{original}));

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

INSTANTIATE_TEST_SUITE_P(Backends, RepositoryTest, repository_backends(), backend_name);

}  // namespace
}  // namespace wenku::test
