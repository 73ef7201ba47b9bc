#include "store/sqlite/sqlite_db.h"

#include <climits>

namespace wenku::sqlite {

void throw_last_error(sqlite3* db) {
    if (db == nullptr) throw SqliteError(SQLITE_NOMEM, sqlite3_errstr(SQLITE_NOMEM));
    throw SqliteError(sqlite3_extended_errcode(db), sqlite3_errmsg(db));
}

// --- Query ---

Query::~Query() { reset(); }

void Query::reset() {
    // Errors of the last step were already reported by step(); reset only repeats them.
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

Query& Query::bind(int index, std::int64_t value) {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) throw_last_error(db_);
    return *this;
}

Query& Query::bind(int index, std::string_view text) {
    if (text.size() > static_cast<std::size_t>(INT_MAX)) {
        throw SqliteError(SQLITE_TOOBIG, "string or blob too big");
    }
    // SQLITE_TRANSIENT: SQLite copies the text, so temporaries are safe to bind.
    if (sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) !=
        SQLITE_OK) {
        throw_last_error(db_);
    }
    return *this;
}

Query& Query::bind(int index, std::nullopt_t) {
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) throw_last_error(db_);
    return *this;
}

Query& Query::bind_real(int index, double value) {
    if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK) throw_last_error(db_);
    return *this;
}

Query& Query::bind_blob(int index, std::string_view bytes) {
    if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
        throw SqliteError(SQLITE_TOOBIG, "string or blob too big");
    }
    if (sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT) !=
        SQLITE_OK) {
        throw_last_error(db_);
    }
    return *this;
}

bool Query::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw_last_error(db_);
}

void Query::run() {
    while (step()) {
    }
}

bool Query::column_is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::int64_t Query::column_int64(int column) const { return sqlite3_column_int64(stmt_, column); }

int Query::column_int(int column) const { return sqlite3_column_int(stmt_, column); }

std::string Query::column_text(int column) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    if (text == nullptr) return {};
    return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

double Query::column_double(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Query::column_blob(int column) const {
    const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
    if (bytes == nullptr) return {};
    return std::string(bytes, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<std::int64_t> Query::column_optional_int64(int column) const {
    if (column_is_null(column)) return std::nullopt;
    return column_int64(column);
}

// --- Database ---

Database::Database(const std::string& path, int busy_timeout_ms) {
    // NOMUTEX: the owner serialises access; EXRESCODE: extended codes tell constraint kinds apart.
    const int flags =
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw SqliteError(rc, message);
    }
    sqlite3_extended_result_codes(db_, 1);
    if (sqlite3_busy_timeout(db_, busy_timeout_ms) != SQLITE_OK) {
        SqliteError error(sqlite3_extended_errcode(db_), sqlite3_errmsg(db_));
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw error;
    }
}

Database::~Database() {
    statements_.clear();  // finalize before closing
    sqlite3_close_v2(db_);
}

void Database::exec(const std::string& sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
        std::string text = message != nullptr ? message : sqlite3_errstr(rc);
        sqlite3_free(message);
        throw SqliteError(sqlite3_extended_errcode(db_), text);
    }
}

Query Database::query(std::string_view sql) {
    auto it = statements_.find(std::string(sql));
    if (it == statements_.end()) {
        if (sql.size() > static_cast<std::size_t>(INT_MAX)) throw SqliteError(SQLITE_TOOBIG, "SQL too long");
        sqlite3_stmt* stmt = nullptr;
        const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                          SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
        if (rc != SQLITE_OK) {
            sqlite3_finalize(stmt);
            throw_last_error(db_);
        }
        it = statements_.emplace(std::string(sql), std::unique_ptr<sqlite3_stmt, StatementFinalizer>(stmt))
                 .first;
    }
    return Query(db_, it->second.get());
}

std::int64_t Database::query_int64(std::string_view sql) {
    Query q = query(sql);
    if (!q.step()) throw SqliteError(SQLITE_ERROR, "query returned no row: " + std::string(sql));
    return q.column_int64(0);
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

int Database::changes() const { return sqlite3_changes(db_); }

bool Database::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

// --- Transaction ---

Transaction::Transaction(Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
    // SQLite may already have rolled back by itself (after SQLITE_FULL, SQLITE_IOERR, ...).
    if (!done_ && db_.in_transaction()) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
    db_.exec("COMMIT");
    done_ = true;
}

}  // namespace wenku::sqlite
