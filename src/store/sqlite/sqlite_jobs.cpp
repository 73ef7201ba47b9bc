// The durable job queue in the SQLite store, and the text signatures (near-duplicate detection) a
// completed job records in the same transaction as its pages (sqlite_repository.h).
#include <set>
#include <string>
#include <string_view>

#include "store/sqlite/sqlite_repository.h"

namespace wenku::sqlite {
namespace {

/// Replaces document `id`'s stored signature and band hashes with `signature` (or none). For use
/// inside a transaction.
void replace_text_signature(Database& db, std::int64_t id, const std::optional<TextSignature>& signature);
/// MinHash values as the text_signature.minhash blob stores them: 32 bits each, little-endian.
std::string encode_minhash(const std::vector<std::uint32_t>& minhash);
std::vector<std::uint32_t> decode_minhash(std::string_view bytes);

}  // namespace

// --- the job queue ---

std::optional<Job> SqliteRepository::claim_job() {
    return locked("claim a job", [&](Database& db) -> std::optional<Job> {
        // Idle workers poll: look without taking the write lock first.
        if (db.query_int64("SELECT EXISTS (SELECT 1 FROM job WHERE status = 'queued')") == 0) {
            return std::nullopt;
        }
        Transaction tx(db);
        Job job;
        {
            Query q = db.query(
                "SELECT id, document_id, attempts FROM job WHERE status = 'queued' ORDER BY id LIMIT 1");
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
                                    const std::vector<Page>& pages,
                                    const NearDuplicateRecord& near_duplicate) {
    locked("complete job " + std::to_string(job.id), [&](Database& db) {
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
            "UPDATE document SET format = ?2, page_count = ?3, title = CASE WHEN title = '' THEN ?4 ELSE "
            "title "
            "END, status = 'ready', error = '', near_duplicate_of = ?5, near_duplicate_similarity = ?6 WHERE "
            "id = ?1");
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
    locked("record the failure of job " + std::to_string(job.id), [&](Database& db) {
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
    return locked("requeue abandoned jobs", [&](Database& db) {
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
    locked("requeue document №" + std::to_string(id), [&](Database& db) {
        Transaction tx(db);
        db.query("UPDATE document SET status = 'queued', error = '' WHERE id = ?1").bind(1, id).run();
        if (db.changes() == 0) throw NotFoundError("document №" + std::to_string(id) + " does not exist");
        db.query(
              "UPDATE job SET status = 'queued', claimed_at = NULL "
              "WHERE document_id = ?1 AND status IN ('queued', 'running')")
            .bind(1, id)
            .run();
        if (db.changes() == 0) {
            db.query(
                  "INSERT INTO job (document_id, kind, status, created_at) VALUES (?1, 'convert', 'queued', "
                  "?2)")
                .bind(1, id)
                .bind(2, unix_now())
                .run();
        }
        tx.commit();
    });
}

int SqliteRepository::count_queued_jobs() {
    return locked("count queued jobs", [&](Database& db) {
        return static_cast<int>(db.query_int64("SELECT COUNT(*) FROM job WHERE status = 'queued'"));
    });
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

// --- near-duplicate detection ---

std::vector<std::int64_t> SqliteRepository::near_duplicate_candidates(std::int64_t document_id,
                                                                      const TextSignature& signature) {
    return locked(
        "find near-duplicate candidates of document №" + std::to_string(document_id), [&](Database& db) {
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
    return locked(what, [&](Database& db) -> std::optional<TextSignature> {
        TextSignature signature;
        {
            Query q = db.query("SELECT minhash FROM text_signature WHERE document_id = ?1");
            q.bind(1, document_id);
            if (!q.step()) return std::nullopt;
            const std::string bytes = q.column_blob(0);
            if (bytes.empty() || bytes.size() % 4 != 0) {
                throw EnvironmentError("cannot " + what + ": it is damaged");
            }
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

// --- signature rows ---

namespace {

void replace_text_signature(Database& db, std::int64_t id, const std::optional<TextSignature>& signature) {
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

}  // namespace
}  // namespace wenku::sqlite
