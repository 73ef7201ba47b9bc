// The Repository contract, documents: adding, finding, listing and removing them, their pages,
// the category tree, and what survives reopening the store (support/repository_fixture.h).
#include <gtest/gtest.h>

#include "core/errors.h"
#include "support/repository_fixture.h"

namespace wenku::test {
namespace {

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
    EXPECT_EQ(ids_of(repo->list_documents(all)),
              (std::vector<std::int64_t>{ids[4], ids[3], ids[2], ids[1], ids[0]}));
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

INSTANTIATE_TEST_SUITE_P(Backends, RepositoryTest, repository_backends(), backend_name);

}  // namespace
}  // namespace wenku::test
