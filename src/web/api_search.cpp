// The JSON API's search, categories and its own description (web/openapi.json).
#include <fmt/format.h>

#include "core/errors.h"
#include "web/display.h"
#include "web/errors.h"
#include "web/handlers.h"
#include "web/http_parsing.h"
#include "web/responses.h"
#include "web/site_services.h"

namespace wenku::web::api {
using nlohmann::json;

namespace {
std::string search_json(const search::SearchResults& results, int page, int per_page, bool facets);
}  // namespace

Response search(SiteServices& site, Request& req, const Params&) {
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
    if (const auto& s = req.param("sort"); !s.empty())
        sr.sort = search::search_sort_from_string(s);  // UsageError
    const auto found = site.search.search(req, sr);
    // The body follows from the results and the parameters, all of them in the key.
    const std::string key = fmt::format(
        "{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}", site.search.index_revision(), sr.query, page,
        per_page, static_cast<int>(sr.sort), sr.facets, sr.category_id.value_or(0), sr.format);
    const auto body = site.api_searches.get(key, [&] {
        return std::make_shared<const std::string>(search_json(found->results, page, per_page, sr.facets));
    });
    Response res;
    res.body = body;
    res.set("Content-Type", "application/json; charset=utf-8");
    res.set("Cache-Control", "no-cache");
    site.search.log(req, sr, *found);  // once the answer is made: see SearchService::log
    return res;
}

Response categories(SiteServices& site, Request&, const Params&) {
    json out = json::array();
    for (const Category& c : *site.categories.all()) {
        DocumentFilter f;
        f.status = DocumentStatus::ready;
        f.category_id = c.id;
        out.push_back({{"id", c.id},
                       {"parent_id", c.parent_id ? json(*c.parent_id) : json(nullptr)},
                       {"name", c.name},
                       {"documents", site.repository.count_documents(f)},
                       {"url", category_url(c.id)}});
    }
    return json_response({{"categories", out}});
}

Response openapi(SiteServices& site, Request& req, const Params&) {
    auto file = site.files.get(site.web_dir / "openapi.json");
    if (!file) throw EnvironmentError("web/openapi.json is missing");
    return serve_file(req, file, "application/json; charset=utf-8", "public, max-age=3600");
}

namespace {

/// The search API's answer: the hits with their pages and snippets, and the facets when asked.
std::string search_json(const search::SearchResults& results, int page, int per_page, bool facets) {
    json hits = json::array();
    for (const auto& h : results.hits) {
        hits.push_back({{"id", h.document_id},
                        {"title", h.title},
                        {"title_fragments", fragments_json(h.title_fragments)},
                        {"pages", h.pages},
                        {"page", h.page},
                        {"snippet", fragments_json(h.snippet)},
                        {"url", read_url(h.document_id, h.page)}});
    }
    json j = {{"total", results.total}, {"total_exact", results.total_exact}, {"page", page},
              {"per_page", per_page},   {"query", results.canonical_query},   {"hits", hits}};
    if (facets) {
        json categories = json::object(), formats = json::object();
        for (const auto& [c, n] : results.categories) categories[std::to_string(c)] = n;
        for (const auto& [f, n] : results.formats) formats[f] = n;
        j["facets"] = {{"categories", categories}, {"formats", formats}};
    }
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

}  // namespace wenku::web::api
