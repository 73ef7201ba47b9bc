// What readers do and what is derived from it, in the SQLite store (sqlite_repository.h): view and
// download counters, reports (举报), the search log (相关搜索), stored related lists (相关资源) and
// the uploads of each client address per day.
#include <algorithm>
#include <ctime>
#include <map>
#include <sstream>
#include <string>
#include <utility>

#include <openssl/evp.h>

#include "store/sqlite/sqlite_repository.h"

namespace wenku::sqlite {

namespace {

/// Hex digits of a client's hash kept: 64 bits, plenty to tell a library's clients apart.
constexpr std::size_t client_hash_hex = 16;

}  // namespace

std::string client_hash(const std::string& key, const std::string& address) {
    const std::string input = key + '\0' + address;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(input.data(), input.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
        throw EnvironmentError("cannot hash a client address for the search log (OpenSSL failed)");
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size && out.size() < client_hash_hex; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}

std::string client_key(Database& db) {
    Query k = db.query("SELECT key FROM search_log_key");
    return k.step() ? k.column_blob(0) : std::string();
}

// --- counters and reports ---

void SqliteRepository::add_counts(std::int64_t id, std::int64_t views, std::int64_t downloads) {
    locked("count views of document №" + std::to_string(id), [&](Database& db) {
        db.query("UPDATE document SET views = views + ?2, downloads = downloads + ?3 WHERE id = ?1")
            .bind(1, id)
            .bind(2, views)
            .bind(3, downloads)
            .run();
    });
}

std::int64_t SqliteRepository::add_report(const Report& report) {
    return locked("report document №" + std::to_string(report.document_id), [&](Database& db) {
        Query exists = db.query("SELECT 1 FROM document WHERE id = ?1");
        exists.bind(1, report.document_id);
        if (!exists.step()) throw NotFoundError("no document №" + std::to_string(report.document_id));
        db.query("INSERT INTO report (document_id, reason, detail, created_at) VALUES (?1, ?2, ?3, ?4)")
            .bind(1, report.document_id)
            .bind(2, report.reason)
            .bind(3, report.detail)
            .bind(4,
                  report.created_at != 0 ? report.created_at : static_cast<std::int64_t>(std::time(nullptr)))
            .run();
        return db.last_insert_rowid();
    });
}

std::vector<Report> SqliteRepository::reports(int limit) {
    return locked("list reports", [&](Database& db) {
        Query q = db.query(
            "SELECT id, document_id, reason, detail, created_at FROM report ORDER BY id DESC LIMIT ?1");
        q.bind(1, static_cast<std::int64_t>(limit));
        std::vector<Report> result;
        while (q.step()) {
            result.push_back(Report{q.column_int64(0), q.column_int64(1), q.column_text(2), q.column_text(3),
                                    q.column_int64(4)});
        }
        return result;
    });
}

// --- the audit log ---

std::int64_t SqliteRepository::add_audit_entry(const AuditEntry& e) {
    return locked("record a staff action", [&](Database& db) {
        db.query(
              "INSERT INTO audit_log (at, actor_id, actor, action, target, reason) VALUES (?1, ?2, ?3, ?4, "
              "?5, ?6)")
            .bind(1, e.at != 0 ? e.at : static_cast<std::int64_t>(std::time(nullptr)))
            .bind(2, e.actor_id)
            .bind(3, e.actor)
            .bind(4, e.action)
            .bind(5, e.target)
            .bind(6, e.reason)
            .run();
        return db.last_insert_rowid();
    });
}

std::vector<AuditEntry> SqliteRepository::audit_entries(int limit, int offset) {
    if (limit < 0 || offset < 0) throw UsageError("a negative limit or offset for the audit log");
    return locked("read the audit log", [&](Database& db) {
        Query q = db.query(
            "SELECT id, at, actor_id, actor, action, target, reason FROM audit_log ORDER BY id DESC "
            "LIMIT ?1 OFFSET ?2");
        q.bind(1, static_cast<std::int64_t>(limit)).bind(2, static_cast<std::int64_t>(offset));
        std::vector<AuditEntry> result;
        while (q.step()) {
            result.push_back(AuditEntry{q.column_int64(0), q.column_int64(1), q.column_optional_int64(2),
                                        q.column_text(3), q.column_text(4), q.column_text(5),
                                        q.column_text(6)});
        }
        return result;
    });
}

// --- the search log and related lists ---

void SqliteRepository::record_searches(const std::vector<LoggedSearch>& searches) {
    if (searches.empty()) return;
    locked("record searches", [&](Database& db) {
        Transaction tx(db);
        const std::int64_t today = unix_now() / 86400;
        const std::string key = client_key(db);
        for (const LoggedSearch& search : searches) {
            const std::int64_t day = search.day != 0 ? search.day : today;
            db.query(
                  "INSERT INTO search_query(text, searches, last_day) VALUES(?1, ?3, ?2) "
                  "ON CONFLICT(text) DO UPDATE SET searches = searches + ?3, last_day = MAX(last_day, ?2)")
                .bind(1, search.query)
                .bind(2, day)
                .bind(3, search.times)
                .run();
            Query id = db.query("SELECT id FROM search_query WHERE text = ?1");
            id.bind(1, search.query);
            if (!id.step()) continue;
            const std::int64_t query_id = id.column_int64(0);
            Query client = db.query(
                "INSERT OR IGNORE INTO search_query_client(query_id, day, client) VALUES(?1, ?2, ?3)");
            for (const auto& address : search.clients) {
                client.reset();
                client.bind(1, query_id).bind(2, day).bind(3, client_hash(key, address)).run();
            }
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

std::vector<std::string> SqliteRepository::searches_leading_to(const std::vector<std::int64_t>& ids,
                                                               int limit, const SuggestionBar& bar) {
    return locked("read the search log", [&](Database& db) {
        // Queries ranked by how many of these documents they led to, then by how often they were made.
        std::map<std::int64_t, std::pair<int, std::int64_t>> score;  // query id → (shared, searches)
        std::map<std::int64_t, std::string> text;
        Query q = db.query(
            "SELECT q.id, q.text, q.searches FROM search_query_result r JOIN search_query q ON q.id = "
            "r.query_id "
            "WHERE r.document_id = ?1 "
            "AND (?2 <= 0 OR (SELECT COUNT(DISTINCT client) FROM search_query_client c WHERE c.query_id = "
            "q.id) >= ?2) "
            "AND (?3 <= 0 OR (SELECT COUNT(DISTINCT day) FROM search_query_client c WHERE c.query_id = q.id) "
            ">= ?3)");
        for (const auto id : ids) {
            q.reset();
            q.bind(1, id)
                .bind(2, static_cast<std::int64_t>(bar.min_clients))
                .bind(3, static_cast<std::int64_t>(bar.min_days));
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

std::int64_t SqliteRepository::prune_search_log(int max_age_days, std::int64_t max_queries) {
    return locked("prune the search log", [&](Database& db) {
        Transaction tx(db);
        const std::int64_t oldest = unix_now() / 86400 - max_age_days;
        db.query("DELETE FROM search_query WHERE last_day < ?1").bind(1, oldest).run();
        std::int64_t deleted = db.changes();
        db.query("DELETE FROM search_query_client WHERE day < ?1").bind(1, oldest).run();
        Query count = db.query("SELECT COUNT(*) FROM search_query");
        const std::int64_t held = count.step() ? count.column_int64(0) : 0;
        if (held > max_queries) {
            db.query(
                  "DELETE FROM search_query WHERE id IN "
                  "(SELECT id FROM search_query ORDER BY last_day, searches, id LIMIT ?1)")
                .bind(1, held - max_queries)
                .run();
            deleted += db.changes();
        }
        tx.commit();
        return deleted;
    });
}

std::optional<RelatedList> SqliteRepository::related_list(std::int64_t document_id) {
    return locked(
        "read the related documents of №" + std::to_string(document_id),
        [&](Database& db) -> std::optional<RelatedList> {
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
    locked("store the related documents of №" + std::to_string(document_id), [&](Database& db) {
        std::string ids;
        for (const auto id : list.ids) ids += (ids.empty() ? "" : " ") + std::to_string(id);
        db.query(
              "INSERT INTO related_list(document_id, library_size, related_ids) "
              "SELECT id, ?2, ?3 FROM document WHERE id = ?1 "
              "ON CONFLICT(document_id) DO UPDATE SET library_size = ?2, related_ids = ?3")
            .bind(1, document_id)
            .bind(2, list.library_size)
            .bind(3, ids)
            .run();
    });
}

// --- upload quotas ---

UploadUsage SqliteRepository::upload_usage(const std::string& address, std::int64_t day) {
    return locked("read the uploads of a client", [&](Database& db) {
        Query q = db.query("SELECT bytes, documents FROM upload_usage WHERE client = ?1 AND day = ?2");
        q.bind(1, client_hash(client_key(db), address)).bind(2, day);
        return q.step() ? UploadUsage{q.column_int64(0), q.column_int64(1)} : UploadUsage{};
    });
}

void SqliteRepository::add_upload_usage(const std::string& address, std::int64_t day, std::int64_t bytes) {
    locked("count an upload", [&](Database& db) {
        Transaction tx(db);
        db.query(
              "INSERT INTO upload_usage(client, day, bytes, documents) VALUES(?1, ?2, ?3, 1) "
              "ON CONFLICT(client, day) DO UPDATE SET bytes = bytes + ?3, documents = documents + 1")
            .bind(1, client_hash(client_key(db), address))
            .bind(2, day)
            .bind(3, bytes)
            .run();
        db.query("DELETE FROM upload_usage WHERE day < ?1").bind(1, day).run();
        tx.commit();
    });
}

}  // namespace wenku::sqlite
