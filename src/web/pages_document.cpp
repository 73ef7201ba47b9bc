// A document: its page (metadata, actions, the free pages' previews, 资源描述, 相关资源, 猜你喜欢,
// 相关搜索; a notice while it converts) and the reader, which opens it at a page.
#include <algorithm>
#include <cstdlib>
#include <set>

#include "core/description.h"
#include "core/errors.h"
#include "core/utf8.h"
#include "web/display.h"
#include "web/handlers.h"
#include "web/http_parsing.h"
#include "web/site_services.h"

namespace wenku::web::pages {
using nlohmann::json;

namespace {

constexpr std::size_t description_segments_shown = 3;  // the rest behind 展开阅读全文
constexpr std::size_t meta_description_chars = 150;
constexpr int guess_candidates_per_guess = 3;  // most viewed documents fetched for each 猜你喜欢 place

Response converting(SiteServices& site, Request& req, const Document& doc);
json document_context(SiteServices& site, Request& req, const Document& doc);

}  // namespace

Response document(SiteServices& site, Request& req, const Params& params) {
    const std::int64_t id = parse_id(params.at("id"));
    auto doc = site.documents.find(id);
    if (!doc || doc->status == DocumentStatus::failed)
        throw NotFoundError("no document №" + std::to_string(id));
    if (doc->status != DocumentStatus::ready) return converting(site, req, *doc);
    Response res = site.renderer.render_cached(
        req, "d" + std::to_string(id), [&] { return document_context(site, req, *doc); }, "document");
    site.counts.add(id, 1, 0);  // once the page is made: an answer from memory may need work after all
    return res;
}

Response reader(SiteServices& site, Request& req, const Params& params) {
    const auto doc = site.documents.ready(parse_id(params.at("id")));
    const Document& d = *doc;
    const std::string lang = site.translations.lang(req);
    const int at = static_cast<int>(int_param(req, "page", 1, 1, 1000000));
    if (at > d.page_count) throw NotFoundError("no page " + std::to_string(at));
    const int free = std::min(site.access.free_pages(d), d.page_count);
    const std::string total = std::to_string(d.page_count);
    json pages = json::array();
    for (const Page& pg : site.repository.pages(d.id)) {
        if (pg.number > free) break;
        json figure = site.page_data.figure(d, pg, lang);
        figure["current"] = pg.number == at;
        figure["eager"] = std::abs(pg.number - at) <= 1;
        pages.push_back(std::move(figure));
    }
    const std::string title =
        d.title + " " + site.translations.tr(lang, "page_of", {{"n", std::to_string(at)}, {"m", total}});
    json ctx = site.page_data.context(req, title, "", read_url(d.id));
    ctx["doc"] = site.page_data.card(d, lang);
    ctx["pages"] = pages;
    ctx["at"] = at;
    if (at > free) ctx["locked_at"] = site.translations.tr(lang, "locked_page", {{"n", std::to_string(at)}});
    if (d.page_count > free) ctx["notice"] = site.translations.tr(lang, "free_notice", {{"m", total}});
    ctx["noindex"] = true;
    return site.renderer.render(req, "reader", ctx);
}

namespace {

/// A document still queued or converting: a page that says so and polls its status.
Response converting(SiteServices& site, Request& req, const Document& doc) {
    const std::string name = doc.title.empty() ? doc.original_name : doc.title;
    json ctx = site.page_data.context(req, name, "", document_url(doc.id));
    ctx["heading"] = name;
    ctx["converting"] = site.translations.tr(site.translations.lang(req), "converting_notice");
    ctx["noindex"] = true;
    ctx["status_url"] = api_document_status_url(doc.id);
    return site.renderer.render(req, "converting", ctx);
}

/// 相关资源: documents like this one, ready, each shown once (`shown` collects them).
json related_cards(SiteServices& site, const Document& doc, const std::string& lang,
                   std::set<std::int64_t>& shown) {
    json cards = json::array();
    const auto count = static_cast<std::size_t>(site.config.site.related_documents);
    for (std::int64_t r : search::related_documents(site.repository, site.search.index(), doc.id, count)) {
        if (auto rd = site.documents.find(r);
            rd && rd->status == DocumentStatus::ready && shown.insert(r).second) {
            cards.push_back(site.page_data.card(*rd, lang));
        }
    }
    return cards;
}

/// 猜你喜欢: the most viewed documents of its category, then of the library, not shown yet.
json guess_cards(SiteServices& site, const Document& doc, const std::string& lang,
                 std::set<std::int64_t>& shown) {
    json cards = json::array();
    const auto wanted = static_cast<std::size_t>(site.config.site.guess_documents);
    DocumentFilter f;
    f.status = DocumentStatus::ready;
    f.order = DocumentOrder::views;
    f.limit = site.config.site.guess_documents * guess_candidates_per_guess;
    if (doc.category_id) f.category_id = doc.category_id;
    for (int round = 0; round < 2 && cards.size() < wanted; ++round) {
        for (const auto& g : site.repository.list_documents(f)) {
            if (cards.size() >= wanted) break;
            if (shown.insert(g.id).second) cards.push_back(site.page_data.card(g, lang));
        }
        f.category_id.reset();
    }
    return cards;
}

/// 相关搜索: searches that led to the document, then its key terms (SearchService::document_searches).
json related_searches(SiteServices& site, std::int64_t id) {
    json searches = json::array();
    for (const auto& q :
         site.search.document_searches(id, static_cast<std::size_t>(site.config.site.related_searches)))
        searches.push_back({{"q", q}, {"url", search_url(q)}});
    return searches;
}

/// The document's key terms (关键词): all that a search can match of its locked pages, so shown.
json keywords(SiteServices& site, std::int64_t id) {
    json out = json::array();
    for (const auto& [term, weight] : site.search.index().key_terms(id, site.config.search.key_terms))
        out.push_back({{"q", term}, {"url", search_url(term)}});
    return out;
}

/// What the document page's template shows of a ready document. Only the free pages' previews are
/// shown; their text in 资源描述 and the meta description, or every page's with site.public_text = all.
json document_context(SiteServices& site, Request& req, const Document& d) {
    const std::string lang = site.translations.lang(req);
    const auto pages = site.repository.pages(d.id);
    const int free = std::min(site.access.free_pages(d), d.page_count);
    const std::string total = std::to_string(d.page_count);

    json previews = json::array();
    for (const Page& pg : pages) {
        if (pg.number > free) break;
        previews.push_back(site.page_data.figure(d, pg, lang));
        previews.back()["eager"] = pg.number == 1;
    }
    const std::size_t described =
        site.config.site.public_text_all ? pages.size() : static_cast<std::size_t>(free);
    const std::vector<Page> readable(pages.begin(), pages.begin() + std::min(pages.size(), described));
    json description = json::array(), more = json::array();
    std::string meta;
    for (const auto& seg : describe(readable, site.config.description.chars_per_page)) {
        json item = {{"n", seg.page}, {"text", seg.text}};
        (description.size() < description_segments_shown ? description : more).push_back(item);
        if (meta.size() < 400) meta += seg.text + " ";
    }
    std::set<std::int64_t> shown{d.id};
    json related = related_cards(site, d, lang, shown);
    json guess = guess_cards(site, d, lang, shown);
    json crumbs = site.page_data.breadcrumb(
        lang, d.category_id ? site.repository.category_chain(*d.category_id) : std::vector<Category>{});

    json ctx =
        site.page_data.context(req, d.title, first_chars(meta, meta_description_chars), document_url(d.id));
    ctx["og_image"] =
        absolute_url(site.config.site.url, free > 0 ? cover_url(d.id) : std::string(locked_cover_path));
    ctx["og_type"] = "article";
    json card = site.page_data.card(d, lang);
    card["uploader"] = mask_uploader(d.uploader, site.translations.tr(lang, "anonymous"));
    card["price"] = d.price;
    card["free"] = d.price == 0;
    ctx["doc"] = card;
    ctx["previews"] = previews;
    if (d.page_count > free) {
        ctx["notice"] = site.translations.tr(lang, "free_notice", {{"m", total}});
        ctx["remaining"] =
            site.translations.tr(lang, "remaining_pages", {{"n", std::to_string(d.page_count - free)}});
    }
    ctx["segments"] = description;
    ctx["segments_more"] = more;
    ctx["keywords"] = keywords(site, d.id);
    ctx["related"] = related;
    ctx["guess"] = guess;
    ctx["related_searches"] = related_searches(site, d.id);
    ctx["breadcrumb"] = crumbs;
    ctx["read_url"] = read_url(d.id);
    return ctx;
}

}  // namespace

}  // namespace wenku::web::pages
