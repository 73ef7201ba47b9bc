// The search page: results with highlighted snippets (none from pages the reader may not see),
// format and category facets, sorts, pages, 相关搜索. Results come from the search service's cache,
// the page from the page cache.
#include <map>

#include "web/display.h"
#include "web/handlers.h"
#include "web/http_parsing.h"
#include "web/site_services.h"

namespace wenku::web::pages {
using nlohmann::json;

namespace {

constexpr std::size_t hit_pages_shown = 12;  // "also on page …" links of one hit

/// What the search page was asked: its parameters as given.
struct SearchPageQuery {
    std::string q, format, category, sort;
    int page = 1;

    /// The search page with these parameters but the given facets and sort (no page).
    std::string link(const std::string& f, const std::string& c, const std::string& s) const {
        return search_url({{"q", q}, {"format", f}, {"category", c}, {"sort", s == "relevance" ? "" : s}});
    }
};

json search_context(SiteServices& site, const Request& req, const SearchPageQuery& query,
                    const SearchOutcome* found);

}  // namespace

Response search(SiteServices& site, Request& req, const Params&) {
    SearchPageQuery query{req.param("q"), req.param("format"), req.param("category"),
                          req.param("sort").empty() ? "relevance" : req.param("sort")};
    query.page = static_cast<int>(int_param(req, "page", 1, 1, 1000));
    // The request is checked and the search made (or found in the cache) before the page is
    // taken from the page cache.
    std::shared_ptr<const SearchOutcome> found;
    search::SearchRequest sr;
    if (!query.q.empty()) {
        const int size = site.config.site.search_page_size;
        sr.query = query.q;
        sr.offset = static_cast<std::size_t>((query.page - 1) * size);
        sr.limit = static_cast<std::size_t>(size);
        sr.facets = true;
        sr.format = query.format;
        sr.sort = search::search_sort_from_string(query.sort);  // UsageError for another
        if (!query.category.empty()) sr.category_id = id_param(req, "category");
        found = site.search.search(req, sr);
    }
    // Like the search results, the rendered page is kept per index revision (search_service.h).
    const std::string key = "s" + site.search.index_revision() +
                            query_string({{"q", query.q},
                                          {"format", query.format},
                                          {"category", query.category},
                                          {"sort", query.sort},
                                          {"page", std::to_string(query.page)}});
    Response res = site.renderer.render_cached(
        req, key, [&] { return search_context(site, req, query, found.get()); }, "search");
    if (found) site.search.log(req, sr, *found);  // once the page is made: see SearchService::log
    return res;
}

namespace {

json hit_list(SiteServices& site, const std::string& lang, const search::SearchResults& results) {
    json hits = json::array();
    for (const auto& h : results.hits) {
        const auto doc = site.documents.find(h.document_id);
        const std::string n = std::to_string(h.page);
        json pages = json::array();
        for (std::size_t i = 0; i < h.pages.size() && i < hit_pages_shown; ++i) {
            pages.push_back({{"n", h.pages[i]}, {"url", read_url(h.document_id, h.pages[i])}});
        }
        const std::string page_count =
            doc ? site.translations.tr(lang, "pages_n", {{"n", std::to_string(doc->page_count)}}) : "";
        hits.push_back({{"url", read_url(h.document_id, h.page)},
                        {"doc_url", document_url(h.document_id)},
                        {"title", fragments_json(h.title_fragments)},
                        {"snippet", fragments_json(h.snippet)},
                        {"locked", h.snippet.empty()},
                        {"locked_label", site.translations.tr(lang, "hit_locked", {{"n", n}})},
                        {"page_label", site.translations.tr(lang, "hit_page", {{"n", n}})},
                        {"pages", pages},
                        {"format", doc ? upper(doc->format) : ""},
                        {"page_count", page_count},
                        {"cover", cover_url(h.document_id)}});
    }
    return hits;
}

json format_facets(SiteServices& site, const std::string& lang, const SearchPageQuery& query,
                   const search::SearchResults& results) {
    json formats = json::array({{{"name", site.translations.tr(lang, "all")},
                                 {"url", query.link("", query.category, query.sort)},
                                 {"selected", query.format.empty()}}});
    for (const auto& [f, count] : results.formats) {
        formats.push_back({{"name", upper(f)},
                           {"count", count},
                           {"url", query.link(f, query.category, query.sort)},
                           {"selected", f == query.format}});
    }
    return formats;
}

json category_facets(SiteServices& site, const std::string& lang, const SearchPageQuery& query,
                     const search::SearchResults& results) {
    std::map<std::int64_t, std::string> names;
    for (const Category& c : *site.categories.all()) names[c.id] = c.name;
    json cats = json::array({{{"name", site.translations.tr(lang, "all")},
                              {"url", query.link(query.format, "", query.sort)},
                              {"selected", query.category.empty()}}});
    for (const auto& [c, count] : results.categories) {
        const std::string id = std::to_string(c);
        cats.push_back({{"name", names.count(c) ? names[c] : id},
                        {"count", count},
                        {"url", query.link(query.format, id, query.sort)},
                        {"selected", id == query.category}});
    }
    return cats;
}

json search_context(SiteServices& site, const Request& req, const SearchPageQuery& query,
                    const SearchOutcome* found) {
    const std::string lang = site.translations.lang(req);
    const std::string search_word = site.translations.tr(lang, "search");
    json ctx = site.page_data.context(req, query.q.empty() ? search_word : query.q + " - " + search_word, "",
                                      search_url(query.q));
    ctx["noindex"] = true;
    ctx["q"] = query.q;  // the cache key holds it
    ctx["search_page"] = true;
    ctx["searched"] = !query.q.empty();
    if (!found) return ctx;
    const search::SearchResults& results = found->results;
    json sorts = json::array();
    for (const char* s : {"relevance", "newest", "downloads", "views"}) {
        sorts.push_back({{"label", site.translations.tr(lang, std::string("sort_") + s)},
                         {"url", query.link(query.format, query.category, s)},
                         {"selected", query.sort == s}});
    }
    json suggestions = json::array();
    for (const auto& s : found->related) suggestions.push_back({{"q", s}, {"url", search_url(s)}});
    ctx["hits"] = hit_list(site, lang, results);
    ctx["total"] =
        site.translations.tr(lang, "results_n", {{"n", std::to_string(results.total)}, {"q", query.q}});
    ctx["none"] = results.total == 0;
    ctx["formats"] = format_facets(site, lang, query, results);
    ctx["facet_categories"] = category_facets(site, lang, query, results);
    ctx["sorts"] = sorts;
    ctx["related_searches"] = suggestions;
    ctx["pager"] = pager(std::string(search_path),
                         {{"q", query.q},
                          {"format", query.format},
                          {"category", query.category},
                          {"sort", query.sort == "relevance" ? "" : query.sort}},
                         query.page, results.total, site.config.site.search_page_size);
    return ctx;
}

}  // namespace

}  // namespace wenku::web::pages
