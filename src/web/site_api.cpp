// The JSON API (/api/...), described in web/openapi.json: documents (list, get, upload, status,
// pages), search and categories, with the site's limits and errors.
#include <fmt/format.h>

#include "core/conversion.h"
#include "core/errors.h"
#include "core/utf8.h"
#include "ingest/pipeline.h"
#include "web/errors.h"
#include "web/site_impl.h"

namespace wenku::web {

json Site::Impl::document_json(const Document& d) {
    const std::string sid = std::to_string(d.id);
    json j = {{"id", d.id},
              {"title", d.title},
              {"original_name", d.original_name},
              {"format", d.format},
              {"size_bytes", d.size_bytes},
              {"page_count", d.page_count},
              {"status", to_string(d.status)},
              {"uploader", mask_uploader(d.uploader, "")},
              {"price", d.price},
              {"free_pages", std::min(free_pages(d), d.page_count)},
              {"created_at", d.created_at},
              {"views", d.views},
              {"downloads", d.downloads},
              {"url", site_url + "/d/" + sid},
              {"cover_url", "/d/" + sid + "/cover.webp"},
              {"category", nullptr}};
    if (d.status == DocumentStatus::failed) j["error"] = d.error;
    if (d.category_id) {
        json chain = json::array();
        for (const Category& c : repo.category_chain(*d.category_id))
            chain.push_back({{"id", c.id}, {"name", c.name}});
        j["category"] = chain;
    }
    if (d.near_duplicate_of) j["near_duplicate_of"] = *d.near_duplicate_of;
    return j;
}

Response Site::Impl::api_documents(Request& req) {
    DocumentFilter f;
    f.status = DocumentStatus::ready;
    if (const auto& s = req.param("status"); !s.empty()) {
        if (s == "all")
            f.status.reset();
        else
            f.status = document_status_from_string(s);  // UsageError → 400
    }
    if (!req.param("category").empty()) f.category_id = id_param(req, "category");
    const std::string& sort = req.param("sort");
    if (sort == "views")
        f.order = DocumentOrder::views;
    else if (sort == "downloads")
        f.order = DocumentOrder::downloads;
    else if (!sort.empty() && sort != "newest")
        throw BadRequestError("sort must be newest, views or downloads");
    const int per_page = static_cast<int>(int_param(req, "per_page", 20, 1, 100));
    const int page = static_cast<int>(int_param(req, "page", 1, 1, 100000));
    f.limit = per_page;
    f.offset = (page - 1) * per_page;
    json docs = json::array();
    for (const auto& d : repo.list_documents(f)) docs.push_back(document_json(d));
    return json_response(
        {{"total", repo.count_documents(f)}, {"page", page}, {"per_page", per_page}, {"documents", docs}});
}

Response Site::Impl::api_document(Request&, const Params& p) {
    const std::int64_t id = parse_id(p.at("id"));
    auto doc = document(id);
    if (!doc) throw NotFoundError("no document №" + std::to_string(id));
    return json_response(document_json(*doc));
}

Response Site::Impl::api_status(Request&, const Params& p) {
    const std::int64_t id = parse_id(p.at("id"));
    auto doc = repo.find_document(id);  // not the cache: callers poll for changes
    if (!doc) throw NotFoundError("no document №" + std::to_string(id));
    json j = {{"id", id},
              {"status", to_string(doc->status)},
              {"page_count", doc->page_count},
              {"title", doc->title},
              {"url", "/d/" + std::to_string(id)}};
    if (doc->status == DocumentStatus::failed) j["error"] = doc->error;
    if (doc->status == DocumentStatus::queued) j["queued"] = repo.count_queued_jobs();
    auto res = json_response(j);
    res.set("Cache-Control", "no-store");
    return res;
}

Response Site::Impl::api_pages(Request& req, const Params& p) {
    auto doc = ready_document(p.at("id"));
    const std::string sid = std::to_string(doc->id);
    const bool with_text = req.param("text") == "1";
    json pages = json::array();
    for (const Page& pg : repo.pages(doc->id)) {
        const bool readable = may_read(req, *doc, pg.number);
        const std::string n = std::to_string(pg.number);
        json j = {
            {"number", pg.number}, {"width", pg.width_px}, {"height", pg.height_px}, {"readable", readable}};
        if (readable) {
            j["preview_url"] = "/d/" + sid + "/page/" + n + ".webp";
            j["text_url"] = "/d/" + sid + "/page/" + n + ".txt";
            if (with_text) j["text"] = pg.text;
        }
        pages.push_back(std::move(j));
    }
    return json_response({{"id", doc->id},
                          {"page_count", doc->page_count},
                          {"free_pages", std::min(free_pages(*doc), doc->page_count)},
                          {"pages", pages}});
}

Response Site::Impl::api_upload(Request& req) {
    if (!uploads_enabled) throw ForbiddenError("uploads_closed", tr(lang(req), "uploads_closed"));
    std::string name = req.param("name");
    if (name.empty()) name = req.header("x-file-name");
    if (auto decoded = percent_decode(name, false);
        decoded && !req.header("x-file-name").empty() && req.param("name").empty()) {
        name = *decoded;  // the header carries the name percent-encoded (headers are not UTF-8)
    }
    if (name.empty()) throw BadRequestError("name the file: ?name=… or an X-File-Name header");
    if (req.body_file.empty() || req.body_size == 0) {
        throw InputError(error_code::empty, "the upload is empty: send the file as the request body");
    }
    AddOptions options;
    options.original_name = clean_file_name(name);
    if (const auto& t = req.param("title"); !t.empty()) {
        const std::u32string cps = decode_utf8(t);
        options.title = encode_utf8(std::u32string_view(cps).substr(0, 200));  // at most 200 characters
    }
    if (!req.param("category").empty()) {
        const std::int64_t cid = id_param(req, "category");
        std::string path;
        for (const Category& part : repo.category_chain(cid)) path += (path.empty() ? "" : "/") + part.name;
        options.category = path;
    }
    const std::int64_t id = enqueue_file(library, req.body_file, options);
    ++generation;
    if (wake_converter) wake_converter();
    const std::string sid = std::to_string(id);
    auto res = json_response({{"id", id},
                              {"status", "queued"},
                              {"original_name", options.original_name},
                              {"url", "/d/" + sid},
                              {"status_url", "/api/documents/" + sid + "/status"}},
                             201);
    res.set("Location", "/api/documents/" + sid);
    return res;
}

Response Site::Impl::api_search(Request& req) {
    search::SearchRequest sr;
    sr.query = req.param("q");
    if (sr.query.empty()) throw BadRequestError("q is required");
    const int per_page = static_cast<int>(int_param(req, "per_page", 10, 1, 50));
    const int page = static_cast<int>(int_param(req, "page", 1, 1, 1000));
    sr.offset = static_cast<std::size_t>((page - 1) * per_page);
    sr.limit = static_cast<std::size_t>(per_page);
    sr.facets = req.param("facets") == "1";
    sr.format = req.param("format");
    if (!req.param("category").empty()) sr.category_id = id_param(req, "category");
    if (const auto& s = req.param("sort"); !s.empty()) sr.sort = search::search_sort_from_string(s);
    const auto found = cached_search(req, sr, true);
    const search::SearchResults& results = found->results;
    json hits = json::array();
    for (const auto& h : results.hits) {
        const std::string sid = std::to_string(h.document_id), n = std::to_string(h.page);
        hits.push_back({{"id", h.document_id},
                        {"title", h.title},
                        {"title_fragments", fragments_json(h.title_fragments)},
                        {"pages", h.pages},
                        {"page", h.page},
                        {"snippet", fragments_json(h.snippet)},
                        {"url", "/d/" + sid + "/read?page=" + n + "#p" + n}});
    }
    json j = {{"total", results.total}, {"total_exact", results.total_exact}, {"page", page},
              {"per_page", per_page},   {"query", results.canonical_query},   {"hits", hits}};
    if (sr.facets) {
        json cats = json::object(), formats = json::object();
        for (const auto& [c, n] : results.categories) cats[std::to_string(c)] = n;
        for (const auto& [f, n] : results.formats) formats[f] = n;
        j["facets"] = {{"categories", cats}, {"formats", formats}};
    }
    return json_response(j);
}

Response Site::Impl::api_categories(Request&) {
    json out = json::array();
    for (const Category& c : *categories()) {
        DocumentFilter f;
        f.status = DocumentStatus::ready;
        f.category_id = c.id;
        out.push_back({{"id", c.id},
                       {"parent_id", c.parent_id ? json(*c.parent_id) : json(nullptr)},
                       {"name", c.name},
                       {"documents", repo.count_documents(f)},
                       {"url", "/c/" + std::to_string(c.id)}});
    }
    return json_response({{"categories", out}});
}

Response Site::Impl::api_openapi(Request& req) {
    auto file = files.get(web_dir / "openapi.json");
    if (!file) throw EnvironmentError("web/openapi.json is missing");
    return serve_file(req, file, "application/json; charset=utf-8", "public, max-age=3600");
}

}  // namespace wenku::web
