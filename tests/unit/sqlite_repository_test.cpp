// What the SQLite store promises beyond the Repository contract: WAL, the schema version and its
// migrations, refusing what it cannot open, and errors that name the operation.
#include <sqlite3.h>

#include <string>

#include <gtest/gtest.h>

#include "core/errors.h"
#include "support/repository_fixture.h"

namespace wenku::test {
namespace {

namespace fs = std::filesystem;

/// Runs `sql` on its own raw connection to `db` and returns the first column of the first row.
std::string raw_sqlite(const fs::path& db, const std::string& sql) {
    sqlite3* handle = nullptr;
    EXPECT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
    std::string result;
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
        << sqlite3_errmsg(handle);
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
}  // namespace wenku::test
