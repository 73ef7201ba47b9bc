#pragma once
// The metadata store behind one interface: SQLite now (store/sqlite/), PostgreSQL later, both
// passing the same test suite (tests/unit/repository_*_test.cpp). All methods are thread-safe.
// Every method throws EnvironmentError ("cannot <what>: <why>") when the database itself fails
// (locked past its busy timeout, damaged) — StorageFullError, its kind, when the disk or the
// database is full — and every write is atomic: one that throws
// has changed nothing. What else a method throws, and what it answers for an id that does not
// exist, its comment says.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/account.h"
#include "core/document.h"

namespace wenku {

/// A unit of work in the durable queue: convert document `document_id`.
struct Job {
    std::int64_t id = 0;
    std::int64_t document_id = 0;
    int attempts = 0;
};

/// What complete_job records for near-duplicate detection (search/near_duplicate.h).
struct NearDuplicateRecord {
    std::optional<TextSignature> signature;  // none: too little text; the document is never a candidate
    std::optional<std::int64_t> of;          // flagged: the earlier document it nearly repeats
    double similarity = 0;                   // estimated similarity to `of`, 0-1
};

/// A document's related documents (相关资源) and the number of ready documents when they were found.
struct RelatedList {
    std::int64_t library_size = 0;
    std::vector<std::int64_t> ids;  // best first
};

/// The order of a document listing; ties go to the newest.
enum class DocumentOrder { newest, views, downloads };

/// A reader's report of a document (举报): why, in their words, and when.
struct Report {
    std::int64_t id = 0;
    std::int64_t document_id = 0;
    std::string reason;  // one of the site's reason words ("copyright", "illegal", ...)
    std::string detail;  // free text
    std::int64_t created_at = 0;
};

/// A search to log (相关搜索): its canonical text, the documents it led to, how often it was made,
/// by whom and on which day.
struct LoggedSearch {
    std::string query;
    std::vector<std::int64_t> top_ids;
    std::int64_t times = 1;
    std::vector<std::string> clients;  // addresses that made it; stored only as keyed hashes
    std::int64_t day = 0;              // days since 1970-01-01 it was made on; 0 = today
};

/// What one client address uploaded on one day (storage.address_*_per_day).
struct UploadUsage {
    std::int64_t bytes = 0;
    std::int64_t documents = 0;
};

/// What a logged search needs before it is suggested: made by this many different clients, on
/// this many different days.
struct SuggestionBar {
    int min_clients = 0;
    int min_days = 0;
};

/// One staff action as the audit log keeps it (append-only: never changed, never deleted).
struct AuditEntry {
    std::int64_t id = 0;
    std::int64_t at = 0;                   // unix seconds; 0 when adding means now
    std::optional<std::int64_t> actor_id;  // the account that acted; none: the command line
    std::string actor;                     // its name as it was then ("" for the command line)
    std::string action;                    // a word: "document.hide", "user.role", "setting.set", ...
    std::string target;                    // what it acted on: "document:12", "user:3", "site.name"
    std::string reason;                    // why, as the actor gave it (may be empty)
};

struct DocumentFilter {
    std::optional<DocumentStatus> status;  // none = every status
    std::optional<DocumentState> state;    // none = every state
    std::optional<std::int64_t> uploader_id;
    std::optional<std::int64_t> category_id;
    DocumentOrder order = DocumentOrder::newest;
    int limit = 1000;
    int offset = 0;
};

class Repository {
  public:
    virtual ~Repository() = default;

    // --- documents ---
    /// Inserts a queued document and its conversion job in one transaction; returns the new id.
    /// `doc.id`, status, page_count and error are ignored (its state is kept: pending when the
    /// upload awaits review); created_at 0 means now.
    /// Throws DuplicateError ("already in the library as №N") if the sha256 is present,
    /// NotFoundError for an unknown category, UsageError for a document without a sha256.
    virtual std::int64_t add_queued_document(const Document& doc) = 0;
    /// The document, or none when there is no such document.
    virtual std::optional<Document> find_document(std::int64_t id) = 0;
    /// The document whose original has this SHA-256, or none.
    virtual std::optional<Document> find_document_by_sha256(const std::string& sha256) = 0;
    /// The documents matching `filter` in its order (ties: newest first, by id). A category
    /// includes its whole subtree; an unknown category matches nothing. Negative limit or offset
    /// throws UsageError.
    virtual std::vector<Document> list_documents(const DocumentFilter& filter) = 0;
    /// How many documents match, ignoring order, limit and offset.
    virtual std::int64_t count_documents(const DocumentFilter& filter) = 0;
    /// Deletes the document, its pages, jobs and text signature, and clears the near-duplicate flag
    /// of documents flagged as copies of it, in one transaction. Throws NotFoundError for an
    /// unknown id.
    virtual void remove_document(std::int64_t id) = 0;

    /// Sets who may see a document (review and moderation) and the reason its uploader is shown.
    /// Throws NotFoundError for an unknown id.
    virtual void set_document_state(std::int64_t id, DocumentState state, const std::string& reason) = 0;

    /// Documents whose conversion failed before `failed_before` (seconds since 1970, UTC: when
    /// their last failed job finished), the longest failed first, at most `limit`.
    virtual std::vector<Document> failed_documents_before(std::int64_t failed_before, int limit) = 0;
    /// The size of all documents' originals together, bytes (each original counted once).
    virtual std::int64_t stored_bytes() = 0;

    /// Adds to a document's view and download counters (batched by the web layer); nothing
    /// happens for an unknown document.
    virtual void add_counts(std::int64_t id, std::int64_t views, std::int64_t downloads) = 0;

    // --- reports (举报) ---
    /// Stores a report; returns its id. Throws NotFoundError for an unknown document.
    virtual std::int64_t add_report(const Report& report) = 0;
    /// At most `limit` reports, the newest first.
    virtual std::vector<Report> reports(int limit) = 0;

    // --- the audit log of staff actions ---
    /// Appends an entry; returns its id.
    virtual std::int64_t add_audit_entry(const AuditEntry& entry) = 0;
    /// At most `limit` entries after skipping `offset`, the newest first.
    virtual std::vector<AuditEntry> audit_entries(int limit, int offset) = 0;

    // --- pages ---
    /// A document's pages in order; none for an unknown document or one not converted.
    virtual std::vector<Page> pages(std::int64_t document_id) = 0;
    /// Page `number` (1-based) of a document, or none when there is no such page.
    virtual std::optional<Page> page(std::int64_t document_id, int number) = 0;

    // --- the durable job queue ---
    /// Claims the oldest queued job (marks it running and its document converting, in one
    /// transaction), or none when nothing is queued. Safe between processes: no two claims ever
    /// return the same job.
    virtual std::optional<Job> claim_job() = 0;
    /// Publishes a converted document: its pages (replacing any earlier ones), format, title (if
    /// the document has none), page count, text signature and near-duplicate flag (replacing any
    /// earlier ones), status ready, and the job done, all in one transaction.
    /// Throws NotFoundError if the job is gone (its document was removed meanwhile) and UsageError
    /// if it is not running; nothing is changed then.
    virtual void complete_job(const Job& job, const std::string& format, const std::string& title,
                              const std::vector<Page>& pages, const NearDuplicateRecord& near_duplicate) = 0;
    /// Marks the document failed with `error` and the job failed, in one transaction. Throws like
    /// complete_job.
    virtual void fail_job(const Job& job, const std::string& error) = 0;
    /// Puts jobs left running by a process that died back in the queue (their documents queued
    /// again, attempts kept), in one transaction; returns how many. Only for the one process that
    /// owns the queue, at start-up: a job another live process is converting would be converted
    /// twice.
    virtual int requeue_abandoned_jobs() = 0;
    /// Puts document `id` back in the queue to be converted again (verify --repair): status queued,
    /// error cleared, and one queued job (its unfinished job reused, else a new one). Its pages stay
    /// until the new conversion replaces them. Throws NotFoundError for an unknown id.
    virtual void requeue_document(std::int64_t id) = 0;
    /// Jobs waiting to be claimed.
    virtual int count_queued_jobs() = 0;

    // --- near-duplicate detection (search/near_duplicate.h) ---
    /// Ready documents other than `document_id` whose signature shares at least one band hash with
    /// `signature`, ascending. Documents flagged as near-duplicates of `document_id` are left out:
    /// when an original is converted again, its copies are not its originals. None for an unknown
    /// document.
    virtual std::vector<std::int64_t> near_duplicate_candidates(std::int64_t document_id,
                                                                const TextSignature& signature) = 0;
    /// The stored signature of a document, or none (too little text, not converted, no such
    /// document). Throws EnvironmentError when the stored signature is damaged.
    virtual std::optional<TextSignature> text_signature(std::int64_t document_id) = 0;

    // --- search log and related documents (search/suggest.h) ---
    /// Counts searches by their canonical text, each `times` times, on its day, with a keyed hash
    /// of each client (never the address: the key is the database's own, random), and remembers
    /// the documents each led to, replacing those of earlier searches of it; all in one transaction.
    virtual void record_searches(const std::vector<LoggedSearch>& searches) = 0;
    void record_search(const std::string& query, const std::vector<std::int64_t>& top_ids) {
        record_searches({LoggedSearch{query, top_ids, 1}});
    }
    /// At most `limit` logged queries that led to any of `ids` and clear `bar`, those leading to
    /// more of them first, then the most searched; unknown ids lead to none.
    virtual std::vector<std::string> searches_leading_to(const std::vector<std::int64_t>& ids, int limit,
                                                         const SuggestionBar& bar = {}) = 0;
    /// Deletes logged searches last made more than `max_age_days` days ago (and older days of
    /// the others), then the least recently made beyond `max_queries`. Returns the searches deleted.
    virtual std::int64_t prune_search_log(int max_age_days, std::int64_t max_queries) = 0;
    /// The related documents stored for a document, or none (never stored, or no such document).
    virtual std::optional<RelatedList> related_list(std::int64_t document_id) = 0;
    /// Stores them (nothing happens for an unknown document).
    virtual void store_related_list(std::int64_t document_id, const RelatedList& list) = 0;

    // --- upload quotas (ingest/storage.h) ---
    /// What `address` uploaded on `day` (days since 1970-01-01, UTC). Addresses are kept as keyed
    /// hashes, like the search log's.
    virtual UploadUsage upload_usage(const std::string& address, std::int64_t day) = 0;
    /// Counts one upload of `bytes` by `address` on `day` and forgets the days before it.
    virtual void add_upload_usage(const std::string& address, std::int64_t day, std::int64_t bytes) = 0;

    // --- categories ---
    /// Returns the id of the category at `path` ("实用范文/写作指导"), creating missing levels in
    /// one transaction. Parts are trimmed and empty parts ignored; a path naming no category
    /// throws UsageError.
    virtual std::int64_t ensure_category_path(const std::string& path) = 0;
    /// The chain from the root down to `id`, for the breadcrumb. Throws NotFoundError for an
    /// unknown id.
    virtual std::vector<Category> category_chain(std::int64_t id) = 0;
    /// Every category, parents before their children.
    virtual std::vector<Category> categories() = 0;

    // --- accounts (core/account.h); times are unix seconds ---
    /// Adds an account; returns its id (`user.id` ignored; created_at 0 means now). Throws
    /// InputError "name_taken" when another account has the name without regard to ASCII case.
    virtual std::int64_t add_user(const User& user) = 0;
    /// The account, or none.
    virtual std::optional<User> find_user(std::int64_t id) = 0;
    /// The account named `name` without regard to ASCII case, or none.
    virtual std::optional<User> find_user_by_name(const std::string& name) = 0;
    /// Every account, by id.
    virtual std::vector<User> users() = 0;
    /// Replaces an account's password hash and ends its sessions but the one whose token hash is
    /// `keep_session_hash` ("" ends them all), in one transaction. Throws NotFoundError.
    virtual void set_password(std::int64_t user_id, const std::string& password_hash,
                              const std::string& keep_session_hash) = 0;
    /// Throws NotFoundError for an unknown account.
    virtual void set_role(std::int64_t user_id, Role role) = 0;

    /// Stores a session. Throws NotFoundError for an unknown account.
    virtual void add_session(const SessionRecord& session) = 0;
    /// The session with this token hash unless it has expired by `now`; none otherwise.
    virtual std::optional<SessionRecord> find_session(const std::string& token_hash, std::int64_t now) = 0;
    /// Records that the session was used at `now`.
    virtual void touch_session(const std::string& token_hash, std::int64_t now) = 0;
    /// Ends a session (nothing happens for an unknown one).
    virtual void remove_session(const std::string& token_hash) = 0;
    /// Ends every session of an account but `except_hash`'s ("" for none); returns how many ended.
    virtual int remove_sessions(std::int64_t user_id, const std::string& except_hash) = 0;

    /// Stores an API token of `token.user_id` by the hash of its secret; returns its id. Throws
    /// NotFoundError for an unknown account.
    virtual std::int64_t add_api_token(const ApiToken& token, const std::string& token_hash) = 0;
    /// An account's tokens, revoked ones included, newest first.
    virtual std::vector<ApiToken> api_tokens(std::int64_t user_id) = 0;
    /// The account of the unrevoked token with this hash, recording its use at `now`; none for an
    /// unknown or revoked token.
    virtual std::optional<std::int64_t> use_api_token(const std::string& token_hash, std::int64_t now) = 0;
    /// Revokes an account's token; false when it has no such token.
    virtual bool revoke_api_token(std::int64_t user_id, std::int64_t token_id) = 0;

    /// Bans an account from `ban.action` until `ban.until`, replacing an earlier ban of that action.
    /// Throws NotFoundError for an unknown account.
    virtual void set_ban(std::int64_t user_id, const Ban& ban) = 0;
    /// Lifts a ban; false when there was none.
    virtual bool remove_ban(std::int64_t user_id, BanAction action) = 0;
    /// An account's bans still in force at `now`.
    virtual std::vector<Ban> bans(std::int64_t user_id, std::int64_t now) = 0;

    /// Counts a failed login for the (lower-cased) `account` from `address` (kept as a keyed hash)
    /// at `now`, and forgets failures from before `forget_before`.
    virtual void add_login_failure(const std::string& account, const std::string& address, std::int64_t now,
                                   std::int64_t forget_before) = 0;
    /// Failures since `since`: of `account` (any address), or with `by_address` from `address` (any
    /// account).
    virtual LoginFailures login_failures(const std::string& account, const std::string& address,
                                         std::int64_t since, bool by_address) = 0;
    /// Forgets an account's failures (after a successful login).
    virtual void clear_login_failures(const std::string& account) = 0;
};

/// Opens (creating and migrating as needed) the SQLite store at `db_path`. Throws
/// EnvironmentError when the file cannot be opened or is no database, was written by a newer
/// wenku, or cannot be migrated (the failed migration step is rolled back).
std::unique_ptr<Repository> open_sqlite_repository(const std::string& db_path);

}  // namespace wenku
