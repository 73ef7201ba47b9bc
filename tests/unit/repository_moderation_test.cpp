// The Repository contract, review and moderation: document states and the append-only audit log
// (support/repository_fixture.h).
#include <gtest/gtest.h>

#include "core/errors.h"
#include "support/repository_fixture.h"

namespace wenku::test {
namespace {

TEST_P(RepositoryTest, KeepsADocumentsStateAndFiltersByIt) {
    const auto a = add_ready(1), b = add_ready(2), c = add_ready(3);
    EXPECT_EQ(repo->find_document(a)->state, DocumentState::published);
    repo->set_document_state(b, DocumentState::hidden, "侵权投诉，核实中");
    repo->set_document_state(c, DocumentState::rejected, "内容不完整");
    const auto hidden = repo->find_document(b);
    EXPECT_EQ(hidden->state, DocumentState::hidden);
    EXPECT_EQ(hidden->state_reason, "侵权投诉，核实中");
    DocumentFilter f;
    f.state = DocumentState::published;
    EXPECT_EQ(ids_of(repo->list_documents(f)), (std::vector<std::int64_t>{a}));
    EXPECT_EQ(repo->count_documents(f), 1);
    f.state = DocumentState::rejected;
    EXPECT_EQ(ids_of(repo->list_documents(f)), (std::vector<std::int64_t>{c}));
    repo->set_document_state(b, DocumentState::published, "");
    EXPECT_EQ(repo->find_document(b)->state_reason, "");
    EXPECT_THROW(repo->set_document_state(999, DocumentState::hidden, "x"), NotFoundError);
}

TEST_P(RepositoryTest, AddsAPendingDocumentAndListsAnUploadersDocuments) {
    User u;
    u.name = "uploader1";
    u.password_hash = "$argon2id$x";
    const auto uid = repo->add_user(u);
    add_ready(2);
    Document d;
    d.title = "待审核的文档";
    d.original_name = "a.txt";
    d.sha256 = std::string(64, 'a');
    d.state = DocumentState::pending;
    d.uploader_id = uid;
    const auto id = repo->add_queued_document(d);
    EXPECT_EQ(repo->find_document(id)->state, DocumentState::pending);
    DocumentFilter f;
    f.uploader_id = uid;
    EXPECT_EQ(ids_of(repo->list_documents(f)), (std::vector<std::int64_t>{id}));
}

TEST_P(RepositoryTest, AuditLogIsNewestFirstAndAppendOnly) {
    AuditEntry e;
    e.actor_id = 7;
    e.actor = "moderator1";
    e.action = "document.hide";
    e.target = "document:3";
    e.reason = "举报：侵权";
    const auto first = repo->add_audit_entry(e);
    e.actor_id.reset();
    e.actor = "";
    e.action = "user.role";
    e.target = "user:2";
    e.reason = "";
    e.at = 1700000000;
    const auto second = repo->add_audit_entry(e);
    const auto log = repo->audit_entries(10, 0);
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[0].id, second);
    EXPECT_EQ(log[0].at, 1700000000);
    EXPECT_FALSE(log[0].actor_id);
    EXPECT_EQ(log[1].id, first);
    EXPECT_EQ(log[1].actor_id, 7);
    EXPECT_EQ(log[1].actor, "moderator1");
    EXPECT_EQ(log[1].action, "document.hide");
    EXPECT_EQ(log[1].target, "document:3");
    EXPECT_EQ(log[1].reason, "举报：侵权");
    EXPECT_GT(log[1].at, 0);
    EXPECT_EQ(repo->audit_entries(1, 1).at(0).id, first);
    EXPECT_THROW(repo->audit_entries(-1, 0), UsageError);
}

INSTANTIATE_TEST_SUITE_P(Backends, RepositoryTest, repository_backends(), backend_name);

}  // namespace
}  // namespace wenku::test
