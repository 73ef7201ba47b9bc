// The Repository contract, readers' activity: view and download counters, reports (举报) and the
// search log (support/repository_fixture.h).
#include <gtest/gtest.h>

#include "core/errors.h"
#include "support/repository_fixture.h"

namespace wenku::test {
namespace {

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
    EXPECT_EQ(repo->searches_leading_to({a}, 10),
              (std::vector<std::string>{"春风", "明月"}));  // more searches first
    repo->record_searches({{"明月", {a, b}, 5}});
    EXPECT_EQ(repo->searches_leading_to({a}, 10), (std::vector<std::string>{"明月", "春风"}));
    EXPECT_EQ(repo->searches_leading_to({b}, 10), (std::vector<std::string>{"明月"}));
    repo->record_searches({});  // nothing to write is fine
}

INSTANTIATE_TEST_SUITE_P(Backends, RepositoryTest, repository_backends(), backend_name);

}  // namespace
}  // namespace wenku::test
