#pragma once
// The settings as typed groups, each built and validated once when a library is opened: code reads
// `config.http.max_in_flight`, never a key string. A value out of range, of the wrong kind or not one
// of the allowed words is refused at start with a UsageError naming the key, the value and what is
// allowed ("setting http.port must be a whole number from 0 to 65535, not '99999'"). Keys, defaults
// and descriptions live in settings.cpp (`wenku config --defaults`); every key there is read by
// exactly one field here (a test checks it).
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/ip_network.h"
#include "core/settings.h"

namespace wenku {

/// How converter workers are confined (convert.sandbox).
enum class SandboxMode { automatic, bwrap, basic };

/// What happens to a document nearly the same as one already in the library (ingest.near_duplicate).
enum class NearDuplicateAction { flag, refuse, off };

/// What a worker may read from a document and shows of it: the decompression-bomb limits of
/// ZIP-based documents and how much of a CSV/TSV table is shown (convert.zip_*, convert.csv_*).
struct DocumentLimits {
    long long zip_max_entries = 20'000;
    long long zip_max_entry_mb = 512;
    long long zip_max_total_mb = 1024;
    long long zip_max_ratio = 100;
    long long csv_max_columns = 256;
    long long csv_max_rows = 20'000;
    long long csv_max_cells = 400'000;
    long long csv_max_cell_bytes = 16'384;
};

struct ConvertConfig {
    int jobs = 0;  // worker processes; 0 = one per core
    std::chrono::seconds timeout{120};
    long long worker_memory_mb = 4096;
    long long render_memory_mb = 1536;
    long long worker_file_mb = 512;
    int worker_documents = 200;
    long long worker_rss_mb = 1024;
    SandboxMode sandbox = SandboxMode::automatic;
    bool ocr = true;
    std::string ocr_languages = "chi_sim+eng";
    std::string paper = "a4";  // "a4" or "letter": the page size of documents that set none
    int ocr_page_seconds = 20;
    int ocr_document_seconds = 60;
    long long ocr_max_pixels = 9'000'000;
    std::uint64_t max_file_bytes = 200ull << 20;
    int max_pages = 2000;
    long long max_page_pixels = 40'000'000;
    DocumentLimits limits;
};

struct IngestConfig {
    NearDuplicateAction near_duplicate = NearDuplicateAction::flag;
    int near_duplicate_similarity = 90;  // percent, 50-100
    std::size_t max_page_text_bytes = 1 << 20;
    int index_commit_documents = 200;
    std::chrono::seconds index_commit_interval{2};
    std::chrono::milliseconds queue_poll_interval{200};
    /// Failed documents are removed with their originals this long after they failed (0 = never).
    std::chrono::seconds failed_retention{7 * 86400};
};

/// How much the library may take of its disk and of each client's day (storage.*).
struct StorageConfig {
    std::uint64_t min_free_bytes = 512ull << 20;          // below it: no uploads, no conversions
    std::uint64_t max_library_bytes = 0;                  // originals, all documents together; 0 = no limit
    std::uint64_t address_bytes_per_day = 1024ull << 20;  // one client address's uploads per UTC day
    int address_documents_per_day = 200;
};

struct PreviewConfig {
    int width = 1000;
    int thumb_width = 240;
    int webp_quality = 80;
    std::string watermark;
    int watermark_opacity = 12;
    int free_pages = 5;
};

struct DescriptionConfig {
    std::size_t chars_per_page = 300;
};

struct SiteConfig {
    std::string name;
    std::string url;  // without a trailing '/'
    std::string copyright;
    std::string icp;
    bool uploads = true;
    bool public_text_all = false;  // site.public_text = all (else free: the free pages' text only)
    // list lengths
    int home_documents = 12;
    int related_documents = 8;
    int guess_documents = 8;
    int related_searches = 8;
    int category_page_size = 20;
    int search_page_size = 10;
    int sitemap_documents = 49000;
};

/// One pool of threads handling requests of one cost class (http.*_threads, http.*_queue).
struct WorkPoolConfig {
    int threads = 1;
    int queue = 1;  // requests admitted and waiting for a thread; more get 503
};

struct HttpConfig {
    std::string address = "127.0.0.1";
    unsigned short port = 8080;
    int threads = 0;  // 0 = one per core
    std::size_t max_body_bytes = 64 << 10;
    int max_in_flight = 256;
    int max_connections = 4096;
    double rate_per_ip = 100;  // 0 = no limit
    double rate_burst = 200;
    int idle_seconds = 30;
    int header_seconds = 10;      // from a request header's first byte to its end
    int busy_percent = 75;        // of max_connections: above it, the server is under pressure
    int busy_header_seconds = 2;  // idle and header time under pressure
    int max_connections_per_address = 64;
    int max_requests_per_address = 8;     // handled or queued at once
    std::uint64_t min_rate_bytes = 1024;  // a sender slower than this per second over a window is cut
    int min_rate_seconds = 10;            // the window; 0 = no minimum rate
    std::size_t rate_table_entries = 100000;
    std::vector<IpNetwork> trusted_proxies;  // peers whose X-Forwarded-For / X-Real-IP is believed
    int stop_grace_seconds = 60;             // requests and uploads in progress get this long to finish
    // The work pools, by cost: static files and cheap pages, database pages, search, uploads.
    WorkPoolConfig light_pool{2, 1024};
    WorkPoolConfig page_pool{4, 256};
    WorkPoolConfig search_pool{2, 64};
    WorkPoolConfig upload_pool{2, 16};
    bool access_log = true;
    std::size_t open_files = 1024;
    std::chrono::seconds page_cache_lifetime{30};  // rendered pages, documents, searches, categories
    std::size_t page_cache_entries = 20000;
    std::size_t document_cache_entries = 100000;
    std::size_t search_cache_entries = 20000;
    std::chrono::seconds flush_interval{5};  // view/download counts and the search log
    std::size_t count_backlog_entries = 100000;
};

struct SearchConfig {
    std::size_t query_max_chars = 1000;
    std::size_t query_max_parts = 32;
    std::size_t query_max_part_tokens = 64;
    std::size_t snippet_chars = 120;
    std::size_t related_list_size = 12;
    int related_refresh_percent = 10;
    std::size_t log_max_pending = 10'000;
    std::chrono::milliseconds reader_reopen{1000};
    std::size_t key_terms = 20;
    std::size_t distinct_queries_per_hour = 300;  // per address; 0 = no limit
    std::size_t budget_addresses = 20'000;
    std::size_t suggest_min_addresses = 3;
    int suggest_min_days = 2;
    std::size_t suggest_max_chars = 24;
    int log_max_days = 90;
    std::size_t log_max_queries = 100'000;
};

/// Who may make an account on the site (accounts.registration).
enum class Registration { open, closed, invite };

/// Whether the session cookie is marked Secure (accounts.secure_cookie).
enum class SecureCookie { automatic, always, never };

/// Accounts, sessions and the login limits (accounts.*).
struct AccountsConfig {
    Registration registration = Registration::open;
    bool anonymous_uploads = true;  // visitors without an account may upload (site.uploads permitting)
    std::chrono::seconds session_lifetime{30 * 86400};
    SecureCookie secure_cookie = SecureCookie::automatic;
    int min_password_chars = 8;
    int login_failures_per_account = 10;  // within login_window; more get 429
    int login_failures_per_address = 50;  // from one client address, any accounts
    std::chrono::seconds login_window{900};
};

/// Whether an smtp:// connection is upgraded to TLS with STARTTLS (mail.starttls): none, try, required.
enum class StartTls { none, attempt, required };

/// Outgoing e-mail (mail.*): the SMTP server password-reset mails are handed to.
struct MailConfig {
    std::string smtp_url;  // smtp://host:port or smtps://host:port, without credentials; empty = mail is off
    std::string from;      // "noreply@example.org" or "Name <noreply@example.org>"; set when smtp_url is
    std::string username;  // empty = no login
    std::string password;
    StartTls starttls = StartTls::attempt;
    std::chrono::seconds timeout{30};
};

struct Config {
    ConvertConfig convert;
    IngestConfig ingest;
    StorageConfig storage;
    PreviewConfig preview;
    DescriptionConfig description;
    SiteConfig site;
    HttpConfig http;
    SearchConfig search;
    AccountsConfig accounts;
    MailConfig mail;

    /// Every group from `settings`, validated. Throws UsageError naming the first bad key.
    /// `keys_read`, when given, receives every key read (to check that none is left unread).
    static Config from(const Settings& settings, std::vector<std::string>* keys_read = nullptr);
};

}  // namespace wenku
