#include "core/settings.h"

#include <cstdlib>
#include <fstream>

#include "core/errors.h"

namespace wenku {

const std::vector<SettingSpec>& Settings::specs() {
    static const std::vector<SettingSpec> all = {
        {"convert.jobs", "0", "Converter worker processes run in parallel; 0 = one per CPU core."},
        {"convert.timeout_seconds", "120",
         "Wall-clock limit for converting one document; the worker is killed and replaced past it."},
        {"convert.worker_memory_mb", "4096",
         "Address-space limit (RLIMIT_AS) of each converter worker, MiB (LibreOffice maps ~1 GiB of "
         "libraries)."},
        {"convert.render_memory_mb", "1536", "Cap on MuPDF's allocations while rendering one document, MiB."},
        {"convert.worker_file_mb", "512", "Largest file a converter worker may write (RLIMIT_FSIZE), MiB."},
        {"convert.worker_documents", "200",
         "Documents a worker converts before it is replaced by a fresh process."},
        {"convert.worker_rss_mb", "1024",
         "A worker whose memory use (RSS) grows past this many MiB is replaced after its document."},
        {"convert.sandbox", "auto",
         "Worker confinement: bwrap (bubblewrap: no network, read-only system, only its own scratch folder "
         "writable), basic (rlimits and a private network namespace only), or auto (bwrap when it works)."},
        {"convert.ocr", "1", "Recognise the text of pages that have none (scans) with tesseract: 1 or 0."},
        {"convert.ocr_languages", "chi_sim+eng", "Tesseract language packs used for OCR."},
        {"convert.paper", "a4",
         "Page size of documents that set none (text, Markdown, CSV, and office files without a page "
         "size; Word's .docx and .rtf keep their format's default, Letter): a4 or letter."},
        {"convert.ocr_page_seconds", "20", "Time limit for recognising the text of one page."},
        {"convert.ocr_document_seconds", "60",
         "OCR time one document may use in all; later pages keep no text and a warning says so. Keep it "
         "well below convert.timeout_seconds."},
        {"convert.ocr_max_pixels", "9000000",
         "Pixel budget of a page image for OCR (300 dpi unless that exceeds it; A4 at 300 dpi is 8.7 MP). "
         "Tesseract needs about 12 bytes a pixel, and a worker's memory grows with it."},
        {"convert.max_file_mb", "200",
         "Largest original accepted, MiB; larger files are refused before conversion."},
        {"convert.max_pages", "2000", "Documents with more pages are refused."},
        {"convert.max_page_pixels", "40000000",
         "Pixel budget of one page preview; larger pages render smaller."},
        {"convert.zip_max_entries", "20000",
         "Entries a ZIP-based document (docx, xlsx, pptx, odt, ods, odp, epub) may have; more is refused "
         "as a decompression bomb."},
        {"convert.zip_max_entry_mb", "512",
         "Uncompressed size of one entry of a ZIP-based document, MiB; larger is refused as a decompression "
         "bomb."},
        {"convert.zip_max_total_mb", "1024",
         "Uncompressed size of all entries of a ZIP-based document together, MiB; larger is refused as a "
         "decompression bomb."},
        {"convert.zip_max_ratio", "100",
         "Compression ratio (uncompressed / compressed) an entry of a ZIP-based document larger than 1 MiB "
         "may have; higher is refused as a decompression bomb."},
        {"convert.csv_max_columns", "256",
         "Columns of a CSV or TSV table shown; the fields past them are shown together in the last column."},
        {"convert.csv_max_rows", "20000",
         "Records of a CSV or TSV table shown; a note says how many were left out."},
        {"convert.csv_max_cells", "400000",
         "Cells of a CSV or TSV table shown; the records past them are left out like those past "
         "convert.csv_max_rows."},
        {"convert.csv_max_cell_bytes", "16384",
         "Bytes of one CSV or TSV field shown; a longer value is cut and ends in \"…\"."},
        {"ingest.near_duplicate", "flag",
         "A document whose text is nearly the same as one already in the library (a re-upload under another "
         "name): flag (keep it, marked as a near-duplicate of the original), refuse (fail it with error "
         "'duplicate'), or off (compare nothing)."},
        {"ingest.near_duplicate_similarity", "90",
         "Estimated share of their text (percent, 50-100) two documents must have in common for the later "
         "one "
         "to be a near-duplicate. A new title and one reworded sentence leave the 1,500-character demo guide "
         "94% "
         "the same; rewriting one of its twelve paragraphs entirely, 89%."},
        {"ingest.max_page_text_kb", "1024",
         "Text kept of one page, KiB (1-65536); the rest of a longer page's text is neither shown nor "
         "searched."},
        {"ingest.index_commit_documents", "200",
         "Converted documents added to the search index before it is committed, which makes them "
         "searchable (1-1000000). It is also committed after ingest.index_commit_seconds and whenever the "
         "queue is empty."},
        {"ingest.index_commit_seconds", "2",
         "Seconds after which converted documents added to the search index are committed (0-3600)."},
        {"ingest.queue_poll_ms", "200",
         "How often idle converter threads look for documents queued by another process, milliseconds "
         "(10-60000); documents queued through the converting process itself (its uploads, the files it "
         "adds) start at once."},
        {"ingest.failed_retention_days", "7",
         "Days a document that failed to convert is kept (its error shown to the uploader) before it is "
         "removed with its original (0-36500; 0 = kept forever). The converting process removes them every "
         "few minutes, and so does `wenku verify --repair`."},
        {"storage.min_free_mb", "512",
         "Free space, MiB, kept on the data folder's file system (0-1073741824). Below it uploads are "
         "refused with 507, conversions wait in the queue until space returns, and a warning is logged; "
         "reading goes on."},
        {"storage.max_library_mb", "0",
         "Total size, MiB, of all documents' originals (0-1073741824; 0 = no limit). An upload that "
         "would pass it is refused with 507."},
        {"storage.address_mb_per_day", "1024",
         "Upload bytes, MiB, one client address may send per day (UTC) (0-1073741824; 0 = no uploads "
         "from addresses). Over it: 429."},
        {"storage.address_documents_per_day", "200",
         "Documents one client address may upload per day (UTC) (0-1000000000). Over it: 429."},
        {"preview.width", "1000", "Width of page previews in pixels."},
        {"preview.thumb_width", "240", "Width of the cover thumbnail in pixels."},
        {"preview.webp_quality", "80", "Lossy WebP quality of previews, 0-100."},
        {"preview.watermark", "",
         "Text drawn across every page preview (e.g. the site's name); empty = none."},
        {"preview.watermark_opacity", "12", "Opacity of the watermark, percent."},
        {"description.chars_per_page", "300", "Characters of each page shown in 资源描述 (the description)."},
        {"preview.free_pages", "5",
         "Pages anyone may preview (images and text); later pages are refused to readers not entitled to "
         "them. A document's own free_pages overrides it."},
        {"site.name", "wenku文库", "The site's name, in titles and the header."},
        {"site.url", "http://127.0.0.1:8080",
         "The site's public address, for canonical links, OpenGraph, the sitemap and share links."},
        {"site.copyright", "copyright© 2026 wenku文库 网站版权所有", "The footer's copyright line."},
        {"site.icp", "",
         "The footer's ICP licence number (经营许可证编号), e.g. 浙ICP备2024059924号-2; empty = none."},
        {"site.uploads", "1", "Whether visitors may upload documents: 1 or 0."},
        {"site.public_text", "free",
         "What of a document's text the site makes public, and so what search can tell about it: free = the "
         "free pages' text (shown in 资源描述, searchable by phrase, with snippets and page numbers; later "
         "pages "
         "make a document match only through its key terms, search.key_terms, which its page shows), all = "
         "the whole text (searchable and shown like the free pages'). Changing it re-indexes every document "
         "when conversion next starts (wenku serve, import, add)."},
        {"site.home_documents", "12", "Documents in each list of the home page (latest, most viewed)."},
        {"site.related_documents", "8", "相关资源 (related documents) a document page lists."},
        {"site.guess_documents", "8",
         "猜你喜欢 a document page lists: the most viewed documents of its category, then of the library."},
        {"site.related_searches", "8",
         "相关搜索 (related searches) a document page and the search page list."},
        {"site.category_page_size", "20", "Documents on each page of a category."},
        {"site.search_page_size", "10", "Results on each page of the search page."},
        {"site.sitemap_documents", "49000",
         "Documents /sitemap.xml lists, newest first (a sitemap holds at most 50,000 addresses)."},
        {"http.address", "127.0.0.1", "Address `wenku serve` listens on (0.0.0.0 for every interface)."},
        {"http.port", "8080", "Port `wenku serve` listens on."},
        {"http.threads", "0",
         "Network threads, which read requests and write responses (the http.*_threads pools answer "
         "them); 0 = one per CPU core."},
        {"http.max_body_kb", "64",
         "Largest request body other than an upload (forms, JSON), KiB; larger gets 413."},
        {"http.max_in_flight", "256",
         "Requests admitted at once (waiting in a pool or being handled), all classes together; more get "
         "503 with Retry-After."},
        {"http.max_connections", "4096", "Open connections; more are closed at once."},
        {"http.rate_per_ip", "100",
         "Requests per second each client address may sustain; more get 429. 0 = no limit."},
        {"http.rate_burst", "200",
         "Requests a client address may send at once before http.rate_per_ip applies."},
        {"http.idle_seconds", "30",
         "Seconds an idle keep-alive connection is kept waiting for its next request (and a request body "
         "that is not an upload may take)."},
        {"http.header_seconds", "10",
         "Seconds a request header may take from its first byte to its end; slower ones are cut."},
        {"http.busy_percent", "75",
         "Open connections, as a percentage of http.max_connections, above which the server is under "
         "pressure: idle connections and request headers then get http.busy_header_seconds."},
        {"http.busy_header_seconds", "2",
         "Seconds an idle connection or a request header gets while the server is under pressure."},
        {"http.max_connections_per_address", "64",
         "Open connections of one client address; more are closed at once (a trusted proxy has no cap)."},
        {"http.max_requests_per_address", "8",
         "Requests of one client address being handled or queued at once; more get 429 with Retry-After."},
        {"http.min_rate_bytes", "1024",
         "Bytes per second a client must send a request header or body at, over each window of "
         "http.min_rate_seconds; a slower one is cut."},
        {"http.min_rate_seconds", "10", "The window of http.min_rate_bytes, seconds; 0 = no minimum rate."},
        {"http.rate_table_entries", "100000",
         "Client addresses whose rate (http.rate_per_ip) is tracked; past this the least recently seen "
         "is forgotten."},
        {"http.trusted_proxies", "",
         "Addresses or networks (CIDR, comma-separated) of reverse proxies whose X-Forwarded-For and "
         "X-Real-IP are believed: the client is the right-most address not among them. Empty = none."},
        {"http.stop_grace_seconds", "60",
         "Seconds requests and uploads in progress get to finish after SIGTERM or SIGINT."},
        {"http.light_threads", "2", "Threads answering static files, previews, downloads and /healthz."},
        {"http.light_queue", "1024",
         "Requests waiting for those threads; more get 503 with Retry-After (each pool has its own queue)."},
        {"http.page_threads", "4", "Threads answering pages and API calls that read the database."},
        {"http.page_queue", "256", "Requests waiting for the page threads; more get 503."},
        {"http.search_threads", "2", "Threads answering searches (/search, /api/search)."},
        {"http.search_queue", "64", "Searches waiting for the search threads; more get 503."},
        {"http.upload_threads", "2", "Threads storing uploads once their body is read."},
        {"http.upload_queue", "16",
         "Uploads admitted (their body being read or waiting for a thread); more get 503 before the body."},
        {"http.access_log", "1", "Log every request (address, request line, status, bytes, time): 1 or 0."},
        {"http.open_files", "1024",
         "Previews and static files kept open for sending with sendfile (each holds one file descriptor)."},
        {"http.page_cache_seconds", "30",
         "Seconds a rendered document or home page is reused (any new or removed document refreshes them at "
         "once)."},
        {"http.page_cache_entries", "20000",
         "Rendered pages (document, home and search pages, per language) kept for reuse; when full, the "
         "stale ones are dropped, or all."},
        {"http.document_cache_entries", "100000",
         "Documents' metadata kept in memory for the pages, like rendered pages."},
        {"http.search_cache_entries", "20000", "Search results kept for reuse, like pages."},
        {"http.flush_seconds", "5",
         "Seconds between writes of the batched view and download counts and the search log to the "
         "database."},
        {"http.count_backlog_entries", "100000",
         "Documents whose view and download counts are kept for the next write while the database refuses "
         "them; past this the oldest are dropped, and the loss is logged."},
        {"search.query_max_chars", "1000",
         "Characters of a search query that are read (1-100000); the rest is ignored, so that whatever is "
         "typed "
         "costs little."},
        {"search.query_max_parts", "32",
         "Words, \"phrases\" and -exclusions of one query that are searched (1-1000); later ones are ignored "
         "(field:value filters still count)."},
        {"search.query_max_part_tokens", "64",
         "Characters and words of one query part that are searched (1-10000); the rest of the part is "
         "ignored."},
        {"search.snippet_chars", "120", "Characters of the passage shown under a search result (1-10000)."},
        {"search.related_list_size", "12",
         "Related documents (相关资源) computed and stored per document (1-1000; more when more are shown)."},
        {"search.related_refresh_percent", "10",
         "A document's stored related documents are computed again once the library has grown by more than "
         "this "
         "many percent since they were (0-1000)."},
        {"search.log_max_pending", "10000",
         "Distinct searches `wenku serve` keeps in memory until they are written to the search log "
         "(相关搜索), "
         "also while the database cannot be written (1-10000000); past it the least recently searched are "
         "dropped, with a warning saying how many."},
        {"search.reader_reopen_ms", "1000",
         "Milliseconds a server thread searches the same revision of the index before reopening it to see "
         "documents indexed since (0-3600000; 0 = reopen for every search)."},
        {"search.key_terms", "20",
         "Key terms (关键词) chosen from a document's whole text when it is indexed (1-1000): its most "
         "frequent "
         "character pairs and words. They are shown on its page and are all of its locked pages' text that "
         "a search can match."},
        {"search.distinct_queries_per_hour", "300",
         "Distinct queries one client address may ask per hour (0-100000000; 0 = no limit); past it the "
         "site answers 429 with Retry-After. A query asked already this hour (another page or sort of "
         "it) and a search answered from the cache do not count."},
        {"search.budget_addresses", "20000",
         "Client addresses whose searches per hour are counted at once (1-100000000); when more search, "
         "the counts of those whose hour has passed are dropped, and all counts when none has."},
        {"search.suggest_min_addresses", "3",
         "相关搜索 shows a logged search only once this many different client addresses made it "
         "(1-1000000)."},
        {"search.suggest_min_days", "2",
         "相关搜索 shows a logged search only once it was made on this many different days (1-3650)."},
        {"search.suggest_max_chars", "24",
         "Longest search, in characters, that is logged for 相关搜索 (1-1000). Searches with operators (-, "
         "quotes, field:) are never logged, nor those matching a line of DATA/search-blocklist.txt."},
        {"search.log_max_days", "90", "Days a logged search is kept after it was last made (1-36500)."},
        {"search.log_max_queries", "100000",
         "Logged searches kept at most (1-100000000); past it the least recently made are deleted."},
        {"accounts.registration", "open",
         "Who may make an account at /register: open = anyone, closed = nobody (accounts are made with "
         "`wenku user add`), invite = only with an invitation (not yet available: as closed)."},
        {"accounts.anonymous_uploads", "1",
         "Whether visitors without an account may upload (when site.uploads allows uploads): 1 or 0. With 0 "
         "an anonymous upload gets 401."},
        {"accounts.session_days", "30", "Days a login lasts (1-3650); logging out ends it sooner."},
        {"accounts.secure_cookie", "auto",
         "Whether the session cookie is marked Secure (sent over HTTPS only): auto = when site.url is "
         "https:// or a trusted proxy (http.trusted_proxies) says X-Forwarded-Proto: https; 1 = always; "
         "0 = never."},
        {"accounts.min_password_chars", "8",
         "Shortest password an account may have, in characters (1-1000)."},
        {"accounts.login_failures_per_account", "10",
         "Failed logins for one account within accounts.login_window_seconds (from any address) before "
         "further logins of it get 429 with Retry-After (1-1000000)."},
        {"accounts.login_failures_per_address", "50",
         "Failed logins from one client address within accounts.login_window_seconds (for any accounts) "
         "before further logins from it get 429 with Retry-After (1-1000000)."},
        {"accounts.login_window_seconds", "900",
         "The window over which failed logins are counted, seconds (1-2592000). Counts are kept in the "
         "database, so every server of a library shares them."},
        {"mail.smtp_url", "",
         "The SMTP server outgoing mail (password-reset mails) goes through: smtp://host:port (upgraded to "
         "TLS as mail.starttls says) or smtps://host:port (TLS from the start, usually port 465). Empty: "
         "mail is off. No user name or password here: see mail.username."},
        {"mail.from", "",
         "Sender of outgoing mail: an address (noreply@example.org) or a name and an address (wenku文库 "
         "<noreply@example.org>). Required when mail.smtp_url is set."},
        {"mail.username", "", "User name to log in to the SMTP server with; empty: no login."},
        {"mail.password", "",
         "Password of mail.username. Better set as the environment variable WENKU_MAIL_PASSWORD than in "
         "wenku.conf; `wenku config` and error messages never show it."},
        {"mail.starttls", "try",
         "TLS for smtp:// servers: none (never), try (when the server offers STARTTLS; else the message and "
         "any login go in the clear), or required (no TLS, no mail). smtps:// is always TLS."},
        {"mail.timeout_seconds", "30",
         "Time limit for connecting to the SMTP server, and for sending one message (1-3600)."},
    };
    return all;
}

Settings::Settings() {
    for (const auto& s : specs()) {
        values_[s.key] = s.default_value;
        sources_[s.key] = "default";
    }
}

std::string Settings::env_name(const std::string& key) {
    std::string name = "WENKU_";
    for (char c : key)
        name += (c == '.') ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return name;
}

namespace {
std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    const auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}
}  // namespace

Settings Settings::load(const std::filesystem::path& data_dir) {
    Settings settings;
    const auto conf = data_dir / "wenku.conf";
    if (std::ifstream in(conf); in) {
        std::string line;
        int number = 0;
        while (std::getline(in, line)) {
            ++number;
            line = trim(line);
            if (line.empty() || line[0] == '#') continue;
            const auto eq = line.find('=');
            if (eq == std::string::npos) {
                throw UsageError(conf.string() + ":" + std::to_string(number) + ": expected 'key = value'");
            }
            const std::string key = trim(line.substr(0, eq));
            settings.set(key, trim(line.substr(eq + 1)));
            settings.sources_[key] = "wenku.conf";
        }
    }
    for (const auto& s : specs()) {
        const std::string name = env_name(s.key);
        if (const char* v = std::getenv(name.c_str()); v) {
            settings.set(s.key, v);
            settings.sources_[s.key] = name;
        }
    }
    return settings;
}

const std::string& Settings::get(const std::string& key) const {
    const auto it = values_.find(key);
    if (it == values_.end()) throw UsageError("unknown setting '" + key + "' (see: wenku config --defaults)");
    return it->second;
}

long long Settings::get_int(const std::string& key) const {
    const std::string& v = get(key);
    try {
        size_t used = 0;
        const long long n = std::stoll(v, &used);
        if (used == v.size()) return n;
    } catch (const std::exception&) {
    }
    throw UsageError("setting " + key + " must be a whole number, not '" + v + "'");
}

void Settings::set(const std::string& key, const std::string& value) {
    if (!values_.contains(key))
        throw UsageError("unknown setting '" + key + "' (see: wenku config --defaults)");
    values_[key] = value;
    sources_[key] = "set";
}

const std::string& Settings::source(const std::string& key) const {
    get(key);
    return sources_.at(key);
}

}  // namespace wenku
