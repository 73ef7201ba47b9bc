// Files: page previews and page text (only within the free-preview limit), covers, originals (as
// attachments) and the site's static files. Previews, covers and static files stay open in the
// file cache and go out with sendfile(2), with ETag/304 and Range/206.
#include <algorithm>
#include <cctype>

#include "core/conversion.h"
#include "core/errors.h"
#include "web/handlers.h"
#include "web/http_parsing.h"
#include "web/responses.h"
#include "web/site_services.h"

namespace wenku::web::files {
namespace fs = std::filesystem;

namespace {

constexpr const char* image_cache_control = "public, max-age=86400";

int readable_page(SiteServices& site, const Request& req, const Document& doc, const std::string& number);
std::string attachment_disposition(const std::string& clean_name);
std::string static_content_type(const std::string& name);

}  // namespace

Response preview(SiteServices& site, Request& req, const Params& params) {
    const auto doc = site.documents.ready(parse_id(params.at("id")));
    const int n = readable_page(site, req, *doc, params.at("n"));
    auto file = site.files.get(site.library.blobs().pages_dir(doc->sha256) / preview_file_name(n));
    if (!file) throw EnvironmentError("the preview of page " + std::to_string(n) + " is missing");
    return serve_file(req, file, "image/webp", image_cache_control);
}

Response page_text(SiteServices& site, Request& req, const Params& params) {
    const auto doc = site.documents.ready(parse_id(params.at("id")));
    const int n = readable_page(site, req, *doc, params.at("n"));
    auto page = site.repository.page(doc->id, n);
    if (!page) throw NotFoundError("no page " + std::to_string(n));
    Response res;
    res.text(std::move(page->text), "text/plain; charset=utf-8");
    res.set("Cache-Control", "public, max-age=3600");
    return res;
}

Response cover(SiteServices& site, Request& req, const Params& params) {
    const auto doc = site.documents.ready(parse_id(params.at("id")));
    if (site.access.free_pages(*doc) < 1) {
        // The cover is page 1: with no free page, a neutral placeholder stands in for it.
        auto placeholder = site.files.get(site.web_dir / locked_cover_file);
        if (!placeholder) throw EnvironmentError("web/" + std::string(locked_cover_file) + " is missing");
        return serve_file(req, placeholder, "image/svg+xml", image_cache_control);
    }
    auto file = site.files.get(site.library.blobs().pages_dir(doc->sha256) / cover_file_name);
    if (!file) throw EnvironmentError("the cover of №" + std::to_string(doc->id) + " is missing");
    return serve_file(req, file, "image/webp", image_cache_control);
}

Response download(SiteServices& site, Request& req, const Params& params) {
    const auto doc = site.documents.ready(parse_id(params.at("id")));
    if (doc->price > 0) {
        throw PaymentRequiredError(site.translations.tr(site.translations.lang(req), "download_price",
                                                        {{"price", std::to_string(doc->price)}}));
    }
    if (req.method == "GET") site.counts.add(doc->id, 0, 1);
    Response res;
    res.file = OpenFile::open(site.library.blobs().original_path(doc->sha256));  // not kept open: read rarely
    if (!res.file) throw EnvironmentError("the original of №" + std::to_string(doc->id) + " is missing");
    res.set("Content-Type", "application/octet-stream");
    res.set("Content-Disposition", attachment_disposition(clean_file_name(doc->original_name)));
    res.set("Cache-Control", "private, no-cache");
    return res;
}

Response static_file(SiteServices& site, Request& req, const Params& params) {
    const std::string& name = params.at("name");
    const bool safe =
        !name.empty() && name.front() != '.' && std::all_of(name.begin(), name.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
        });
    if (!safe) throw NotFoundError("no file " + name);
    auto file = site.files.get(site.web_dir / "static" / name);
    if (!file) throw NotFoundError("no file " + name);
    return serve_file(req, file, static_content_type(name), "public, max-age=3600");
}

Response favicon(SiteServices&, Request&, const Params&) {
    Response res;
    res.status = 301;
    res.set("Location", std::string(favicon_path));
    res.set("Cache-Control", "public, max-age=86400");
    return res;
}

namespace {

/// Page `number` of the document if the reader may see it; NotFoundError for a page it does not
/// have, ForbiddenError beyond_free_pages for one past the free preview.
int readable_page(SiteServices& site, const Request& req, const Document& doc, const std::string& number) {
    const std::int64_t n = parse_id(number);
    if (n > doc.page_count) throw NotFoundError("no page " + std::to_string(n));
    if (!site.access.may_read(req, doc, static_cast<int>(n))) {
        throw ForbiddenError(
            "beyond_free_pages",
            site.translations.tr(site.translations.lang(req), "locked_page", {{"n", std::to_string(n)}}));
    }
    return static_cast<int>(n);
}

/// Content-Disposition for sending a file as an attachment named `clean_name` (clean_file_name):
/// an ASCII fallback with '"', '\\' and non-ASCII bytes as '_', and the UTF-8 name (RFC 6266).
std::string attachment_disposition(const std::string& clean_name) {
    std::string ascii;
    for (char c : clean_name)
        ascii += (static_cast<unsigned char>(c) < 0x80 && c != '"' && c != '\\') ? c : '_';
    return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + percent_encode(clean_name);
}

std::string static_content_type(const std::string& name) {
    const std::string ext = fs::path(name).extension().string();
    if (ext == ".css") return "text/css; charset=utf-8";
    if (ext == ".js") return "text/javascript; charset=utf-8";
    if (ext == ".svg") return "image/svg+xml";
    if (ext == ".png") return "image/png";
    if (ext == ".webp") return "image/webp";
    return "application/octet-stream";
}

}  // namespace

}  // namespace wenku::web::files
