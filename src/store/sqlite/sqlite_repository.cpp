// Opening the SQLite store: the connection, its pragmas, and the schema, brought up to date by
// migrations. The other themes' member functions live beside this file (sqlite_repository.h).
#include "store/sqlite/sqlite_repository.h"

#include <chrono>
#include <span>

namespace wenku {

std::unique_ptr<Repository> open_sqlite_repository(const std::string& db_path) {
    return std::make_unique<sqlite::SqliteRepository>(db_path);
}

namespace sqlite {
namespace {

/// How long a statement waits for another connection's write lock before failing with
/// "database is locked".
constexpr int busy_timeout_ms = 5000;

/// One step of the schema's history. Steps are applied in order, each in its own transaction
/// together with the PRAGMA user_version that records it. Never edit a released step: add one.
struct Migration {
    int version;
    const char* sql;
};

/// Every step, oldest first (defined at the end of this file).
std::span<const Migration> migrations();

int latest_schema_version() { return migrations().back().version; }

}  // namespace

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

SqliteRepository::SqliteRepository(const std::string& db_path) : path_(db_path) {
    int version = 0;
    try {
        db_ = std::make_unique<Database>(path_, busy_timeout_ms);
        version = schema_version();  // also proves the file is a database
    } catch (const SqliteError& e) {
        throw EnvironmentError("cannot open the database " + path_ + ": " + e.what());
    }
    if (version > latest_schema_version()) {
        throw EnvironmentError("the database " + path_ + " has schema version " + std::to_string(version) +
                               ", newer than this wenku knows (" + std::to_string(latest_schema_version()) +
                               "); it was written by a newer wenku: upgrade wenku to open it");
    }
    try {
        configure();
    } catch (const SqliteError& e) {
        throw EnvironmentError("cannot configure the database " + path_ + ": " + e.what());
    }
    migrate();
}

int SqliteRepository::schema_version() { return static_cast<int>(db_->query_int64("PRAGMA user_version")); }

void SqliteRepository::configure() {
    // WAL: readers never block the writer; FULL: a commit is on disk when COMMIT returns, which the
    // ingest pipeline relies on (files fsynced, then the commit that makes them visible).
    {
        Query q = db_->query("PRAGMA journal_mode = WAL");
        const std::string mode = q.step() ? q.column_text(0) : "";
        if (mode != "wal" && mode != "memory") {
            throw SqliteError(SQLITE_ERROR, "cannot switch to WAL journal mode (it stays '" + mode + "')");
        }
    }
    db_->exec("PRAGMA synchronous = FULL");
    db_->exec("PRAGMA foreign_keys = ON");
}

void SqliteRepository::migrate() {
    for (const Migration& m : migrations()) {
        if (schema_version() >= m.version) continue;
        try {
            Transaction tx(*db_);
            // Another process may have applied this step while we waited for the write lock.
            const int current = schema_version();
            if (current > latest_schema_version()) {
                throw SqliteError(SQLITE_ERROR, "another process upgraded it to schema version " +
                                                    std::to_string(current) +
                                                    ", newer than this wenku knows");
            }
            if (current >= m.version) continue;
            db_->exec(m.sql);
            db_->exec("PRAGMA user_version = " + std::to_string(m.version));
            tx.commit();
        } catch (const SqliteError& e) {
            throw EnvironmentError("cannot upgrade the database " + path_ + " to schema version " +
                                   std::to_string(m.version) + ": " + e.what());
        }
    }
}

// --- the schema ---

namespace {

constexpr Migration all_migrations[] = {
    {1, R"sql(
        CREATE TABLE category (
            id        INTEGER PRIMARY KEY AUTOINCREMENT,
            parent_id INTEGER REFERENCES category(id),
            name      TEXT NOT NULL CHECK (name <> '')
        );
        -- UNIQUE(parent_id, name) would let two roots share a name (NULLs are distinct in a unique
        -- index); IFNULL folds every root into parent 0, which no category has (ids start at 1).
        CREATE UNIQUE INDEX category_parent_name ON category(IFNULL(parent_id, 0), name);
        CREATE INDEX category_parent ON category(parent_id);

        -- AUTOINCREMENT: the id is the public document number, never reused after a removal.
        CREATE TABLE document (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            title         TEXT NOT NULL DEFAULT '',
            original_name TEXT NOT NULL DEFAULT '',
            format        TEXT NOT NULL DEFAULT '',
            size_bytes    INTEGER NOT NULL DEFAULT 0,
            sha256        TEXT NOT NULL UNIQUE CHECK (sha256 <> ''),
            page_count    INTEGER NOT NULL DEFAULT 0,
            status        TEXT NOT NULL DEFAULT 'queued'
                          CHECK (status IN ('queued', 'converting', 'ready', 'failed')),
            error         TEXT NOT NULL DEFAULT '',
            uploader      TEXT NOT NULL DEFAULT '',
            category_id   INTEGER REFERENCES category(id) ON DELETE SET NULL,
            price         INTEGER NOT NULL DEFAULT 0,
            free_pages    INTEGER,
            created_at    INTEGER NOT NULL,
            views         INTEGER NOT NULL DEFAULT 0,
            downloads     INTEGER NOT NULL DEFAULT 0,
            favorites     INTEGER NOT NULL DEFAULT 0
        );
        -- Listings are newest first by id: (status, id) serves "ready, newest first" without a sort.
        CREATE INDEX document_status ON document(status, id);
        CREATE INDEX document_category ON document(category_id);

        -- A rowid table rather than WITHOUT ROWID: page text is often larger than the ~200 bytes
        -- per row that WITHOUT ROWID tables are good at.
        CREATE TABLE page (
            document_id INTEGER NOT NULL REFERENCES document(id) ON DELETE CASCADE,
            number      INTEGER NOT NULL CHECK (number >= 1),
            width_px    INTEGER NOT NULL DEFAULT 0,
            height_px   INTEGER NOT NULL DEFAULT 0,
            text        TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (document_id, number)
        );

        CREATE TABLE job (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            document_id INTEGER NOT NULL REFERENCES document(id) ON DELETE CASCADE,
            kind        TEXT NOT NULL DEFAULT 'convert' CHECK (kind IN ('convert')),
            status      TEXT NOT NULL DEFAULT 'queued'
                        CHECK (status IN ('queued', 'running', 'done', 'failed')),
            attempts    INTEGER NOT NULL DEFAULT 0,
            claimed_at  INTEGER,
            finished_at INTEGER,
            error       TEXT NOT NULL DEFAULT '',
            created_at  INTEGER NOT NULL
        );
        CREATE INDEX job_claim ON job(status, id);
        CREATE INDEX job_document ON job(document_id);
    )sql"},
    // Page text recognised by OCR (scans) is marked, so readers and search can tell it apart.
    {2, R"sql(
        ALTER TABLE page ADD COLUMN ocr INTEGER NOT NULL DEFAULT 0 CHECK (ocr IN (0, 1));
    )sql"},
    // Near-duplicate detection (search/near_duplicate.h): a ready document's MinHash signature,
    // its LSH band hashes indexed by (band, hash) so candidates are found without reading every
    // signature, and on the document the flag set at ingest.
    {3, R"sql(
        ALTER TABLE document ADD COLUMN near_duplicate_of INTEGER REFERENCES document(id);
        ALTER TABLE document ADD COLUMN near_duplicate_similarity REAL;
        CREATE INDEX document_near_duplicate ON document(near_duplicate_of) WHERE near_duplicate_of IS NOT NULL;

        CREATE TABLE text_signature (
            document_id INTEGER PRIMARY KEY REFERENCES document(id) ON DELETE CASCADE,
            minhash     BLOB NOT NULL  -- 32-bit values, little-endian
        );
        -- WITHOUT ROWID: tiny rows, looked up by their primary key.
        CREATE TABLE signature_band (
            band        INTEGER NOT NULL,
            hash        INTEGER NOT NULL,
            document_id INTEGER NOT NULL REFERENCES document(id) ON DELETE CASCADE,
            PRIMARY KEY (band, hash, document_id)
        ) WITHOUT ROWID;
        CREATE INDEX signature_band_document ON signature_band(document_id);
    )sql"},
    // 相关搜索: what readers searched, as the canonical query text only (no person, address or
    // time of day: a day number), how often, and the documents it led to (its top results).
    // 相关资源: each document's related documents as computed from the search index, with the
    // library's size then (they are computed again when it has grown enough).
    {4, R"sql(
        CREATE TABLE search_query (
            id       INTEGER PRIMARY KEY,
            text     TEXT NOT NULL UNIQUE,
            searches INTEGER NOT NULL,
            last_day INTEGER NOT NULL  -- days since 1970-01-01
        );
        CREATE TABLE search_query_result (
            query_id    INTEGER NOT NULL REFERENCES search_query(id) ON DELETE CASCADE,
            document_id INTEGER NOT NULL REFERENCES document(id) ON DELETE CASCADE,
            PRIMARY KEY (query_id, document_id)
        ) WITHOUT ROWID;
        CREATE INDEX search_query_result_document ON search_query_result(document_id);

        CREATE TABLE related_list (
            document_id  INTEGER PRIMARY KEY REFERENCES document(id) ON DELETE CASCADE,
            library_size INTEGER NOT NULL,
            related_ids  TEXT NOT NULL  -- ids, best first, separated by spaces
        );
    )sql"},
    // 举报: readers' reports of documents, kept for the operator.
    {5, R"sql(
        CREATE TABLE report (
            id          INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES document(id) ON DELETE CASCADE,
            reason      TEXT NOT NULL,
            detail      TEXT NOT NULL,
            created_at  INTEGER NOT NULL
        );
        CREATE INDEX report_document ON report(document_id);
        CREATE INDEX document_views ON document(views);
        CREATE INDEX document_downloads ON document(downloads);
    )sql"},
    // 相关搜索 suggests only searches made by several clients on several days: who made a search on
    // which day, as a keyed hash of the address (the key is random, made here, and never leaves the
    // database), and the log pruned by age (last_day) and size.
    {6, R"sql(
        CREATE TABLE search_query_client (
            query_id INTEGER NOT NULL REFERENCES search_query(id) ON DELETE CASCADE,
            day      INTEGER NOT NULL,  -- days since 1970-01-01
            client   TEXT NOT NULL,     -- hex of SHA-256(key, address), shortened
            PRIMARY KEY (query_id, day, client)
        ) WITHOUT ROWID;
        CREATE INDEX search_query_client_day ON search_query_client(day);
        CREATE INDEX search_query_last_day ON search_query(last_day);
        CREATE TABLE search_log_key (key BLOB NOT NULL);
        INSERT INTO search_log_key VALUES (randomblob(32));
    )sql"},
    // The per-address upload quotas (storage.address_*_per_day) outlive a restart and are shared
    // by every server of a library: what each client uploaded per day, by the same keyed hash.
    {7, R"sql(
        CREATE TABLE upload_usage (
            client    TEXT NOT NULL,     -- hex of SHA-256(key, address), shortened
            day       INTEGER NOT NULL,  -- days since 1970-01-01, UTC
            bytes     INTEGER NOT NULL,
            documents INTEGER NOT NULL,
            PRIMARY KEY (client, day)
        ) WITHOUT ROWID;
    )sql"},
    // Accounts: users (names unique without regard to ASCII case; passwords only as argon2id
    // strings), browser sessions and API tokens stored only as SHA-256 hashes of their random
    // tokens, timed bans per action, and failed logins by account and by keyed hash of the address,
    // so every server sharing the database counts them together. Documents remember the account
    // that uploaded them.
    {8, R"sql(
        CREATE TABLE user (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            name          TEXT NOT NULL CHECK (name <> ''),
            email         TEXT NOT NULL DEFAULT '',
            password_hash TEXT NOT NULL,
            role          TEXT NOT NULL DEFAULT 'reader'
                          CHECK (role IN ('reader', 'uploader', 'moderator', 'admin')),
            created_at    INTEGER NOT NULL
        );
        CREATE UNIQUE INDEX user_name ON user(name COLLATE NOCASE);

        CREATE TABLE session (
            token_hash   TEXT PRIMARY KEY,  -- hex SHA-256 of the cookie's token
            user_id      INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            csrf_token   TEXT NOT NULL,
            created_at   INTEGER NOT NULL,
            last_seen_at INTEGER NOT NULL,
            expires_at   INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX session_user ON session(user_id);
        CREATE INDEX session_expires ON session(expires_at);

        CREATE TABLE api_token (
            id           INTEGER PRIMARY KEY,
            user_id      INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            token_hash   TEXT NOT NULL UNIQUE,  -- hex SHA-256 of the token
            name         TEXT NOT NULL,
            created_at   INTEGER NOT NULL,
            last_used_at INTEGER,
            revoked      INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
        );
        CREATE INDEX api_token_user ON api_token(user_id);

        CREATE TABLE ban (
            user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            action  TEXT NOT NULL CHECK (action IN ('login', 'upload', 'comment', 'download')),
            until   INTEGER NOT NULL,
            reason  TEXT NOT NULL,
            PRIMARY KEY (user_id, action)
        ) WITHOUT ROWID;

        CREATE TABLE login_failure (
            id      INTEGER PRIMARY KEY,
            account TEXT NOT NULL,  -- the name tried, lower-cased (known or not)
            client  TEXT NOT NULL,  -- hex of SHA-256(key, address), shortened
            at      INTEGER NOT NULL
        );
        CREATE INDEX login_failure_account ON login_failure(account, at);
        CREATE INDEX login_failure_client ON login_failure(client, at);
        CREATE INDEX login_failure_at ON login_failure(at);

        ALTER TABLE document ADD COLUMN uploader_id INTEGER REFERENCES user(id) ON DELETE SET NULL;
        CREATE INDEX document_uploader ON document(uploader_id) WHERE uploader_id IS NOT NULL;
    )sql"},
    // Review and moderation: who may see each document, and the append-only log of staff actions.
    {9, R"sql(
        ALTER TABLE document ADD COLUMN state TEXT NOT NULL DEFAULT 'public'
            CHECK (state IN ('pending', 'public', 'rejected', 'hidden', 'deleted'));
        ALTER TABLE document ADD COLUMN state_reason TEXT NOT NULL DEFAULT '';
        CREATE INDEX document_state ON document(state) WHERE state <> 'public';

        CREATE TABLE audit_log (
            id       INTEGER PRIMARY KEY,
            at       INTEGER NOT NULL,
            actor_id INTEGER,  -- no reference: the log outlives the accounts it names
            actor    TEXT NOT NULL,
            action   TEXT NOT NULL,
            target   TEXT NOT NULL,
            reason   TEXT NOT NULL
        );
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    )sql"},
};

std::span<const Migration> migrations() { return all_migrations; }

}  // namespace
}  // namespace sqlite
}  // namespace wenku
