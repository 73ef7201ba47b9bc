#pragma once
// Inside the site (site.cpp, site_pages.cpp, site_api.cpp): shared state, caches and helpers.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "search/search_index.h"
#include "search/suggest.h"
#include "web/file_cache.h"
#include "web/site.h"
#include "web/template.h"

namespace wenku::web {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

/// Path parameters of a matched route ("{id}" → "12").
using Params = std::map<std::string, std::string, std::less<>>;

struct Site::Impl {
    Impl(Library& library, const std::filesystem::path& web_dir, std::function<void()> wake);

    Library& library;
    Repository& repo;
    std::filesystem::path web_dir;
    TemplateSet templates;
    std::map<std::string, json> i18n;  // "zh", "en"
    std::function<void()> wake_converter;
    Metrics metrics;
    FileCache files;

    // settings, read once
    int free_pages_default;
    std::string site_name, site_url, copyright, icp;
    bool uploads_enabled;
    std::uint64_t max_upload_bytes;
    int page_cache_seconds;
    std::size_t description_chars;

    /// Bumped whenever documents change; cached renderings of an older generation are stale.
    std::atomic<std::uint64_t> generation{1};

    // --- caches ---
    struct CachedPage {
        std::shared_ptr<const std::string> html;
        std::string etag;
        std::uint64_t generation = 0;
        Clock::time_point made;
    };
    std::mutex page_cache_mutex;
    std::unordered_map<std::string, CachedPage> page_cache;
    struct CachedDocument {
        std::shared_ptr<const Document> document;
        std::uint64_t generation = 0;
        Clock::time_point made;
    };
    std::mutex document_cache_mutex;
    std::unordered_map<std::int64_t, CachedDocument> document_cache;

    /// Search results and their related searches, kept like rendered pages (a popular query is
    /// searched once per page_cache_seconds). With accounts, the key will need the reader's
    /// entitlement: snippets depend on which pages the reader may see.
    struct CachedSearch {
        search::SearchResults results;
        std::vector<std::string> related;
        std::uint64_t generation = 0;
        Clock::time_point made;
    };
    std::mutex search_cache_mutex;
    std::unordered_map<std::string, std::shared_ptr<const CachedSearch>> search_cache;
    std::mutex categories_mutex;
    std::shared_ptr<const std::vector<Category>> categories_list;
    std::uint64_t categories_generation = 0;
    Clock::time_point categories_made;

    // --- batched writes: view and download counts, the search log; flushed every 5 s ---
    std::mutex counts_mutex;
    std::map<std::int64_t, std::pair<std::int64_t, std::int64_t>> counts;  // id → (views, downloads)
    search::SearchLog search_log;
    std::mutex flusher_mutex;
    std::condition_variable flusher_wake;
    bool flusher_stop = false;
    std::thread flusher;

    // --- helpers (site.cpp) ---
    /// A ready or unready document, cached; null when there is none.
    std::shared_ptr<const Document> document(std::int64_t id);
    /// A ready document or HttpError 404.
    std::shared_ptr<const Document> ready_document(const std::string& id_text);
    int free_pages(const Document& doc) const;
    /// Whether the reader may see page `number` (no accounts yet: nobody beyond the free pages).
    bool may_read(const Request& req, const Document& doc, int number) const;
    /// Page `number` of the document if the reader may see it; HttpError 404 (no such page) or 403
    /// (beyond the free pages) otherwise.
    int readable_page(const Request& req, const Document& doc, const std::string& number);
    const search::IndexReader& index();
    void count(std::int64_t id, int views, int downloads);
    /// Every category, parents first (cached like documents).
    std::shared_ptr<const std::vector<Category>> categories();
    /// A search with its related searches, from the cache when it is fresh; logs it (batched).
    std::shared_ptr<const CachedSearch> cached_search(const Request& req,
                                                      const search::SearchRequest& request, bool log);

    std::string lang(const Request& req) const;
    const json& strings(const std::string& lang) const;
    /// A string of the language with {name} placeholders filled in.
    std::string tr(const std::string& lang, const std::string& key,
                   const std::map<std::string, std::string>& values = {}) const;
    /// The context every page starts from: site, strings, language, search box.
    json page_context(const Request& req, const std::string& title, const std::string& description,
                      const std::string& canonical_path);
    json document_card(const Document& doc, const std::string& lang);
    /// A page preview as the document page and the reader show it: image, alt 标题_第N页, 第N页 / 共M页.
    json page_figure(const Document& doc, const Page& page, const std::string& lang);
    Response html(const Request& req, const std::string& template_name, const json& context,
                  int status = 200);
    /// A page rendered at most every page_cache_seconds (and anew when documents change).
    Response cached_html(const Request& req, const std::string& key,
                         const std::function<json()>& make_context, const std::string& template_name);
    Response error_page(const Request& req, int status, const std::string& code, const std::string& message);

    // --- handlers (site_pages.cpp) ---
    Response home(Request& req);
    Response category_page(Request& req, const Params& p);
    Response document_page(Request& req, const Params& p);
    Response reader_page(Request& req, const Params& p);
    Response search_page(Request& req);
    Response upload_page(Request& req);
    Response share_page(Request& req, const Params& p);
    Response qr_code(Request& req, const Params& p);
    Response report_form(Request& req, const Params& p);
    Response report_submit(Request& req, const Params& p);
    Response needs_account(Request& req, const Params& p);
    Response preview(Request& req, const Params& p);
    Response page_text(Request& req, const Params& p);
    Response cover(Request& req, const Params& p);
    Response download(Request& req, const Params& p);
    Response static_file(Request& req, const Params& p);
    Response robots(Request& req);
    Response sitemap(Request& req);
    Response healthz(Request& req);
    Response metrics_page(Request& req);

    // --- JSON API (site_api.cpp) ---
    Response api_documents(Request& req);
    Response api_document(Request& req, const Params& p);
    Response api_upload(Request& req);
    Response api_status(Request& req, const Params& p);
    Response api_pages(Request& req, const Params& p);
    Response api_search(Request& req);
    Response api_categories(Request& req);
    Response api_openapi(Request& req);
    json document_json(const Document& doc);
    /// Runs a search with snippets only from pages the reader may see.
    search::SearchResults run_search(const Request& req, const search::SearchRequest& request);
};

// --- small shared helpers ---
Response json_response(const json& body, int status = 200);
/// Sends `file` with ETag/304, Range/206/416 and the given type and cache policy.
Response serve_file(const Request& req, const std::shared_ptr<const OpenFile>& file,
                    const std::string& content_type, const std::string& cache_control);
/// Parses a whole positive number (document ids, page numbers); HttpError 404 otherwise.
std::int64_t parse_id(const std::string& text);
/// Highlighted text as JSON: [{text, hit}], for the templates and the API.
json fragments_json(const std::vector<search::Fragment>& fragments);
/// A query parameter naming something by number (category=3); HttpError 400 when malformed.
std::int64_t id_param(const Request& req, const std::string& name);
/// Whether an If-None-Match header (a list, weak validators, or *) matches `etag`.
bool etag_matches(std::string_view if_none_match, std::string_view etag);
/// A query parameter as a number in [lo, hi], or `fallback` when absent; HttpError 400 when malformed.
long long int_param(const Request& req, const std::string& name, long long fallback, long long lo,
                    long long hi);
std::string human_size(std::int64_t bytes);
std::string format_date(std::int64_t unix_seconds);
/// 上传人 as shown: the first and last characters around ****; "匿名"/"anonymous" for none.
std::string mask_uploader(const std::string& name, const std::string& anonymous);
std::string upper(std::string s);
/// A file name as received made safe to store and show: its last path component, control
/// characters removed, at most 200 bytes (at a character boundary).
std::string clean_file_name(const std::string& name);

}  // namespace wenku::web
