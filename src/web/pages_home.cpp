// Listings: the home page (latest, most viewed, categories) and a category's page (its documents,
// sorted and paged).
#include "core/errors.h"
#include "web/errors.h"
#include "web/handlers.h"
#include "web/http_parsing.h"
#include "web/site_services.h"

namespace wenku::web::pages {
using nlohmann::json;

namespace {

json document_cards(SiteServices& site, const DocumentFilter& filter, const std::string& lang) {
    json cards = json::array();
    for (const auto& doc : site.repository.list_documents(filter))
        cards.push_back(site.page_data.card(doc, lang));
    return cards;
}

/// Each top category with its children and how many ready documents it holds.
json category_tree(SiteServices& site) {
    json tree = json::array();
    const auto all = site.categories.all();
    for (const Category& c : *all) {
        if (c.parent_id) continue;
        json children = json::array();
        for (const Category& child : *all) {
            if (child.parent_id == c.id)
                children.push_back({{"name", child.name}, {"url", category_url(child.id)}});
        }
        DocumentFilter in_category;
        in_category.status = DocumentStatus::ready;
        in_category.category_id = c.id;
        tree.push_back({{"name", c.name},
                        {"url", category_url(c.id)},
                        {"count", site.repository.count_documents(in_category)},
                        {"children", children}});
    }
    return tree;
}

/// The order a listing's ?sort= asks for: newest (also for none), views or downloads.
DocumentOrder listing_order(const std::string& sort) {
    if (sort == "views") return DocumentOrder::views;
    if (sort == "downloads") return DocumentOrder::downloads;
    if (sort != "newest") throw BadRequestError("sort must be newest, views or downloads");
    return DocumentOrder::newest;
}

}  // namespace

Response home(SiteServices& site, Request& req, const Params&) {
    return site.renderer.render_cached(
        req, "home",
        [&] {
            const std::string lang = site.translations.lang(req);
            json ctx = site.page_data.context(req, "", site.translations.tr(lang, "home_description"),
                                              std::string(home_path));
            ctx["title"] = site.config.site.name + " - " + site.translations.tr(lang, "tagline");
            DocumentFilter f;
            f.status = DocumentStatus::ready;
            f.limit = site.config.site.home_documents;
            ctx["latest"] = document_cards(site, f, lang);
            f.order = DocumentOrder::views;
            ctx["popular"] = document_cards(site, f, lang);
            ctx["categories"] = category_tree(site);
            DocumentFilter all_ready;
            all_ready.status = DocumentStatus::ready;
            ctx["total"] = site.translations.tr(
                lang, "library_total", {{"n", std::to_string(site.repository.count_documents(all_ready))}});
            return ctx;
        },
        "home");
}

Response category(SiteServices& site, Request& req, const Params& params) {
    const std::int64_t id = parse_id(params.at("id"));
    const auto chain = site.repository.category_chain(id);  // NotFoundError for none
    const std::string lang = site.translations.lang(req);
    const std::string sort = req.param("sort").empty() ? "newest" : req.param("sort");
    DocumentFilter f;
    f.status = DocumentStatus::ready;
    f.category_id = id;
    f.order = listing_order(sort);
    const int size = site.config.site.category_page_size;
    const int page = static_cast<int>(int_param(req, "page", 1, 1, 100000));
    f.limit = size;
    f.offset = (page - 1) * size;
    const std::int64_t total = site.repository.count_documents(f);

    json crumbs = site.page_data.breadcrumb(lang, chain);
    crumbs.back()["current"] = true;
    json children = json::array();
    for (const Category& c : *site.categories.all()) {
        if (c.parent_id == id) children.push_back({{"name", c.name}, {"url", category_url(c.id)}});
    }
    const std::string base = category_url(id);
    json sorts = json::array();
    for (const char* s : {"newest", "views", "downloads"}) {
        sorts.push_back({{"label", site.translations.tr(lang, std::string("sort_") + s)},
                         {"url", base + query_string({{"sort", std::string(s) == "newest" ? "" : s}})},
                         {"selected", sort == s}});
    }
    const std::string& name = chain.back().name;
    json ctx = site.page_data.context(
        req, name, site.translations.tr(lang, "category_description", {{"name", name}}), base);
    ctx["category"] = name;
    ctx["breadcrumb"] = crumbs;
    ctx["children"] = children;
    ctx["documents"] = document_cards(site, f, lang);
    ctx["total"] = site.translations.tr(lang, "documents_n", {{"n", std::to_string(total)}});
    ctx["sorts"] = sorts;
    ctx["pager"] = pager(base, {{"sort", sort == "newest" ? "" : sort}}, page, total, size);
    return site.renderer.render(req, "category", ctx);
}

}  // namespace wenku::web::pages
