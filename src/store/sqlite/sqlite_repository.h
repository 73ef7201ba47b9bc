#pragma once
// The SQLite implementation of Repository, private to store/sqlite/ (everything else opens it
// through open_sqlite_repository in store/repository.h, whose comments state each method's
// contract). One connection in WAL mode, serialised by a mutex, with cached prepared statements.
// Every write that must be atomic runs in a BEGIN IMMEDIATE transaction, which also makes the job
// queue safe between processes sharing the file.
//
// The member functions are defined by theme:
//   sqlite_repository.cpp  opening, pragmas, the schema and its migrations
//   sqlite_documents.cpp   documents, pages, categories
//   sqlite_jobs.cpp        the job queue and the text signatures a completed job stores
//   sqlite_activity.cpp    view/download counters, reports, the search log, related lists, upload quotas
//   sqlite_accounts.cpp    users, sessions, API tokens, bans, failed logins
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.h"
#include "store/repository.h"
#include "store/sqlite/sqlite_db.h"

namespace wenku::sqlite {

class SqliteRepository : public Repository {
  public:
    /// Opens (creating if missing) the database at `db_path`, configures it (WAL, synchronous FULL,
    /// foreign keys) and applies the migrations it lacks. Throws EnvironmentError when the file
    /// cannot be opened or is no database, when it was written by a newer wenku, or when a
    /// migration fails (that migration is rolled back; earlier ones stay applied).
    explicit SqliteRepository(const std::string& db_path);

    // documents, pages, categories (sqlite_documents.cpp)
    std::int64_t add_queued_document(const Document& doc) override;
    std::optional<Document> find_document(std::int64_t id) override;
    std::optional<Document> find_document_by_sha256(const std::string& sha256) override;
    std::vector<Document> list_documents(const DocumentFilter& filter) override;
    std::int64_t count_documents(const DocumentFilter& filter) override;
    void remove_document(std::int64_t id) override;
    void set_document_state(std::int64_t id, DocumentState state, const std::string& reason) override;
    std::vector<Document> failed_documents_before(std::int64_t failed_before, int limit) override;
    std::int64_t stored_bytes() override;
    std::vector<Page> pages(std::int64_t document_id) override;
    std::optional<Page> page(std::int64_t document_id, int number) override;
    std::int64_t ensure_category_path(const std::string& path) override;
    std::vector<Category> category_chain(std::int64_t id) override;
    std::vector<Category> categories() override;

    // the job queue and text signatures (sqlite_jobs.cpp)
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

    // counters, reports, the search log, related lists, upload quotas (sqlite_activity.cpp)
    void add_counts(std::int64_t id, std::int64_t views, std::int64_t downloads) override;
    std::int64_t add_report(const Report& report) override;
    std::vector<Report> reports(int limit) override;
    std::int64_t add_audit_entry(const AuditEntry& entry) override;
    std::vector<AuditEntry> audit_entries(int limit, int offset) override;
    void record_searches(const std::vector<LoggedSearch>& searches) override;
    std::vector<std::string> searches_leading_to(const std::vector<std::int64_t>& ids, int limit,
                                                 const SuggestionBar& bar = {}) override;
    std::int64_t prune_search_log(int max_age_days, std::int64_t max_queries) override;
    std::optional<RelatedList> related_list(std::int64_t document_id) override;
    void store_related_list(std::int64_t document_id, const RelatedList& list) override;
    UploadUsage upload_usage(const std::string& address, std::int64_t day) override;
    void add_upload_usage(const std::string& address, std::int64_t day, std::int64_t bytes) override;

    // users, sessions, API tokens, bans, failed logins (sqlite_accounts.cpp)
    std::int64_t add_user(const User& user) override;
    std::optional<User> find_user(std::int64_t id) override;
    std::optional<User> find_user_by_name(const std::string& name) override;
    std::vector<User> users() override;
    void set_password(std::int64_t user_id, const std::string& password_hash,
                      const std::string& keep_session_hash) override;
    void set_role(std::int64_t user_id, Role role) override;
    void add_session(const SessionRecord& session) override;
    std::optional<SessionRecord> find_session(const std::string& token_hash, std::int64_t now) override;
    void touch_session(const std::string& token_hash, std::int64_t now) override;
    void remove_session(const std::string& token_hash) override;
    int remove_sessions(std::int64_t user_id, const std::string& except_hash) override;
    std::int64_t add_api_token(const ApiToken& token, const std::string& token_hash) override;
    std::vector<ApiToken> api_tokens(std::int64_t user_id) override;
    std::optional<std::int64_t> use_api_token(const std::string& token_hash, std::int64_t now) override;
    bool revoke_api_token(std::int64_t user_id, std::int64_t token_id) override;
    void set_ban(std::int64_t user_id, const Ban& ban) override;
    bool remove_ban(std::int64_t user_id, BanAction action) override;
    std::vector<Ban> bans(std::int64_t user_id, std::int64_t now) override;
    void add_login_failure(const std::string& account, const std::string& address, std::int64_t now,
                           std::int64_t forget_before) override;
    LoginFailures login_failures(const std::string& account, const std::string& address, std::int64_t since,
                                 bool by_address) override;
    void clear_login_failures(const std::string& account) override;

  private:
    /// Runs `body` holding the connection, turning SQLite failures into
    /// EnvironmentError("cannot <what>: <sqlite3_errmsg>"), StorageFullError for SQLITE_FULL.
    template <typename Body>
    auto locked(std::string_view what, Body&& body) {
        std::lock_guard lock(mutex_);
        try {
            return body(*db_);
        } catch (const SqliteError& e) {
            if (e.code() == SQLITE_FULL)
                throw StorageFullError("cannot " + std::string(what) + ": " + e.what());
            throw EnvironmentError("cannot " + std::string(what) + ": " + e.what());
        }
    }

    int schema_version();
    void configure();
    void migrate();
    /// Throws NotFoundError unless job `job_id` exists and UsageError unless it is running;
    /// returns its document id. For use inside locked().
    std::int64_t running_job_document(std::int64_t job_id);

    std::mutex mutex_;
    std::string path_;
    std::unique_ptr<Database> db_;
};

/// Seconds since 1970-01-01 UTC: what every *_at column holds.
std::int64_t unix_now();

/// A client address as the search log, the upload quotas and the login limits keep it: SHA-256 of
/// the database's key and the address, shortened. Throws EnvironmentError when OpenSSL fails.
std::string client_hash(const std::string& key, const std::string& address);
/// The database's key for client_hash (made at random by the schema; empty when missing).
std::string client_key(Database& db);

}  // namespace wenku::sqlite
