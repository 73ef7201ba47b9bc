// The SQLite implementation of Repository: one connection in WAL mode, serialised by a mutex,
// with cached prepared statements. Every write that must be atomic runs in a BEGIN IMMEDIATE
// transaction, which also makes the job queue safe between processes sharing the file.
#include <chrono>
#include <ctime>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "core/conversion.h"
#include "core/errors.h"
#include "store/repository.h"
#include "store/sqlite/sqlite_db.h"

namespace wenku {
namespace {

using sqlite::Query;
using sqlite::SqliteError;
using sqlite::Transaction;

constexpr int busy_timeout_ms = 5000;

/// One step of the schema's history. Steps are applied in order, each in its own transaction
/// together with the PRAGMA user_version that records it. Never edit a released step: add one.
struct Migration {
    int version;
    const char* sql;
};

constexpr Migration migrations[] = {
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
};

constexpr int latest_schema_version = std::span(migrations).back().version;

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

constexpr std::string_view document_columns =
    "id, title, original_name, format, size_bytes, sha256, page_count, status, error, uploader, "
    "category_id, price, free_pages, created_at, views, downloads, favorites, near_duplicate_of, "
    "near_duplicate_similarity";

std::string select_documents(std::string_view where) {
    return "SELECT " + std::string(document_columns) + " FROM document " + std::string(where);
}

Document read_document(const Query& q) {
    Document d;
    d.id = q.column_int64(0);
    d.title = q.column_text(1);
    d.original_name = q.column_text(2);
    d.format = q.column_text(3);
    d.size_bytes = q.column_int64(4);
    d.sha256 = q.column_text(5);
    d.page_count = q.column_int(6);
    d.status = document_status_from_string(q.column_text(7));
    d.error = q.column_text(8);
    d.uploader = q.column_text(9);
    d.category_id = q.column_optional_int64(10);
    d.price = q.column_int(11);
    if (!q.column_is_null(12)) d.free_pages = q.column_int(12);
    d.created_at = q.column_int64(13);
    d.views = q.column_int64(14);
    d.downloads = q.column_int64(15);
    d.favorites = q.column_int64(16);
    d.near_duplicate_of = q.column_optional_int64(17);
    d.near_duplicate_similarity = q.column_double(18);
    return d;
}

Page read_page(const Query& q) {
    Page p;
    p.document_id = q.column_int64(0);
    p.number = q.column_int(1);
    p.width_px = q.column_int(2);
    p.height_px = q.column_int(3);
    p.text = q.column_text(4);
    p.ocr = q.column_int(5) != 0;
    return p;
}

std::string encode_minhash(const std::vector<std::uint32_t>& minhash) {
    std::string bytes;
    bytes.reserve(minhash.size() * 4);
    for (const std::uint32_t v : minhash) {
        for (int shift = 0; shift < 32; shift += 8) bytes.push_back(static_cast<char>((v >> shift) & 0xff));
    }
    return bytes;
}

std::vector<std::uint32_t> decode_minhash(std::string_view bytes) {
    std::vector<std::uint32_t> minhash(bytes.size() / 4);
    for (std::size_t i = 0; i < minhash.size(); ++i) {
        for (int b = 0; b < 4; ++b) {
            minhash[i] |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i * 4 + b])) << (8 * b);
        }
    }
    return minhash;
}

/// Replaces document `id`'s stored signature and band hashes with `signature` (or none).
void replace_text_signature(sqlite::Database& db, std::int64_t id, const std::optional<TextSignature>& signature) {
    db.query("DELETE FROM text_signature WHERE document_id = ?1").bind(1, id).run();
    db.query("DELETE FROM signature_band WHERE document_id = ?1").bind(1, id).run();
    if (!signature) return;
    db.query("INSERT INTO text_signature (document_id, minhash) VALUES (?1, ?2)")
        .bind(1, id)
        .bind_blob(2, encode_minhash(signature->minhash))
        .run();
    Query q = db.query("INSERT INTO signature_band (band, hash, document_id) VALUES (?1, ?2, ?3)");
    for (std::size_t band = 0; band < signature->band_hashes.size(); ++band) {
        q.reset();
        // SQLite integers are signed: the 64-bit hash is stored with the same bits.
        q.bind(1, static_cast<std::int64_t>(band))
            .bind(2, static_cast<std::int64_t>(signature->band_hashes[band]))
            .bind(3, id)
            .run();
    }
}

Category read_category(const Query& q) {
    Category c;
    c.id = q.column_int64(0);
    c.parent_id = q.column_optional_int64(1);
    c.name = q.column_text(2);
    return c;
}

/// The SQL for listing (or counting) documents matching `filter`. Parameters: ?1 the category
/// whose subtree to include, ?2 the status, ?3 limit, ?4 offset; only those the filter uses appear.
std::string document_filter_sql(const DocumentFilter& filter, bool count) {
    std::string sql;
    if (filter.category_id) {
        // UNION (not UNION ALL) stops at rows already seen, so even a corrupt cycle terminates.
        sql += "WITH RECURSIVE subtree(id) AS (SELECT ?1 UNION "
               "SELECT c.id FROM category c JOIN subtree s ON c.parent_id = s.id) ";
    }
    sql += count ? "SELECT COUNT(*) FROM document" : "SELECT " + std::string(document_columns) + " FROM document";
    const char* joiner = " WHERE ";
    if (filter.category_id) {
        sql += joiner;
        sql += "category_id IN subtree";
        joiner = " AND ";
    }
    if (filter.status) {
        sql += joiner;
        sql += "status = ?2";
    }
    if (!count) {
        switch (filter.order) {
            case DocumentOrder::newest: sql += " ORDER BY id DESC"; break;
            case DocumentOrder::views: sql += " ORDER BY views DESC, id DESC"; break;
            case DocumentOrder::downloads: sql += " ORDER BY downloads DESC, id DESC"; break;
        }
        sql += " LIMIT ?3 OFFSET ?4";
    }
    return sql;
}

void bind_document_filter(Query& q, const DocumentFilter& filter) {
    if (filter.category_id) q.bind(1, *filter.category_id);
    if (filter.status) q.bind(2, std::string_view(to_string(*filter.status)));
}

/// `part` without leading and trailing ASCII white space and ideographic spaces (U+3000).
std::string_view trim_name(std::string_view part) {
    constexpr std::string_view ascii_space = " \t\r\n\f\v";
    constexpr std::string_view ideographic_space = "\xE3\x80\x80";
    bool trimmed = true;
    while (trimmed && !part.empty()) {
        trimmed = false;
        if (ascii_space.find(part.front()) != std::string_view::npos) {
            part.remove_prefix(1);
            trimmed = true;
        } else if (part.starts_with(ideographic_space)) {
            part.remove_prefix(ideographic_space.size());
            trimmed = true;
        }
        if (part.empty()) break;
        if (ascii_space.find(part.back()) != std::string_view::npos) {
            part.remove_suffix(1);
            trimmed = true;
        } else if (part.ends_with(ideographic_space)) {
            part.remove_suffix(ideographic_space.size());
            trimmed = true;
        }
    }
    return part;
}

class SqliteRepository final : public Repository {
public:
    explicit SqliteRepository(const std::string& db_path);

    std::int64_t add_queued_document(const Document& doc) override;
    std::optional<Document> find_document(std::int64_t id) override;
    std::optional<Document> find_document_by_sha256(const std::string& sha256) override;
    std::vector<Document> list_documents(const DocumentFilter& filter) override;
    std::int64_t count_documents(const DocumentFilter& filter) override;
    void add_counts(std::int64_t id, std::int64_t views, std::int64_t downloads) override;
    std::int64_t add_report(const Report& report) override;
    std::vector<Report> reports(int limit) override;
    void remove_document(std::int64_t id) override;

    std::vector<Page> pages(std::int64_t document_id) override;
    std::optional<Page> page(std::int64_t document_id, int number) override;

    std::optional<Job> claim_job() override;
    void complete_job(const Job& job, const std::string& format, const std::string& title,
                      const std::vector<Page>& pages, const NearDuplicateRecord& near_duplicate) override;
    void fail_job(const Job& job, const std::string& error) override;
    int requeue_abandoned_jobs() override;
    void requeue_document(std::int64_t id) override;
    int count_queued_jobs() override;

    std::vector<std::int64_t> near_duplicate_candidates(std::int64_t document_id,
                                                        const TextSignature& signature) override;
    std::optional<TextSignature> text_signature(std::int64_t document_id) override;

    void record_searches(const std::vector<LoggedSearch>& searches) override;
    std::vector<std::string> searches_leading_to(const std::vector<std::int64_t>& ids, int limit) override;
    std::optional<RelatedList> related_list(std::int64_t document_id) override;
    void store_related_list(std::int64_t document_id, const RelatedList& list) override;

    std::int64_t ensure_category_path(const std::string& path) override;
    std::vector<Category> categories() override;
    std::vector<Category> category_chain(std::int64_t id) override;

private:
    /// Runs `body` holding the connection, turning SQLite failures into
    /// EnvironmentError("cannot <what>: <sqlite3_errmsg>").
    template <typename Body>
    auto locked(std::string_view what, Body&& body) {
        std::lock_guard lock(mutex_);
        try {
            return body(*db_);
        } catch (const SqliteError& e) {
            throw EnvironmentError("cannot " + std::string(what) + ": " + e.what());
        }
    }

    int schema_version();
    void configure();
    void migrate();
    /// Throws unless job `job_id` exists and is running; returns its document id.
    std::int64_t running_job_document(std::int64_t job_id);

    std::mutex mutex_;
    std::string path_;
    std::unique_ptr<sqlite::Database> db_;
};

SqliteRepository::SqliteRepository(const std::string& db_path) : path_(db_path) {
    int version = 0;
    try {
        db_ = std::make_unique<sqlite::Database>(path_, busy_timeout_ms);
        version = schema_version();  // also proves the file is a database
    } catch (const SqliteError& e) {
        throw EnvironmentError("cannot open the database " + path_ + ": " + e.what());
    }
    if (version > latest_schema_version) {
        throw EnvironmentError("the database " + path_ + " has schema version " + std::to_string(version) +
                               ", newer than this wenku knows (" + std::to_string(latest_schema_version) +
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
    for (const Migration& m : migrations) {
        if (schema_version() >= m.version) continue;
        try {
            Transaction tx(*db_);
            // Another process may have applied this step while we waited for the write lock.
            const int current = schema_version();
            if (current > latest_schema_version) {
                throw SqliteError(SQLITE_ERROR, "another process upgraded it to schema version " +
                                                    std::to_string(current) + ", newer than this wenku knows");
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

std::int64_t SqliteRepository::running_job_document(std::int64_t job_id) {
    Query q = db_->query("SELECT document_id, status FROM job WHERE id = ?1");
    q.bind(1, job_id);
    if (!q.step()) {
        throw NotFoundError("job " + std::to_string(job_id) + " does not exist (was its document removed?)");
    }
    const std::string status = q.column_text(1);
    if (status != "running") {
        throw UsageError("job " + std::to_string(job_id) + " is not running (it is " + status + ")");
    }
    return q.column_int64(0);
}

// --- documents ---

std::int64_t SqliteRepository::add_queued_document(const Document& doc) {
    if (doc.sha256.empty()) throw UsageError("cannot add a document without its SHA-256");
    return locked("add document " + doc.original_name, [&](sqlite::Database& db) {
        Transaction tx(db);
        const auto existing = [&]() -> std::optional<std::int64_t> {
            Query q = db.query("SELECT id FROM document WHERE sha256 = ?1");
            q.bind(1, doc.sha256);
            if (q.step()) return q.column_int64(0);
            return std::nullopt;
        };
        if (auto id = existing()) throw DuplicateError(*id);
        if (doc.category_id) {
            Query q = db.query("SELECT 1 FROM category WHERE id = ?1");
            q.bind(1, *doc.category_id);
            if (!q.step()) throw NotFoundError("category " + std::to_string(*doc.category_id) + " does not exist");
        }
        const std::int64_t now = unix_now();
        try {
            Query q = db.query(
                "INSERT INTO document (title, original_name, format, size_bytes, sha256, page_count, status, "
                "error, uploader, category_id, price, free_pages, created_at, views, downloads, favorites) "
                "VALUES (?1, ?2, ?3, ?4, ?5, 0, 'queued', '', ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
            q.bind(1, doc.title)
                .bind(2, doc.original_name)
                .bind(3, doc.format)
                .bind(4, doc.size_bytes)
                .bind(5, doc.sha256)
                .bind(6, doc.uploader)
                .bind(7, doc.category_id)
                .bind(8, static_cast<std::int64_t>(doc.price))
                .bind(9, doc.free_pages)
                .bind(10, doc.created_at != 0 ? doc.created_at : now)
                .bind(11, doc.views)
                .bind(12, doc.downloads)
                .bind(13, doc.favorites);
            q.run();
        } catch (const SqliteError& e) {
            // Unreachable while every writer uses BEGIN IMMEDIATE, but a duplicate is a duplicate.
            if (e.extended_code() == SQLITE_CONSTRAINT_UNIQUE) {
                if (auto id = existing()) throw DuplicateError(*id);
            }
            throw;
        }
        const std::int64_t id = db.last_insert_rowid();
        Query job = db.query("INSERT INTO job (document_id, kind, status, created_at) VALUES (?1, 'convert', 'queued', ?2)");
        job.bind(1, id).bind(2, now).run();
        tx.commit();
        return id;
    });
}

std::optional<Document> SqliteRepository::find_document(std::int64_t id) {
    return locked("find document №" + std::to_string(id), [&](sqlite::Database& db) -> std::optional<Document> {
        Query q = db.query(select_documents("WHERE id = ?1"));
        q.bind(1, id);
        if (!q.step()) return std::nullopt;
        return read_document(q);
    });
}

std::optional<Document> SqliteRepository::find_document_by_sha256(const std::string& sha256) {
    return locked("find document " + sha256, [&](sqlite::Database& db) -> std::optional<Document> {
        Query q = db.query(select_documents("WHERE sha256 = ?1"));
        q.bind(1, sha256);
        if (!q.step()) return std::nullopt;
        return read_document(q);
    });
}

std::vector<Document> SqliteRepository::list_documents(const DocumentFilter& filter) {
    if (filter.limit < 0 || filter.offset < 0) {
        throw UsageError("a document listing needs a limit and offset of 0 or more (got " +
                         std::to_string(filter.limit) + " and " + std::to_string(filter.offset) + ")");
    }
    return locked("list documents", [&](sqlite::Database& db) {
        Query q = db.query(document_filter_sql(filter, false));
        bind_document_filter(q, filter);
        q.bind(3, static_cast<std::int64_t>(filter.limit)).bind(4, static_cast<std::int64_t>(filter.offset));
        std::vector<Document> docs;
        while (q.step()) docs.push_back(read_document(q));
        return docs;
    });
}

std::int64_t SqliteRepository::count_documents(const DocumentFilter& filter) {
    return locked("count documents", [&](sqlite::Database& db) {
        Query q = db.query(document_filter_sql(filter, true));
        bind_document_filter(q, filter);
        q.step();
        return q.column_int64(0);
    });
}

void SqliteRepository::add_counts(std::int64_t id, std::int64_t views, std::int64_t downloads) {
    locked("count views of document №" + std::to_string(id), [&](sqlite::Database& db) {
        db.query("UPDATE document SET views = views + ?2, downloads = downloads + ?3 WHERE id = ?1")
            .bind(1, id)
            .bind(2, views)
            .bind(3, downloads)
            .run();
    });
}

std::int64_t SqliteRepository::add_report(const Report& report) {
    return locked("report document №" + std::to_string(report.document_id), [&](sqlite::Database& db) {
        Query exists = db.query("SELECT 1 FROM document WHERE id = ?1");
        exists.bind(1, report.document_id);
        if (!exists.step()) throw NotFoundError("no document №" + std::to_string(report.document_id));
        db.query("INSERT INTO report (document_id, reason, detail, created_at) VALUES (?1, ?2, ?3, ?4)")
            .bind(1, report.document_id)
            .bind(2, report.reason)
            .bind(3, report.detail)
            .bind(4, report.created_at != 0 ? report.created_at : static_cast<std::int64_t>(std::time(nullptr)))
            .run();
        return db.last_insert_rowid();
    });
}

std::vector<Report> SqliteRepository::reports(int limit) {
    return locked("list reports", [&](sqlite::Database& db) {
        Query q = db.query("SELECT id, document_id, reason, detail, created_at FROM report ORDER BY id DESC LIMIT ?1");
        q.bind(1, static_cast<std::int64_t>(limit));
        std::vector<Report> result;
        while (q.step()) {
            result.push_back(Report{q.column_int64(0), q.column_int64(1), q.column_text(2), q.column_text(3),
                                    q.column_int64(4)});
        }
        return result;
    });
}

void SqliteRepository::remove_document(std::int64_t id) {
    locked("remove document №" + std::to_string(id), [&](sqlite::Database& db) {
        Transaction tx(db);
        // Its copies stay, no longer pointing anywhere.
        db.query(
              "UPDATE document SET near_duplicate_of = NULL, near_duplicate_similarity = NULL "
              "WHERE near_duplicate_of = ?1")
            .bind(1, id)
            .run();
        Query q = db.query("DELETE FROM document WHERE id = ?1");  // pages, jobs and signature cascade
        q.bind(1, id).run();
        if (db.changes() == 0) throw NotFoundError("document №" + std::to_string(id) + " does not exist");
        tx.commit();
    });
}

// --- pages ---

std::vector<Page> SqliteRepository::pages(std::int64_t document_id) {
    return locked("read the pages of document №" + std::to_string(document_id), [&](sqlite::Database& db) {
        Query q = db.query(
            "SELECT document_id, number, width_px, height_px, text, ocr FROM page WHERE document_id = ?1 "
            "ORDER BY number");
        q.bind(1, document_id);
        std::vector<Page> result;
        while (q.step()) result.push_back(read_page(q));
        return result;
    });
}

std::optional<Page> SqliteRepository::page(std::int64_t document_id, int number) {
    return locked("read page " + std::to_string(number) + " of document №" + std::to_string(document_id),
                  [&](sqlite::Database& db) -> std::optional<Page> {
                      Query q = db.query(
                          "SELECT document_id, number, width_px, height_px, text, ocr FROM page "
                          "WHERE document_id = ?1 AND number = ?2");
                      q.bind(1, document_id).bind(2, static_cast<std::int64_t>(number));
                      if (!q.step()) return std::nullopt;
                      return read_page(q);
                  });
}

// --- the job queue ---

std::optional<Job> SqliteRepository::claim_job() {
    return locked("claim a job", [&](sqlite::Database& db) -> std::optional<Job> {
        // Idle workers poll: look without taking the write lock first.
        if (db.query_int64("SELECT EXISTS (SELECT 1 FROM job WHERE status = 'queued')") == 0) return std::nullopt;
        Transaction tx(db);
        Job job;
        {
            Query q = db.query("SELECT id, document_id, attempts FROM job WHERE status = 'queued' ORDER BY id LIMIT 1");
            if (!q.step()) return std::nullopt;
            job.id = q.column_int64(0);
            job.document_id = q.column_int64(1);
            job.attempts = q.column_int(2) + 1;
        }
        db.query("UPDATE job SET status = 'running', attempts = attempts + 1, claimed_at = ?2 WHERE id = ?1")
            .bind(1, job.id)
            .bind(2, unix_now())
            .run();
        db.query("UPDATE document SET status = 'converting' WHERE id = ?1").bind(1, job.document_id).run();
        tx.commit();
        return job;
    });
}

void SqliteRepository::complete_job(const Job& job, const std::string& format, const std::string& title,
                                    const std::vector<Page>& pages, const NearDuplicateRecord& near_duplicate) {
    locked("complete job " + std::to_string(job.id), [&](sqlite::Database& db) {
        Transaction tx(db);
        const std::int64_t document_id = running_job_document(job.id);
        // A document converted again replaces its pages.
        db.query("DELETE FROM page WHERE document_id = ?1").bind(1, document_id).run();
        {
            Query q = db.query(
                "INSERT INTO page (document_id, number, width_px, height_px, text, ocr) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
            for (const Page& p : pages) {
                q.reset();
                q.bind(1, document_id)
                    .bind(2, static_cast<std::int64_t>(p.number))
                    .bind(3, static_cast<std::int64_t>(p.width_px))
                    .bind(4, static_cast<std::int64_t>(p.height_px))
                    .bind(5, p.text)
                    .bind(6, static_cast<std::int64_t>(p.ocr ? 1 : 0))
                    .run();
            }
        }
        replace_text_signature(db, document_id, near_duplicate.signature);
        Query update = db.query(
            "UPDATE document SET format = ?2, page_count = ?3, title = CASE WHEN title = '' THEN ?4 ELSE title "
            "END, status = 'ready', error = '', near_duplicate_of = ?5, near_duplicate_similarity = ?6 WHERE id = ?1");
        update.bind(1, document_id)
            .bind(2, format)
            .bind(3, static_cast<std::int64_t>(pages.size()))
            .bind(4, title)
            .bind(5, near_duplicate.of);
        if (near_duplicate.of) {
            update.bind_real(6, near_duplicate.similarity);
        } else {
            update.bind(6, std::nullopt);
        }
        update.run();
        db.query("UPDATE job SET status = 'done', finished_at = ?2, error = '' WHERE id = ?1")
            .bind(1, job.id)
            .bind(2, unix_now())
            .run();
        tx.commit();
    });
}

void SqliteRepository::fail_job(const Job& job, const std::string& error) {
    locked("record the failure of job " + std::to_string(job.id), [&](sqlite::Database& db) {
        Transaction tx(db);
        const std::int64_t document_id = running_job_document(job.id);
        db.query("UPDATE document SET status = 'failed', error = ?2 WHERE id = ?1")
            .bind(1, document_id)
            .bind(2, error)
            .run();
        db.query("UPDATE job SET status = 'failed', finished_at = ?2, error = ?3 WHERE id = ?1")
            .bind(1, job.id)
            .bind(2, unix_now())
            .bind(3, error)
            .run();
        tx.commit();
    });
}

int SqliteRepository::requeue_abandoned_jobs() {
    return locked("requeue abandoned jobs", [&](sqlite::Database& db) {
        Transaction tx(db);
        db.exec(
            "UPDATE document SET status = 'queued' "
            "WHERE id IN (SELECT document_id FROM job WHERE status = 'running')");
        // attempts is kept: the pipeline can give up on a document that keeps killing its converter.
        db.exec("UPDATE job SET status = 'queued', claimed_at = NULL WHERE status = 'running'");
        const int count = db.changes();
        tx.commit();
        return count;
    });
}

void SqliteRepository::requeue_document(std::int64_t id) {
    locked("requeue document №" + std::to_string(id), [&](sqlite::Database& db) {
        Transaction tx(db);
        db.query("UPDATE document SET status = 'queued', error = '' WHERE id = ?1").bind(1, id).run();
        if (db.changes() == 0) throw NotFoundError("document №" + std::to_string(id) + " does not exist");
        db.query(
              "UPDATE job SET status = 'queued', claimed_at = NULL "
              "WHERE document_id = ?1 AND status IN ('queued', 'running')")
            .bind(1, id)
            .run();
        if (db.changes() == 0) {
            db.query("INSERT INTO job (document_id, kind, status, created_at) VALUES (?1, 'convert', 'queued', ?2)")
                .bind(1, id)
                .bind(2, unix_now())
                .run();
        }
        tx.commit();
    });
}

int SqliteRepository::count_queued_jobs() {
    return locked("count queued jobs", [&](sqlite::Database& db) {
        return static_cast<int>(db.query_int64("SELECT COUNT(*) FROM job WHERE status = 'queued'"));
    });
}

// --- near-duplicate detection ---

std::vector<std::int64_t> SqliteRepository::near_duplicate_candidates(std::int64_t document_id,
                                                                      const TextSignature& signature) {
    return locked("find near-duplicate candidates of document №" + std::to_string(document_id),
                  [&](sqlite::Database& db) {
                      Query q = db.query(
                          "SELECT b.document_id FROM signature_band b JOIN document d ON d.id = b.document_id "
                          "WHERE b.band = ?1 AND b.hash = ?2 AND b.document_id <> ?3 AND d.status = 'ready' "
                          "AND d.near_duplicate_of IS NOT ?3");
                      std::set<std::int64_t> candidates;
                      for (std::size_t band = 0; band < signature.band_hashes.size(); ++band) {
                          q.reset();
                          q.bind(1, static_cast<std::int64_t>(band))
                              .bind(2, static_cast<std::int64_t>(signature.band_hashes[band]))
                              .bind(3, document_id);
                          while (q.step()) candidates.insert(q.column_int64(0));
                      }
                      return std::vector<std::int64_t>(candidates.begin(), candidates.end());
                  });
}

std::optional<TextSignature> SqliteRepository::text_signature(std::int64_t document_id) {
    const std::string what = "read the text signature of document №" + std::to_string(document_id);
    return locked(what, [&](sqlite::Database& db) -> std::optional<TextSignature> {
        TextSignature signature;
        {
            Query q = db.query("SELECT minhash FROM text_signature WHERE document_id = ?1");
            q.bind(1, document_id);
            if (!q.step()) return std::nullopt;
            const std::string bytes = q.column_blob(0);
            if (bytes.empty() || bytes.size() % 4 != 0) throw EnvironmentError("cannot " + what + ": it is damaged");
            signature.minhash = decode_minhash(bytes);
        }
        Query q = db.query("SELECT band, hash FROM signature_band WHERE document_id = ?1 ORDER BY band");
        q.bind(1, document_id);
        while (q.step()) {
            if (q.column_int64(0) != static_cast<std::int64_t>(signature.band_hashes.size())) {
                throw EnvironmentError("cannot " + what + ": its band hashes are damaged");
            }
            signature.band_hashes.push_back(static_cast<std::uint64_t>(q.column_int64(1)));
        }
        return signature;
    });
}

// --- categories ---

std::int64_t SqliteRepository::ensure_category_path(const std::string& path) {
    std::vector<std::string> names;
    std::string_view rest = path;
    while (true) {
        const auto slash = rest.find('/');
        const std::string_view name = trim_name(rest.substr(0, slash));
        if (!name.empty()) names.emplace_back(name);
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
    }
    if (names.empty()) throw UsageError("the category path '" + path + "' names no category");

    return locked("create category " + path, [&](sqlite::Database& db) {
        Transaction tx(db);
        std::int64_t parent = 0;  // 0: the root level (IFNULL(parent_id, 0) in the unique index)
        for (const std::string& name : names) {
            Query find = db.query("SELECT id FROM category WHERE IFNULL(parent_id, 0) = ?1 AND name = ?2");
            find.bind(1, parent).bind(2, name);
            if (find.step()) {
                parent = find.column_int64(0);
                continue;
            }
            Query insert = db.query("INSERT INTO category (parent_id, name) VALUES (?1, ?2)");
            if (parent == 0) {
                insert.bind(1, std::nullopt);
            } else {
                insert.bind(1, parent);
            }
            insert.bind(2, name).run();
            parent = db.last_insert_rowid();
        }
        tx.commit();
        return parent;
    });
}

std::vector<Category> SqliteRepository::categories() {
    return locked("list categories", [&](sqlite::Database& db) {
        // By id: every parent comes before its children.
        Query q = db.query("SELECT id, parent_id, name FROM category ORDER BY id");
        std::vector<Category> result;
        while (q.step()) result.push_back(read_category(q));
        return result;
    });
}

std::vector<Category> SqliteRepository::category_chain(std::int64_t id) {
    auto chain = locked("read category " + std::to_string(id), [&](sqlite::Database& db) {
        // The depth bound keeps a (corrupt) cycle from running forever.
        Query q = db.query(
            "WITH RECURSIVE chain(id, parent_id, name, depth) AS ("
            "  SELECT id, parent_id, name, 0 FROM category WHERE id = ?1"
            "  UNION ALL"
            "  SELECT c.id, c.parent_id, c.name, chain.depth + 1 FROM category c"
            "  JOIN chain ON c.id = chain.parent_id WHERE chain.depth < 100"
            ") SELECT id, parent_id, name FROM chain ORDER BY depth DESC");
        q.bind(1, id);
        std::vector<Category> result;
        while (q.step()) result.push_back(read_category(q));
        return result;
    });
    if (chain.empty()) throw NotFoundError("category " + std::to_string(id) + " does not exist");
    return chain;
}

}  // namespace

std::unique_ptr<Repository> open_sqlite_repository(const std::string& db_path) {
    return std::make_unique<SqliteRepository>(db_path);
}

}  // namespace wenku

namespace wenku {

void SqliteRepository::record_searches(const std::vector<LoggedSearch>& searches) {
    if (searches.empty()) return;
    locked("record searches", [&](sqlite::Database& db) {
        Transaction tx(db);
        const std::int64_t day = unix_now() / 86400;
        for (const LoggedSearch& search : searches) {
            db.query("INSERT INTO search_query(text, searches, last_day) VALUES(?1, ?3, ?2) "
                     "ON CONFLICT(text) DO UPDATE SET searches = searches + ?3, last_day = ?2")
                .bind(1, search.query)
                .bind(2, day)
                .bind(3, search.times)
                .run();
            Query id = db.query("SELECT id FROM search_query WHERE text = ?1");
            id.bind(1, search.query);
            if (!id.step()) continue;
            const std::int64_t query_id = id.column_int64(0);
            db.query("DELETE FROM search_query_result WHERE query_id = ?1").bind(1, query_id).run();
            Query add = db.query(
                "INSERT OR IGNORE INTO search_query_result(query_id, document_id) "
                "SELECT ?1, id FROM document WHERE id = ?2");
            for (const auto doc : search.top_ids) {
                add.reset();
                add.bind(1, query_id).bind(2, doc).run();
            }
        }
        tx.commit();
    });
}

std::vector<std::string> SqliteRepository::searches_leading_to(const std::vector<std::int64_t>& ids, int limit) {
    return locked("read the search log", [&](sqlite::Database& db) {
        // Queries ranked by how many of these documents they led to, then by how often they were made.
        std::map<std::int64_t, std::pair<int, std::int64_t>> score;  // query id → (shared, searches)
        std::map<std::int64_t, std::string> text;
        Query q = db.query(
            "SELECT q.id, q.text, q.searches FROM search_query_result r JOIN search_query q ON q.id = r.query_id "
            "WHERE r.document_id = ?1");
        for (const auto id : ids) {
            q.reset();
            q.bind(1, id);
            while (q.step()) {
                auto& s = score[q.column_int64(0)];
                ++s.first;
                s.second = q.column_int64(2);
                text[q.column_int64(0)] = q.column_text(1);
            }
        }
        std::vector<std::pair<std::pair<int, std::int64_t>, std::string>> ranked;
        for (const auto& [id, s] : score) ranked.push_back({s, text[id]});
        std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
            return a.first != b.first ? a.first > b.first : a.second < b.second;
        });
        std::vector<std::string> out;
        for (const auto& r : ranked) {
            if (static_cast<int>(out.size()) >= limit) break;
            out.push_back(r.second);
        }
        return out;
    });
}

std::optional<RelatedList> SqliteRepository::related_list(std::int64_t document_id) {
    return locked("read the related documents of №" + std::to_string(document_id),
                  [&](sqlite::Database& db) -> std::optional<RelatedList> {
                      Query q = db.query("SELECT library_size, related_ids FROM related_list WHERE document_id = ?1");
                      q.bind(1, document_id);
                      if (!q.step()) return std::nullopt;
                      RelatedList list;
                      list.library_size = q.column_int64(0);
                      std::istringstream ids(q.column_text(1));
                      for (std::int64_t id; ids >> id;) list.ids.push_back(id);
                      return list;
                  });
}

void SqliteRepository::store_related_list(std::int64_t document_id, const RelatedList& list) {
    locked("store the related documents of №" + std::to_string(document_id), [&](sqlite::Database& db) {
        std::string ids;
        for (const auto id : list.ids) ids += (ids.empty() ? "" : " ") + std::to_string(id);
        db.query("INSERT INTO related_list(document_id, library_size, related_ids) "
                 "SELECT id, ?2, ?3 FROM document WHERE id = ?1 "
                 "ON CONFLICT(document_id) DO UPDATE SET library_size = ?2, related_ids = ?3")
            .bind(1, document_id)
            .bind(2, list.library_size)
            .bind(3, ids)
            .run();
    });
}

}  // namespace wenku
