#include "web/site.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <ctime>
#include <fstream>
#include <sstream>

#include "core/conversion.h"
#include "core/errors.h"
#include "core/utf8.h"
#include "web/site_impl.h"

namespace wenku::web {
namespace fs = std::filesystem;

namespace {

/// Every response carries these: scripts and styles only from the site itself, no plug-ins, no
/// framing, no type sniffing.
constexpr const char* content_security_policy =
    "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

json load_json(const fs::path& file) {
    std::ifstream in(file);
    if (!in) throw EnvironmentError("cannot read " + file.string());
    try {
        return json::parse(in);
    } catch (const json::exception& e) {
        throw UsageError(file.string() + ": " + e.what());
    }
}

/// Matches "/d/{id}/page/{n}.webp" against a path; a parameter ends at the next '/' or at the
/// pattern's literal suffix within the segment.
bool match(std::string_view pattern, std::string_view path, Params& params) {
    params.clear();
    while (!pattern.empty()) {
        if (path.empty()) return false;
        const auto ps = pattern.find('/', 1), xs = path.find('/', 1);
        const std::string_view pseg = pattern.substr(0, ps), xseg = path.substr(0, xs);
        pattern = ps == std::string_view::npos ? std::string_view{} : pattern.substr(ps);
        path = xs == std::string_view::npos ? std::string_view{} : path.substr(xs);
        const auto open = pseg.find('{');
        if (open == std::string_view::npos) {
            if (pseg != xseg) return false;
            continue;
        }
        const auto close = pseg.find('}', open);
        const std::string_view prefix = pseg.substr(0, open), suffix = pseg.substr(close + 1);
        if (xseg.size() <= prefix.size() + suffix.size() || !xseg.starts_with(prefix) ||
            !xseg.ends_with(suffix)) {
            return false;
        }
        params.emplace(std::string(pseg.substr(open + 1, close - open - 1)),
                       std::string(xseg.substr(prefix.size(), xseg.size() - prefix.size() - suffix.size())));
    }
    return path.empty();
}

/// Status for whatever a handler threw: the one place where errors become HTTP.
std::pair<int, std::string> error_status(const std::exception& e) {
    if (auto* h = dynamic_cast<const HttpError*>(&e)) return {h->status(), h->code()};
    if (dynamic_cast<const NotFoundError*>(&e)) return {404, "not_found"};
    if (dynamic_cast<const UsageError*>(&e)) return {400, "bad_request"};
    if (auto* i = dynamic_cast<const InputError*>(&e)) {
        const std::string& code = i->code();
        if (code == error_code::duplicate) return {409, code};
        if (code == error_code::too_large) return {413, code};
        if (code == error_code::unsupported) return {415, code};
        if (code == error_code::empty) return {400, code};
        return {422, code};
    }
    if (dynamic_cast<const EnvironmentError*>(&e)) return {503, "unavailable"};
    return {500, "internal"};
}

}  // namespace

fs::path default_web_dir() {
    if (const char* env = std::getenv("WENKU_WEB_DIR"); env && *env) return env;
#ifdef WENKU_WEB_DIR
    if (fs::exists(WENKU_WEB_DIR)) return WENKU_WEB_DIR;
#endif
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return exe.parent_path().parent_path() / "share" / "wenku" / "web";
}

Site::Impl::Impl(Library& lib, const fs::path& dir, std::function<void()> wake)
    : library(lib),
      repo(lib.repository()),
      web_dir(dir),
      templates(dir / "templates"),
      wake_converter(std::move(wake)),
      files(static_cast<std::size_t>(lib.settings().get_int("http.open_files"))) {
    for (const char* l : {"zh", "en"}) i18n[l] = load_json(dir / "i18n" / (std::string(l) + ".json"));
    const Settings& s = lib.settings();
    free_pages_default = static_cast<int>(s.get_int("preview.free_pages"));
    if (free_pages_default < 0) throw UsageError("preview.free_pages must be 0 or more");
    site_name = s.get("site.name");
    site_url = s.get("site.url");
    while (site_url.ends_with('/')) site_url.pop_back();
    copyright = s.get("site.copyright");
    icp = s.get("site.icp");
    uploads_enabled = s.get_int("site.uploads") != 0;
    max_upload_bytes = static_cast<std::uint64_t>(s.get_int("convert.max_file_mb")) << 20;
    page_cache_seconds = static_cast<int>(s.get_int("http.page_cache_seconds"));
    description_chars = static_cast<std::size_t>(s.get_int("description.chars_per_page"));
}

Site::Site(Library& library, const fs::path& web_dir, std::function<void()> wake_converter)
    : impl_(std::make_unique<Impl>(library, web_dir, std::move(wake_converter))) {
    // Counts and the search log reach the database every 5 s, off the request path.
    impl_->flusher = std::thread([this] {
        std::unique_lock lock(impl_->flusher_mutex);
        while (!impl_->flusher_stop) {
            impl_->flusher_wake.wait_for(lock, std::chrono::seconds(5));
            lock.unlock();
            try {
                flush_counts();
            } catch (const std::exception& e) {
                spdlog::warn("cannot save view counts and searches: {}", e.what());
            }
            lock.lock();
        }
    });
}

Site::~Site() {
    {
        std::lock_guard lock(impl_->flusher_mutex);
        impl_->flusher_stop = true;
    }
    impl_->flusher_wake.notify_all();
    impl_->flusher.join();
    try {
        flush_counts();
    } catch (const std::exception& e) {
        spdlog::warn("cannot save view counts and searches: {}", e.what());
    }
}

Metrics& Site::metrics() { return impl_->metrics; }

void Site::content_changed() { ++impl_->generation; }

bool Site::is_upload(const Request& req) const {
    return req.method == "POST" && req.path == "/api/documents";
}

void Site::flush_counts() {
    std::map<std::int64_t, std::pair<std::int64_t, std::int64_t>> pending;
    {
        std::lock_guard lock(impl_->counts_mutex);
        pending.swap(impl_->counts);
    }
    for (const auto& [id, c] : pending) impl_->repo.add_counts(id, c.first, c.second);
    impl_->search_log.flush(impl_->repo);
}

Response Site::handle(Request& req) {
    Impl& s = *impl_;
    Response res;
    const bool get = req.method == "GET" || req.method == "HEAD";
    const bool post = req.method == "POST";
    Params p;
    const std::string& path = req.path;
    std::string allow;  // the methods of the route the path matched, for a 405's Allow header
    try {
        constexpr std::string_view GET = "GET, HEAD", POST = "POST", BOTH = "GET, HEAD, POST";
        auto route = [&](std::string_view methods, std::string_view pattern) {
            if (!match(pattern, path, p)) return false;
            const bool ok = (get && methods != POST) || (post && methods != GET);
            if (!ok) {
                allow = methods;
                throw HttpError(405, "method_not_allowed", req.method + " is not allowed on " + path);
            }
            return true;
        };
        if (path.starts_with("/d/")) {
            if (route(GET, "/d/{id}"))
                res = s.document_page(req, p);
            else if (route(GET, "/d/{id}/page/{n}.webp"))
                res = s.preview(req, p);
            else if (route(GET, "/d/{id}/page/{n}.txt"))
                res = s.page_text(req, p);
            else if (route(GET, "/d/{id}/cover.webp"))
                res = s.cover(req, p);
            else if (route(GET, "/d/{id}/read"))
                res = s.reader_page(req, p);
            else if (route(GET, "/d/{id}/download"))
                res = s.download(req, p);
            else if (route(GET, "/d/{id}/share"))
                res = s.share_page(req, p);
            else if (route(GET, "/d/{id}/qr.svg"))
                res = s.qr_code(req, p);
            else if (route(BOTH, "/d/{id}/report"))
                res = post ? s.report_submit(req, p) : s.report_form(req, p);
            else if (route(POST, "/d/{id}/favorite") || route(POST, "/d/{id}/tip"))
                res = s.needs_account(req, p);
            else
                throw HttpError(404, "not_found", "no page at " + path);
        } else if (path.starts_with("/api/")) {
            if (route(BOTH, "/api/documents"))
                res = post ? s.api_upload(req) : s.api_documents(req);
            else if (route(GET, "/api/documents/{id}"))
                res = s.api_document(req, p);
            else if (route(GET, "/api/documents/{id}/status"))
                res = s.api_status(req, p);
            else if (route(GET, "/api/documents/{id}/pages"))
                res = s.api_pages(req, p);
            else if (route(GET, "/api/search"))
                res = s.api_search(req);
            else if (route(GET, "/api/categories"))
                res = s.api_categories(req);
            else if (route(GET, "/api/openapi.json"))
                res = s.api_openapi(req);
            else
                throw HttpError(404, "not_found", "no API at " + path);
        } else if (route(GET, "/"))
            res = s.home(req);
        else if (route(GET, "/search"))
            res = s.search_page(req);
        else if (route(GET, "/c/{id}"))
            res = s.category_page(req, p);
        else if (route(GET, "/upload"))
            res = s.upload_page(req);
        else if (route(GET, "/static/{name}"))
            res = s.static_file(req, p);
        else if (route(GET, "/robots.txt"))
            res = s.robots(req);
        else if (route(GET, "/sitemap.xml"))
            res = s.sitemap(req);
        else if (route(GET, "/healthz"))
            res = s.healthz(req);
        else if (route(GET, "/metrics"))
            res = s.metrics_page(req);
        else if (route(GET, "/favicon.ico")) {  // asked for by browsers showing an image or a text file
            res.status = 301;
            res.set("Location", "/static/favicon.svg");
            res.set("Cache-Control", "public, max-age=86400");
        } else
            throw HttpError(404, "not_found", "no page at " + path);
    } catch (const std::exception& e) {
        const auto [status, code] = error_status(e);
        if (status >= 500) spdlog::error("{} {}: {}", req.method, req.target, e.what());
        res = path.starts_with("/api/") || path.ends_with(".webp") || path.ends_with(".txt")
                  ? json_response({{"error", {{"code", code}, {"message", e.what()}}}}, status)
                  : s.error_page(req, status, code, e.what());
        if (auto* d = dynamic_cast<const DuplicateError*>(&e); d && path.starts_with("/api/")) {
            auto body = json::parse(*res.body);
            body["error"]["existing_id"] = d->existing_id();
            res.body = std::make_shared<const std::string>(body.dump());
        }
        res.set("Cache-Control", "no-store");
        if (status == 405 && !allow.empty()) res.set("Allow", allow);
    }
    res.set("Content-Security-Policy", content_security_policy);
    res.set("X-Content-Type-Options", "nosniff");
    res.set("X-Frame-Options", "DENY");
    res.set("Referrer-Policy", "strict-origin-when-cross-origin");
    return res;
}

// --- Impl helpers ---

std::shared_ptr<const Document> Site::Impl::document(std::int64_t id) {
    // Kept until this process changes documents or page_cache_seconds pass (another process, such
    // as `wenku rm`, may change them too).
    const std::uint64_t gen = generation.load();
    const auto now = Clock::now();
    {
        std::lock_guard lock(document_cache_mutex);
        if (auto it = document_cache.find(id);
            it != document_cache.end() && it->second.generation == gen &&
            now - it->second.made < std::chrono::seconds(page_cache_seconds)) {
            return it->second.document;
        }
    }
    auto found = repo.find_document(id);
    std::shared_ptr<const Document> doc =
        found ? std::make_shared<const Document>(std::move(*found)) : nullptr;
    std::lock_guard lock(document_cache_mutex);
    if (document_cache.size() > 100000) document_cache.clear();
    document_cache[id] = CachedDocument{doc, gen, now};
    return doc;
}

std::shared_ptr<const Document> Site::Impl::ready_document(const std::string& id_text) {
    const std::int64_t id = parse_id(id_text);
    auto doc = document(id);
    if (!doc || doc->status != DocumentStatus::ready) {
        throw HttpError(404, "not_found", "no document №" + std::to_string(id));
    }
    return doc;
}

int Site::Impl::free_pages(const Document& doc) const { return doc.free_pages.value_or(free_pages_default); }

bool Site::Impl::may_read(const Request&, const Document& doc, int number) const {
    return number >= 1 && number <= doc.page_count && number <= free_pages(doc);
}

const search::IndexReader& Site::Impl::index() {
    // One reader a thread, reopened every second so new documents show up.
    struct Slot {
        const Impl* owner = nullptr;
        std::optional<search::IndexReader> reader;
        Clock::time_point opened;
        std::uint64_t generation = 0;
    };
    thread_local Slot slot;
    const auto now = Clock::now();
    if (slot.owner != this || !slot.reader || now - slot.opened > std::chrono::seconds(1)) {
        slot.reader.emplace(library.index_dir());
        slot.owner = this;
        slot.opened = now;
    }
    return *slot.reader;
}

std::shared_ptr<const std::vector<Category>> Site::Impl::categories() {
    const std::uint64_t gen = generation.load();
    const auto now = Clock::now();
    std::lock_guard lock(categories_mutex);
    if (!categories_list || categories_generation != gen ||
        now - categories_made >= std::chrono::seconds(page_cache_seconds)) {
        categories_list = std::make_shared<const std::vector<Category>>(repo.categories());
        categories_generation = gen;
        categories_made = now;
    }
    return categories_list;
}

std::shared_ptr<const Site::Impl::CachedSearch> Site::Impl::cached_search(
    const Request& req, const search::SearchRequest& request, bool log) {
    const std::string key = fmt::format("{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}", request.query,
                                        request.offset, request.limit, static_cast<int>(request.sort),
                                        request.facets, request.category_id.value_or(0), request.format);
    const std::uint64_t gen = generation.load();
    const auto now = Clock::now();
    std::shared_ptr<const CachedSearch> found;
    {
        std::lock_guard lock(search_cache_mutex);
        if (auto it = search_cache.find(key);
            it != search_cache.end() && it->second->generation == gen &&
            now - it->second->made < std::chrono::seconds(page_cache_seconds)) {
            found = it->second;
        }
    }
    if (!found) {
        auto fresh = std::make_shared<CachedSearch>();
        fresh->results = run_search(req, request);
        fresh->related = search::related_searches(repo, index(), fresh->results, 8);
        fresh->generation = gen;
        fresh->made = now;
        found = fresh;
        std::lock_guard lock(search_cache_mutex);
        if (search_cache.size() > 20000) search_cache.clear();
        search_cache[key] = found;
    }
    if (log && request.offset == 0) search_log.add(found->results);
    return found;
}

void Site::Impl::count(std::int64_t id, int views, int downloads) {
    std::lock_guard lock(counts_mutex);
    auto& c = counts[id];
    c.first += views;
    c.second += downloads;
}

std::string Site::Impl::lang(const Request& req) const {
    const std::string& q = req.param("lang");
    if (q == "en" || q == "zh") return q;
    const std::string c = req.cookie("lang");
    return c == "en" ? "en" : "zh";
}

const json& Site::Impl::strings(const std::string& l) const { return i18n.at(l == "en" ? "en" : "zh"); }

std::string Site::Impl::tr(const std::string& l, const std::string& key,
                           const std::map<std::string, std::string>& values) const {
    const json& table = strings(l);
    auto it = table.find(key);
    std::string text = it != table.end() && it->is_string() ? it->get<std::string>() : key;
    for (const auto& [name, value] : values) {
        const std::string mark = "{" + name + "}";
        for (auto pos = text.find(mark); pos != std::string::npos;
             pos = text.find(mark, pos + value.size())) {
            text.replace(pos, mark.size(), value);
        }
    }
    return text;
}

json Site::Impl::page_context(const Request& req, const std::string& title, const std::string& description,
                              const std::string& canonical_path) {
    const std::string l = lang(req);
    json top = json::array();
    for (const Category& c : *categories()) {
        if (!c.parent_id) top.push_back({{"name", c.name}, {"url", "/c/" + std::to_string(c.id)}});
    }
    const std::string canonical = site_url + canonical_path;
    const char* sep = canonical_path.find('?') == std::string::npos ? "?" : "&";
    return {
        {"site", {{"name", site_name}, {"url", site_url}, {"copyright", copyright}, {"icp", icp}}},
        {"t", strings(l)},
        {"lang", l == "en" ? "en" : "zh-CN"},
        {"en", l == "en"},
        {"title", title.empty() ? site_name : title + " - " + site_name},
        {"description", description},
        {"canonical", canonical},
        {"alternate_zh", canonical},
        {"alternate_en", canonical + sep + "lang=en"},
        {"other_lang_url", canonical_path + sep + (l == "en" ? "lang=zh" : "lang=en")},
        {"nav_categories", top},
        {"q", req.param("q")},
        {"uploads_enabled", uploads_enabled},
    };
}

json Site::Impl::document_card(const Document& doc, const std::string& l) {
    return {
        {"id", doc.id},
        {"title", doc.title},
        {"url", "/d/" + std::to_string(doc.id)},
        {"cover", "/d/" + std::to_string(doc.id) + "/cover.webp"},
        {"format", upper(doc.format)},
        {"pages", doc.page_count},
        {"pages_label", tr(l, "pages_n", {{"n", std::to_string(doc.page_count)}})},
        {"size", human_size(doc.size_bytes)},
        {"date", format_date(doc.created_at)},
        {"views", doc.views},
        {"downloads", doc.downloads},
    };
}

Response Site::Impl::html(const Request& req, const std::string& template_name, const json& context,
                          int status) {
    Response res;
    res.status = status;
    res.text(templates.render(template_name, context), "text/html; charset=utf-8");
    res.set("Cache-Control", "no-cache");
    if (!req.param("lang").empty()) {
        res.set("Set-Cookie", "lang=" + lang(req) + "; Path=/; Max-Age=31536000; SameSite=Lax");
    }
    return res;
}

Response Site::Impl::cached_html(const Request& req, const std::string& key,
                                 const std::function<json()>& make_context,
                                 const std::string& template_name) {
    const std::string full_key = key + "|" + lang(req);
    const std::uint64_t gen = generation.load();
    const auto now = Clock::now();
    CachedPage page;
    {
        std::lock_guard lock(page_cache_mutex);
        if (auto it = page_cache.find(full_key);
            it != page_cache.end() && it->second.generation == gen &&
            now - it->second.made < std::chrono::seconds(page_cache_seconds)) {
            page = it->second;
        }
    }
    if (!page.html) {
        page.html = std::make_shared<const std::string>(templates.render(template_name, make_context()));
        page.etag = etag_of(*page.html);
        page.generation = gen;
        page.made = now;
        std::lock_guard lock(page_cache_mutex);
        if (page_cache.size() > 20000) page_cache.clear();
        page_cache[full_key] = page;
    }
    Response res;
    res.set("Content-Type", "text/html; charset=utf-8");
    res.set("Cache-Control", "no-cache");
    res.set("ETag", page.etag);
    res.set("Vary", "Cookie");
    if (!req.param("lang").empty()) {
        res.set("Set-Cookie", "lang=" + lang(req) + "; Path=/; Max-Age=31536000; SameSite=Lax");
    }
    if (etag_matches(req.header("if-none-match"), page.etag)) {
        res.status = 304;
        return res;
    }
    res.body = page.html;
    return res;
}

Response Site::Impl::error_page(const Request& req, int status, const std::string& code,
                                const std::string& message) {
    const std::string l = lang(req);
    json ctx = page_context(req, tr(l, "error_" + std::to_string(status)), "", req.path);
    ctx["status"] = status;
    ctx["code"] = code;
    ctx["message"] = message;
    ctx["heading"] = tr(l, "error_" + std::to_string(status));
    ctx["noindex"] = true;
    try {
        return html(req, "error", ctx, status);
    } catch (const std::exception& e) {
        Response res;
        res.status = status;
        res.text(message + "\n", "text/plain; charset=utf-8");
        return res;
    }
}

// --- shared helpers ---

Response json_response(const json& body, int status) {
    Response res;
    res.status = status;
    res.text(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json; charset=utf-8");
    res.set("Cache-Control", "no-cache");
    return res;
}

Response serve_file(const Request& req, const std::shared_ptr<const OpenFile>& file,
                    const std::string& content_type, const std::string& cache_control) {
    Response res;
    res.set("Content-Type", content_type);
    res.set("Cache-Control", cache_control);
    res.set("ETag", file->etag());
    res.set("Accept-Ranges", "bytes");
    if (etag_matches(req.header("if-none-match"), file->etag())) {
        res.status = 304;
        return res;
    }
    res.file = file;
    const std::string& range = req.header("range");
    const auto size = static_cast<std::size_t>(file->size());
    if (range.starts_with("bytes=") && range.find(',') == std::string::npos &&
        (req.header("if-range").empty() || req.header("if-range") == file->etag())) {
        const std::string_view spec = std::string_view(range).substr(6);
        const auto dash = spec.find('-');
        std::size_t first = 0, last = size - 1;
        bool ok = dash != std::string_view::npos && size > 0;
        auto number = [](std::string_view s, std::size_t& out) {
            const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
            return r.ec == std::errc{} && r.ptr == s.data() + s.size() && !s.empty();
        };
        if (ok) {
            const std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
            if (a.empty()) {  // the last b bytes
                std::size_t n = 0;
                ok = number(b, n) && n > 0;
                if (ok) first = n >= size ? 0 : size - n;
            } else {
                ok = number(a, first) && (b.empty() || number(b, last));
                if (ok && last >= size) last = size - 1;
                ok = ok && first <= last && first < size;
            }
        }
        if (!ok) {
            res.status = 416;
            res.file.reset();
            res.text("", "text/plain; charset=utf-8");
            res.set("Content-Range", fmt::format("bytes */{}", size));
            return res;
        }
        res.status = 206;
        res.offset = first;
        res.length = last - first + 1;
        res.set("Content-Range", fmt::format("bytes {}-{}/{}", first, last, size));
    }
    return res;
}

std::int64_t parse_id(const std::string& text) {
    std::int64_t id = 0;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), id);
    if (r.ec != std::errc{} || r.ptr != text.data() + text.size() || id <= 0 || text.starts_with('0')) {
        throw HttpError(404, "not_found", "no such number: " + text);
    }
    return id;
}

json fragments_json(const std::vector<search::Fragment>& fragments) {
    json out = json::array();
    for (const auto& f : fragments) out.push_back({{"text", f.text}, {"hit", f.hit}});
    return out;
}

std::int64_t id_param(const Request& req, const std::string& name) {
    try {
        return parse_id(req.param(name));
    } catch (const HttpError&) {
        throw HttpError(400, "bad_request", name + " must be a number, not '" + req.param(name) + "'");
    }
}

bool etag_matches(std::string_view header, std::string_view etag) {
    if (header.empty()) return false;
    while (!header.empty()) {
        const auto comma = header.find(',');
        std::string_view tag = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
        while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
        while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
        if (tag == "*") return true;
        if (tag.starts_with("W/")) tag.remove_prefix(2);  // weak comparison, as for GET
        if (tag == etag) return true;
    }
    return false;
}

long long int_param(const Request& req, const std::string& name, long long fallback, long long lo,
                    long long hi) {
    const std::string& v = req.param(name);
    if (v.empty()) return fallback;
    long long n = 0;
    const auto r = std::from_chars(v.data(), v.data() + v.size(), n);
    if (r.ec != std::errc{} || r.ptr != v.data() + v.size() || n < lo || n > hi) {
        throw HttpError(400, "bad_request",
                        fmt::format("{} must be a whole number from {} to {}", name, lo, hi));
    }
    return n;
}

std::string human_size(std::int64_t bytes) {
    if (bytes < 1024) return std::to_string(bytes) + "B";
    if (bytes < 1024 * 1024) return fmt::format("{:.2f}KB", static_cast<double>(bytes) / 1024);
    return fmt::format("{:.2f}MB", static_cast<double>(bytes) / (1024 * 1024));
}

std::string format_date(std::int64_t unix_seconds) {
    const std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

std::string mask_uploader(const std::string& name, const std::string& anonymous) {
    const std::u32string cps = decode_utf8(name);
    if (cps.empty()) return anonymous;
    std::string out;
    append_utf8(out, cps.front());
    out += "****";
    if (cps.size() > 1) append_utf8(out, cps.back());
    return out;
}

std::string upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string clean_file_name(const std::string& name) {
    std::string last = name;
    if (const auto slash = last.find_last_of("/\\"); slash != std::string::npos)
        last = last.substr(slash + 1);
    std::u32string cps = decode_utf8(last);
    std::u32string kept;
    for (char32_t c : cps) {
        if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x202e || c == 0x202d) continue;
        kept += c;
    }
    while (!kept.empty() && (kept.front() == U'.' || kept.front() == U' ')) kept.erase(0, 1);
    std::string out;
    for (char32_t c : kept) {
        std::string one;
        append_utf8(one, c);
        if (out.size() + one.size() > 200) break;
        out += one;
    }
    return out.empty() ? "upload" : out;
}

}  // namespace wenku::web
