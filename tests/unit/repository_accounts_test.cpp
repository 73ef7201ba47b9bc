// The Repository contract, accounts: users, sessions, API tokens, bans and failed logins
// (support/repository_fixture.h). Secrets are given to the store as hashes already; these tests
// check what it keeps and answers.
#include <gtest/gtest.h>

#include "core/errors.h"
#include "support/repository_fixture.h"

namespace wenku::test {
namespace {

User user_named(const std::string& name) {
    User u;
    u.name = name;
    u.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";
    return u;
}

SessionRecord session_of(std::int64_t user, const std::string& hash, std::int64_t now) {
    return SessionRecord{hash, user, "csrf-" + hash, now, now, now + 3600};
}

TEST_P(RepositoryTest, AccountNamesAreUniqueWithoutRegardToCase) {
    const auto id = repo->add_user(user_named("Alice"));
    EXPECT_GT(id, 0);
    try {
        repo->add_user(user_named("aLICE"));
        ADD_FAILURE() << "a second Alice was added";
    } catch (const InputError& e) {
        EXPECT_EQ(e.code(), "name_taken");
    }
    ASSERT_TRUE(repo->find_user_by_name("ALICE"));
    EXPECT_EQ(repo->find_user_by_name("alice")->id, id);
    EXPECT_FALSE(repo->find_user_by_name("bob"));
    repo->set_role(id, Role::moderator);
    EXPECT_EQ(repo->find_user(id)->role, Role::moderator);
    EXPECT_THROW(repo->set_role(999, Role::admin), NotFoundError);
    EXPECT_EQ(repo->users().size(), 1u);
}

TEST_P(RepositoryTest, SessionsExpireAndEndWithAPasswordChangeButTheKeptOne) {
    const auto id = repo->add_user(user_named("alice"));
    const std::int64_t now = 1'800'000'000;
    repo->add_session(session_of(id, "a", now));
    repo->add_session(session_of(id, "b", now));
    repo->add_session(session_of(id, "c", now));
    EXPECT_EQ(repo->find_session("a", now)->csrf_token, "csrf-a");
    EXPECT_FALSE(repo->find_session("a", now + 3600)) << "expired";
    EXPECT_FALSE(repo->find_session("zzz", now));
    repo->set_password(id, "$argon2id$new", "b");
    EXPECT_FALSE(repo->find_session("a", now));
    EXPECT_TRUE(repo->find_session("b", now));
    EXPECT_FALSE(repo->find_session("c", now));
    EXPECT_EQ(repo->find_user(id)->password_hash, "$argon2id$new");
    repo->remove_session("b");
    EXPECT_FALSE(repo->find_session("b", now));
    repo->add_session(session_of(id, "d", now));
    EXPECT_EQ(repo->remove_sessions(id, ""), 1);
    EXPECT_THROW(repo->add_session(session_of(999, "e", now)), NotFoundError);
}

TEST_P(RepositoryTest, ApiTokensWorkUntilRevoked) {
    const auto id = repo->add_user(user_named("alice"));
    ApiToken t;
    t.user_id = id;
    t.name = "ci";
    const auto token_id = repo->add_api_token(t, "hash-1");
    EXPECT_EQ(repo->use_api_token("hash-1", 1'800'000'000), id);
    EXPECT_EQ(repo->api_tokens(id).at(0).last_used_at, 1'800'000'000);
    EXPECT_FALSE(repo->use_api_token("hash-2", 1'800'000'000));
    EXPECT_FALSE(repo->revoke_api_token(id + 1, token_id)) << "another account's token";
    EXPECT_TRUE(repo->revoke_api_token(id, token_id));
    EXPECT_FALSE(repo->use_api_token("hash-1", 1'800'000'000));
    EXPECT_TRUE(repo->api_tokens(id).at(0).revoked);
}

TEST_P(RepositoryTest, BansLastUntilTheirTime) {
    const auto id = repo->add_user(user_named("alice"));
    repo->set_ban(id, Ban{BanAction::upload, 2000, "spam"});
    repo->set_ban(id, Ban{BanAction::upload, 3000, "more spam"});  // replaces
    repo->set_ban(id, Ban{BanAction::login, 1500, "abuse"});
    auto bans = repo->bans(id, 1000);
    ASSERT_EQ(bans.size(), 2u);
    EXPECT_EQ(repo->bans(id, 2500).size(), 1u);
    EXPECT_EQ(repo->bans(id, 2500).at(0).reason, "more spam");
    EXPECT_TRUE(repo->remove_ban(id, BanAction::upload));
    EXPECT_FALSE(repo->remove_ban(id, BanAction::upload));
    EXPECT_THROW(repo->set_ban(999, Ban{BanAction::login, 1, "x"}), NotFoundError);
}

TEST_P(RepositoryTest, CountsFailedLoginsByAccountAndByAddressWithinTheWindow) {
    repo->add_login_failure("alice", "10.0.0.1", 100, 0);
    repo->add_login_failure("alice", "10.0.0.2", 110, 0);
    repo->add_login_failure("bob", "10.0.0.1", 120, 0);
    EXPECT_EQ(repo->login_failures("alice", "", 0, false).count, 2);
    EXPECT_EQ(repo->login_failures("alice", "", 0, false).oldest_at, 100);
    EXPECT_EQ(repo->login_failures("", "10.0.0.1", 0, true).count, 2);
    EXPECT_EQ(repo->login_failures("alice", "", 105, false).count, 1);
    repo->add_login_failure("carol", "10.0.0.3", 200, 115);  // forgets those before 115
    EXPECT_EQ(repo->login_failures("alice", "", 0, false).count, 0);
    repo->clear_login_failures("bob");
    EXPECT_EQ(repo->login_failures("", "10.0.0.1", 0, true).count, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, RepositoryTest, repository_backends(), backend_name);

}  // namespace
}  // namespace wenku::test
