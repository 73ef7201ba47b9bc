// `wenku user`: accounts from the command line, on a real library. Passwords come from standard
// input (never the command line) and are stored as argon2id hashes.
#include <gtest/gtest.h>

#include "store/repository.h"
#include "support/test_support.h"

namespace {

using namespace wenku;
using namespace wenku::test;

/// Runs `wenku --data DIR args...` with `input` on its standard input.
CommandResult run_with_input(const std::filesystem::path& data, const std::string& input,
                             const std::string& args) {
    return run_command({"sh", "-c", "printf '%s' \"$1\" | \"$2\" --data \"$3\" " + args, "sh", input,
                        WENKU_BINARY, data.string()});
}

TEST(CliUser, AddListRolePasswdBanUnban) {
    TempDir data;
    const auto added =
        run_with_input(data.path(), "first-password\n", "user add 管理员 --role admin --email a@b.c");
    ASSERT_EQ(added.exit_code, 0) << added.err;
    EXPECT_NE(added.out.find("管理员 (admin) added"), std::string::npos) << added.out;
    EXPECT_EQ(run_with_input(data.path(), "another-pass\n", "user add 管理员").exit_code, 1)
        << "the name is taken";
    EXPECT_EQ(run_with_input(data.path(), "short\n", "user add 短").exit_code, 1)
        << "accounts.min_password_chars";
    EXPECT_EQ(run_with_input(data.path(), "", "user add nobody").exit_code, 2) << "no password given";
    EXPECT_EQ(run_with_input(data.path(), "long-enough-pw\n", "user add x --role king").exit_code, 2);
    ASSERT_EQ(run_with_input(data.path(), "reader-password\n", "user add reader1").exit_code, 0);

    {
        auto repo = open_sqlite_repository((data.path() / "wenku.db").string());
        const auto admin = repo->find_user_by_name("管理员");
        ASSERT_TRUE(admin);
        EXPECT_EQ(admin->role, Role::admin);
        EXPECT_EQ(admin->email, "a@b.c");
        EXPECT_TRUE(admin->password_hash.starts_with("$argon2id$"));
        EXPECT_EQ(admin->password_hash.find("first-password"), std::string::npos);
    }

    ASSERT_EQ(run_wenku(data.path(), {"user", "role", "READER1", "moderator"}).exit_code, 0);
    EXPECT_EQ(run_wenku(data.path(), {"user", "role", "ghost", "reader"}).exit_code, 3);
    ASSERT_EQ(run_with_input(data.path(), "changed-password\n", "user passwd reader1").exit_code, 0);
    const auto ban = run_wenku(
        data.path(), {"user", "ban", "reader1", "--action", "upload", "--until", "7d", "--reason", "spam"});
    ASSERT_EQ(ban.exit_code, 0) << ban.err;
    EXPECT_EQ(run_wenku(data.path(),
                        {"user", "ban", "reader1", "--action", "fly", "--until", "7d", "--reason", "x"})
                  .exit_code,
              2);
    EXPECT_EQ(run_wenku(data.path(),
                        {"user", "ban", "reader1", "--action", "login", "--until", "soon", "--reason", "x"})
                  .exit_code,
              2);

    const auto ls = run_wenku(data.path(), {"user", "ls"});
    ASSERT_EQ(ls.exit_code, 0) << ls.err;
    EXPECT_NE(ls.out.find("管理员\tadmin\ta@b.c"), std::string::npos) << ls.out;
    EXPECT_NE(ls.out.find("reader1\tmoderator"), std::string::npos) << ls.out;
    EXPECT_NE(ls.out.find("banned from upload until"), std::string::npos) << ls.out;
    {
        auto repo = open_sqlite_repository((data.path() / "wenku.db").string());
        const auto reader = repo->find_user_by_name("reader1");
        ASSERT_TRUE(reader);
        const auto bans = repo->bans(reader->id, 0);
        ASSERT_EQ(bans.size(), 1u);
        EXPECT_EQ(bans[0].action, BanAction::upload);
        EXPECT_EQ(bans[0].reason, "spam");
    }
    ASSERT_EQ(run_wenku(data.path(), {"user", "unban", "reader1", "--action", "upload"}).exit_code, 0);
    EXPECT_EQ(run_wenku(data.path(), {"user", "ls"}).out.find("banned"), std::string::npos);

    const auto help = run_wenku(data.path(), {"user", "--help"});
    EXPECT_NE(help.out.find("passwd"), std::string::npos);
}

}  // namespace
