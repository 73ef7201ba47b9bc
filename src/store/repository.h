#pragma once
// The metadata store behind one interface: SQLite now (store/sqlite/), PostgreSQL later, both
// passing the same test suite (tests/unit/repository_test.cpp). All methods are thread-safe.
// Failures of the database itself throw EnvironmentError; unknown ids throw NotFoundError.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/document.h"

namespace wenku {

/// A unit of work in the durable queue: convert document `document_id`.
struct Job {
    std::int64_t id = 0;
    std::int64_t document_id = 0;
    int attempts = 0;
};

struct DocumentFilter {
    std::optional<DocumentStatus> status;  // none = every status
    std::optional<std::int64_t> category_id;
    int limit = 1000;
    int offset = 0;
};

class Repository {
public:
    virtual ~Repository() = default;

    // --- documents ---
    /// Inserts a queued document and its conversion job in one transaction; returns the new id.
    /// Throws InputError("duplicate", "already in the library as №N") if the sha256 is present.
    virtual std::int64_t add_queued_document(const Document& doc) = 0;
    virtual std::optional<Document> find_document(std::int64_t id) = 0;
    virtual std::optional<Document> find_document_by_sha256(const std::string& sha256) = 0;
    virtual std::vector<Document> list_documents(const DocumentFilter& filter) = 0;
    virtual std::int64_t count_documents(const DocumentFilter& filter) = 0;
    /// Deletes the document, its pages and jobs. Throws NotFoundError.
    virtual void remove_document(std::int64_t id) = 0;

    // --- pages ---
    virtual std::vector<Page> pages(std::int64_t document_id) = 0;
    virtual std::optional<Page> page(std::int64_t document_id, int number) = 0;

    // --- the durable job queue ---
    /// Claims the oldest queued job (marks it running and its document converting), or none.
    virtual std::optional<Job> claim_job() = 0;
    /// Publishes a converted document: its pages, format, title (if the document has none),
    /// page count, status ready, and the job done, all in one transaction.
    virtual void complete_job(const Job& job, const std::string& format, const std::string& title,
                              const std::vector<Page>& pages) = 0;
    /// Marks the document failed with `error` and the job done, in one transaction.
    virtual void fail_job(const Job& job, const std::string& error) = 0;
    /// Puts jobs left running by a process that died back in the queue; returns how many.
    virtual int requeue_abandoned_jobs() = 0;
    virtual int count_queued_jobs() = 0;

    // --- categories ---
    /// Returns the id of the category at `path` ("实用范文/写作指导"), creating missing levels.
    virtual std::int64_t ensure_category_path(const std::string& path) = 0;
    /// The chain from the root down to `id`, for the breadcrumb.
    virtual std::vector<Category> category_chain(std::int64_t id) = 0;
    virtual std::vector<Category> categories() = 0;
};

/// Opens (creating and migrating as needed) the SQLite store at `db_path`.
std::unique_ptr<Repository> open_sqlite_repository(const std::string& db_path);

}  // namespace wenku
