// Documents, their pages and the category tree in the SQLite store (sqlite_repository.h).
#include <string>
#include <string_view>

#include "store/sqlite/sqlite_repository.h"

namespace wenku::sqlite {
namespace {

/// The columns read_document() reads, in its order.
constexpr std::string_view document_columns =
    "id, title, original_name, format, size_bytes, sha256, page_count, status, error, uploader, "
    "category_id, price, free_pages, created_at, views, downloads, favorites, near_duplicate_of, "
    "near_duplicate_similarity, uploader_id, state, state_reason";

/// SELECT document_columns FROM document `where`.
std::string select_documents(std::string_view where);
/// The SQL for listing (or counting) documents matching `filter`. Parameters: ?1 the category
/// whose subtree to include, ?2 the status, ?3 limit, ?4 offset, ?5 the state, ?6 the uploader;
/// only those the filter uses appear.
std::string document_filter_sql(const DocumentFilter& filter, bool count);
/// Binds ?1, ?2, ?5 and ?6 of document_filter_sql() as the filter uses them.
void bind_document_filter(Query& q, const DocumentFilter& filter);
/// The current row of a query selecting document_columns.
Document read_document(const Query& q);
/// The current row of a query selecting document_id, number, width_px, height_px, text, ocr.
Page read_page(const Query& q);
/// The current row of a query selecting id, parent_id, name.
Category read_category(const Query& q);
/// `part` without leading and trailing ASCII white space and ideographic spaces (U+3000).
std::string_view trim_name(std::string_view part);

}  // namespace

// --- documents ---

std::int64_t SqliteRepository::add_queued_document(const Document& doc) {
    if (doc.sha256.empty()) throw UsageError("cannot add a document without its SHA-256");
    return locked("add document " + doc.original_name, [&](Database& db) {
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
            if (!q.step()) {
                throw NotFoundError("category " + std::to_string(*doc.category_id) + " does not exist");
            }
        }
        const std::int64_t now = unix_now();
        try {
            Query q = db.query(
                "INSERT INTO document (title, original_name, format, size_bytes, sha256, page_count, status, "
                "error, uploader, category_id, price, free_pages, created_at, views, downloads, favorites, "
                "uploader_id, state) "
                "VALUES (?1, ?2, ?3, ?4, ?5, 0, 'queued', '', ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
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
                .bind(13, doc.favorites)
                .bind(14, doc.uploader_id)
                .bind(15, std::string_view(to_string(doc.state)));
            q.run();
        } catch (const SqliteError& e) {
            // Unreachable while every writer uses BEGIN IMMEDIATE, but a duplicate is a duplicate.
            if (e.extended_code() == SQLITE_CONSTRAINT_UNIQUE) {
                if (auto id = existing()) throw DuplicateError(*id);
            }
            throw;
        }
        const std::int64_t id = db.last_insert_rowid();
        Query job = db.query(
            "INSERT INTO job (document_id, kind, status, created_at) VALUES (?1, 'convert', 'queued', ?2)");
        job.bind(1, id).bind(2, now).run();
        tx.commit();
        return id;
    });
}

std::optional<Document> SqliteRepository::find_document(std::int64_t id) {
    return locked("find document №" + std::to_string(id), [&](Database& db) -> std::optional<Document> {
        Query q = db.query(select_documents("WHERE id = ?1"));
        q.bind(1, id);
        if (!q.step()) return std::nullopt;
        return read_document(q);
    });
}

std::optional<Document> SqliteRepository::find_document_by_sha256(const std::string& sha256) {
    return locked("find document " + sha256, [&](Database& db) -> std::optional<Document> {
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
    return locked("list documents", [&](Database& db) {
        Query q = db.query(document_filter_sql(filter, false));
        bind_document_filter(q, filter);
        q.bind(3, static_cast<std::int64_t>(filter.limit)).bind(4, static_cast<std::int64_t>(filter.offset));
        std::vector<Document> docs;
        while (q.step()) docs.push_back(read_document(q));
        return docs;
    });
}

std::int64_t SqliteRepository::count_documents(const DocumentFilter& filter) {
    return locked("count documents", [&](Database& db) {
        Query q = db.query(document_filter_sql(filter, true));
        bind_document_filter(q, filter);
        q.step();
        return q.column_int64(0);
    });
}

void SqliteRepository::remove_document(std::int64_t id) {
    locked("remove document №" + std::to_string(id), [&](Database& db) {
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

void SqliteRepository::set_document_state(std::int64_t id, DocumentState state, const std::string& reason) {
    locked("change the state of document №" + std::to_string(id), [&](Database& db) {
        db.query("UPDATE document SET state = ?2, state_reason = ?3 WHERE id = ?1")
            .bind(1, id)
            .bind(2, std::string_view(to_string(state)))
            .bind(3, reason)
            .run();
        if (db.changes() == 0) throw NotFoundError("no document №" + std::to_string(id));
    });
}

std::vector<Document> SqliteRepository::failed_documents_before(std::int64_t failed_before, int limit) {
    if (limit < 0) throw UsageError("a negative limit");
    return locked("list failed documents", [&](Database& db) {
        Query q = db.query(
            "SELECT " + std::string(document_columns) +
            ", (SELECT MAX(finished_at) FROM job WHERE job.document_id = document.id AND job.status = "
            "'failed') "
            "AS failed_at FROM document WHERE status = 'failed' AND failed_at < ?1 ORDER BY failed_at, id "
            "LIMIT ?2");
        q.bind(1, failed_before).bind(2, static_cast<std::int64_t>(limit));
        std::vector<Document> docs;
        while (q.step()) docs.push_back(read_document(q));
        return docs;
    });
}

std::int64_t SqliteRepository::stored_bytes() {
    return locked("add up the originals' sizes", [&](Database& db) {
        return db.query_int64("SELECT IFNULL(SUM(size_bytes), 0) FROM document");
    });
}

// --- pages ---

std::vector<Page> SqliteRepository::pages(std::int64_t document_id) {
    return locked("read the pages of document №" + std::to_string(document_id), [&](Database& db) {
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
                  [&](Database& db) -> std::optional<Page> {
                      Query q = db.query(
                          "SELECT document_id, number, width_px, height_px, text, ocr FROM page "
                          "WHERE document_id = ?1 AND number = ?2");
                      q.bind(1, document_id).bind(2, static_cast<std::int64_t>(number));
                      if (!q.step()) return std::nullopt;
                      return read_page(q);
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

    return locked("create category " + path, [&](Database& db) {
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
    return locked("list categories", [&](Database& db) {
        // By id: every parent comes before its children.
        Query q = db.query("SELECT id, parent_id, name FROM category ORDER BY id");
        std::vector<Category> result;
        while (q.step()) result.push_back(read_category(q));
        return result;
    });
}

std::vector<Category> SqliteRepository::category_chain(std::int64_t id) {
    auto chain = locked("read category " + std::to_string(id), [&](Database& db) {
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

// --- rows and SQL ---

namespace {

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
    d.uploader_id = q.column_optional_int64(19);
    d.state = document_state_from_string(q.column_text(20)).value_or(DocumentState::hidden);
    d.state_reason = q.column_text(21);
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

Category read_category(const Query& q) {
    Category c;
    c.id = q.column_int64(0);
    c.parent_id = q.column_optional_int64(1);
    c.name = q.column_text(2);
    return c;
}

std::string document_filter_sql(const DocumentFilter& filter, bool count) {
    std::string sql;
    if (filter.category_id) {
        // UNION (not UNION ALL) stops at rows already seen, so even a corrupt cycle terminates.
        sql +=
            "WITH RECURSIVE subtree(id) AS (SELECT ?1 UNION "
            "SELECT c.id FROM category c JOIN subtree s ON c.parent_id = s.id) ";
    }
    sql += count ? "SELECT COUNT(*) FROM document"
                 : "SELECT " + std::string(document_columns) + " FROM document";
    const char* joiner = " WHERE ";
    if (filter.category_id) {
        sql += joiner;
        sql += "category_id IN subtree";
        joiner = " AND ";
    }
    if (filter.status) {
        sql += joiner;
        sql += "status = ?2";
        joiner = " AND ";
    }
    if (filter.state) {
        sql += joiner;
        sql += "state = ?5";
        joiner = " AND ";
    }
    if (filter.uploader_id) {
        sql += joiner;
        sql += "uploader_id = ?6";
    }
    if (!count) {
        switch (filter.order) {
            case DocumentOrder::newest:
                sql += " ORDER BY id DESC";
                break;
            case DocumentOrder::views:
                sql += " ORDER BY views DESC, id DESC";
                break;
            case DocumentOrder::downloads:
                sql += " ORDER BY downloads DESC, id DESC";
                break;
        }
        sql += " LIMIT ?3 OFFSET ?4";
    }
    return sql;
}

void bind_document_filter(Query& q, const DocumentFilter& filter) {
    if (filter.category_id) q.bind(1, *filter.category_id);
    if (filter.status) q.bind(2, std::string_view(to_string(*filter.status)));
    if (filter.state) q.bind(5, std::string_view(to_string(*filter.state)));
    if (filter.uploader_id) q.bind(6, *filter.uploader_id);
}

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

}  // namespace
}  // namespace wenku::sqlite
