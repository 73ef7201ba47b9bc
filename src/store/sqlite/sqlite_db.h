#pragma once
// A thin RAII layer over the SQLite C API, private to the SQLite repository: one connection with
// cached prepared statements, queries that reset themselves, and transactions that roll back
// unless committed. Not thread-safe by itself: the repository serialises every use of a Database.
// Every failed SQLite call throws SqliteError carrying the result code and sqlite3_errmsg.
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace wenku::sqlite {

/// A failed SQLite call; what() is sqlite3_errmsg at the time ("database is locked").
class SqliteError : public std::runtime_error {
  public:
    SqliteError(int extended_code, const std::string& message)
        : std::runtime_error(message), extended_code_(extended_code) {}
    int code() const { return extended_code_ & 0xff; }  // the primary result code, SQLITE_BUSY etc.
    int extended_code() const { return extended_code_; }

  private:
    int extended_code_;
};

/// One execution of a cached prepared statement. Binding indexes and column indexes are as in
/// SQLite (bindings 1-based, columns 0-based). The statement is reset and its bindings cleared
/// when the Query dies, so the next user of the cached statement starts clean.
class Query {
  public:
    Query(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
    ~Query();
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;

    Query& bind(int index, std::int64_t value);
    Query& bind(int index, std::string_view text);
    Query& bind(int index, std::nullopt_t);
    Query& bind_real(int index, double value);
    Query& bind_blob(int index, std::string_view bytes);
    template <typename T>
    Query& bind(int index, const std::optional<T>& value) {
        return value ? bind(index, static_cast<std::int64_t>(*value)) : bind(index, std::nullopt);
    }

    /// Advances to the next row: true if there is one, false when the statement is done.
    bool step();
    /// Runs a statement that returns no rows (or whose rows are not wanted).
    void run();
    /// Makes the statement ready to run again and clears its bindings.
    void reset();

    bool column_is_null(int column) const;
    std::int64_t column_int64(int column) const;
    int column_int(int column) const;
    std::string column_text(int column) const;  // "" for NULL
    double column_double(int column) const;     // 0 for NULL
    std::string column_blob(int column) const;  // "" for NULL
    std::optional<std::int64_t> column_optional_int64(int column) const;

  private:
    sqlite3* db_;
    sqlite3_stmt* stmt_;
};

/// One open connection. Opening does not configure anything beyond the busy timeout: the caller
/// runs the pragmas it needs.
class Database {
  public:
    /// Opens (creating if missing) the database file at `path`. Throws SqliteError.
    Database(const std::string& path, int busy_timeout_ms);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    /// Runs one or more SQL statements, discarding any rows.
    void exec(const std::string& sql);
    /// The prepared statement for `sql`, compiled on first use and kept for the connection's life.
    Query query(std::string_view sql);
    /// Runs a query that returns one integer (a count, a pragma value); throws if it returns no row.
    std::int64_t query_int64(std::string_view sql);

    std::int64_t last_insert_rowid() const;
    int changes() const;  // rows changed by the last INSERT/UPDATE/DELETE
    bool in_transaction() const;
    sqlite3* handle() const { return db_; }

  private:
    struct StatementFinalizer {
        void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
    };
    sqlite3* db_ = nullptr;
    std::unordered_map<std::string, std::unique_ptr<sqlite3_stmt, StatementFinalizer>> statements_;
};

/// A write transaction begun with BEGIN IMMEDIATE, so it takes the write lock up front (waiting up
/// to the busy timeout) and cannot fail later for a lock another connection holds. Rolls back
/// when destroyed without commit().
class Transaction {
  public:
    explicit Transaction(Database& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    /// Commits; on failure the transaction is rolled back and SqliteError thrown.
    void commit();

  private:
    Database& db_;
    bool done_ = false;
};

/// Throws SqliteError for the last error on `db`.
[[noreturn]] void throw_last_error(sqlite3* db);

}  // namespace wenku::sqlite
