// The JSON API's documents (web/openapi.json): the list, one document, an upload, its conversion
// status, its pages (within the free-preview limit).
#include <algorithm>

#include "core/conversion.h"
#include "core/errors.h"
#include "core/utf8.h"
#include "ingest/enqueue.h"
#include "web/display.h"
#include "web/errors.h"
#include "web/handlers.h"
#include "web/http_parsing.h"
#include "web/responses.h"
#include "web/site_services.h"

namespace wenku::web::api {
using nlohmann::json;

namespace {

constexpr std::size_t title_chars = 200;  // an upload's ?title=, at most

json document_json(SiteServices& site, const Document& doc);
DocumentOrder list_order(const std::string& sort);
std::string upload_name(const Request& req);

}  // namespace

Response list_documents(SiteServices& site, Request& req, const Params&) {
    DocumentFilter f;
    f.status = DocumentStatus::ready;
    if (const auto& s = req.param("status"); !s.empty()) {
        if (s == "all")
            f.status.reset();
        else
            f.status = document_status_from_string(s);  // UsageError for another
    }
    if (!req.param("category").empty()) f.category_id = id_param(req, "category");
    f.order = list_order(req.param("sort"));
    const int per_page = static_cast<int>(int_param(req, "per_page", 20, 1, 100));
    const int page = static_cast<int>(int_param(req, "page", 1, 1, 100000));
    f.limit = per_page;
    f.offset = (page - 1) * per_page;
    json docs = json::array();
    for (const auto& d : site.repository.list_documents(f)) docs.push_back(document_json(site, d));
    return json_response({{"total", site.repository.count_documents(f)},
                          {"page", page},
                          {"per_page", per_page},
                          {"documents", docs}});
}

Response document(SiteServices& site, Request&, const Params& params) {
    const std::int64_t id = parse_id(params.at("id"));
    const auto doc = site.documents.find(id);
    if (!doc) throw NotFoundError("no document №" + std::to_string(id));
    return json_response(document_json(site, *doc));
}

void admit_upload(SiteServices& site, const Request& req, std::uint64_t bytes) {
    const std::string lang = site.translations.lang(req);
    if (!site.config.site.uploads)
        throw ForbiddenError("uploads_closed", site.translations.tr(lang, "uploads_closed"));
    if (req.principal.anonymous() && !site.config.accounts.anonymous_uploads)
        throw LoginRequiredError(site.translations.tr(lang, "upload_login_required"));
    if (auto ban = req.principal.ban(BanAction::upload, accounts::now_seconds()))
        throw ForbiddenError("banned", site.translations.tr(lang, "banned_upload") + " " + ban->reason);
    if (auto refusal = site.library.upload_refusal(req.remote_ip, bytes)) throw *refusal;
}

Response upload(SiteServices& site, Request& req, const Params&) {
    admit_upload(site, req, req.body_size);  // judged on the header before; now on what came
    const std::string name = upload_name(req);
    if (name.empty()) throw BadRequestError("name the file: ?name=… or an X-File-Name header");
    if (req.body_file.empty() || req.body_size == 0) {
        throw InputError(error_code::empty, "the upload is empty: send the file as the request body");
    }
    AddOptions options;
    options.original_name = clean_file_name(name);
    if (!req.principal.anonymous()) {
        options.uploader = req.principal.name;
        options.uploader_id = req.principal.user_id;
    }
    if (const auto& t = req.param("title"); !t.empty()) {
        options.title = encode_utf8(std::u32string_view(decode_utf8(t)).substr(0, title_chars));
    }
    if (!req.param("category").empty()) {
        std::string path;
        for (const Category& part : site.repository.category_chain(id_param(req, "category")))
            path += (path.empty() ? "" : "/") + part.name;
        options.category = path;
    }
    const std::int64_t id = enqueue_file(site.library, req.body_file, options);
    site.library.count_upload(req.remote_ip, req.body_size);
    site.generation.advance();
    if (site.wake_converter) site.wake_converter();
    auto res = json_response({{"id", id},
                              {"status", "queued"},
                              {"original_name", options.original_name},
                              {"url", document_url(id)},
                              {"status_url", api_document_status_url(id)}},
                             201);
    res.set("Location", api_document_url(id));
    return res;
}

Response status(SiteServices& site, Request&, const Params& params) {
    const std::int64_t id = parse_id(params.at("id"));
    const auto doc = site.repository.find_document(id);  // not the cache: callers poll for changes
    if (!doc) throw NotFoundError("no document №" + std::to_string(id));
    json j = {{"id", id},
              {"status", to_string(doc->status)},
              {"page_count", doc->page_count},
              {"title", doc->title},
              {"url", document_url(id)}};
    if (doc->status == DocumentStatus::failed) j["error"] = doc->error;
    if (doc->status == DocumentStatus::queued) j["queued"] = site.repository.count_queued_jobs();
    auto res = json_response(j);
    res.set("Cache-Control", "no-store");
    return res;
}

Response pages(SiteServices& site, Request& req, const Params& params) {
    const auto doc = site.documents.ready(parse_id(params.at("id")));
    const bool with_text = req.param("text") == "1";
    json pages = json::array();
    for (const Page& pg : site.repository.pages(doc->id)) {
        const bool readable = site.access.may_read(req, *doc, pg.number);
        // A locked page is only its number: nothing derived from it (size, text) is given.
        json j = {{"number", pg.number}, {"readable", readable}};
        if (readable) {
            j["width"] = pg.width_px;
            j["height"] = pg.height_px;
            j["preview_url"] = preview_url(doc->id, pg.number);
            j["text_url"] = page_text_url(doc->id, pg.number);
            if (with_text) j["text"] = pg.text;
        }
        pages.push_back(std::move(j));
    }
    return json_response({{"id", doc->id},
                          {"page_count", doc->page_count},
                          {"free_pages", std::min(site.access.free_pages(*doc), doc->page_count)},
                          {"pages", pages}});
}

namespace {

/// A document as the API shows it: metadata, masked uploader, free pages, addresses, category path.
json document_json(SiteServices& site, const Document& d) {
    json j = {{"id", d.id},
              {"title", d.title},
              {"original_name", d.original_name},
              {"format", d.format},
              {"size_bytes", d.size_bytes},
              {"page_count", d.page_count},
              {"status", to_string(d.status)},
              {"uploader", mask_uploader(d.uploader, "")},
              {"price", d.price},
              {"free_pages", std::min(site.access.free_pages(d), d.page_count)},
              {"created_at", d.created_at},
              {"views", d.views},
              {"downloads", d.downloads},
              {"url", absolute_url(site.config.site.url, document_url(d.id))},
              {"cover_url", cover_url(d.id)},
              {"category", nullptr}};
    if (d.status == DocumentStatus::failed) j["error"] = d.error;
    if (d.category_id) {
        json chain = json::array();
        for (const Category& c : site.repository.category_chain(*d.category_id))
            chain.push_back({{"id", c.id}, {"name", c.name}});
        j["category"] = chain;
    }
    if (d.near_duplicate_of) j["near_duplicate_of"] = *d.near_duplicate_of;
    return j;
}

/// The order ?sort= asks for: newest (also for none), views or downloads; BadRequestError for another.
DocumentOrder list_order(const std::string& sort) {
    if (sort == "views") return DocumentOrder::views;
    if (sort == "downloads") return DocumentOrder::downloads;
    if (!sort.empty() && sort != "newest") throw BadRequestError("sort must be newest, views or downloads");
    return DocumentOrder::newest;
}

/// The uploaded file's name: ?name=, else the X-File-Name header, percent-decoded (headers are not
/// UTF-8) unless it does not decode.
std::string upload_name(const Request& req) {
    if (const std::string& name = req.param("name"); !name.empty()) return name;
    const std::string& header = req.header("x-file-name");
    if (header.empty()) return "";
    return percent_decode(header, false).value_or(header);
}

}  // namespace

}  // namespace wenku::web::api
