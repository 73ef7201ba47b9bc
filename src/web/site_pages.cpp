// The site's pages and files: home, categories, the document page, the reader, search, upload,
// share, report; previews, page text, covers, originals, static files; robots.txt, sitemap.xml,
// /healthz and /metrics.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/conversion.h"
#include "core/description.h"
#include "core/errors.h"
#include "core/markup.h"
#include "core/utf8.h"
#include "search/suggest.h"
#include "web/errors.h"
#include "web/qr.h"
#include "web/site_impl.h"

namespace wenku::web {
namespace fs = std::filesystem;

namespace {

constexpr int per_page = 20;
const std::vector<std::string> report_reasons{"copyright", "illegal", "privacy", "spam", "other"};

/// A query string from name/value pairs, empty values left out.
std::string query_string(const std::vector<std::pair<std::string, std::string>>& pairs) {
    std::string out;
    for (const auto& [name, value] : pairs) {
        if (value.empty()) continue;
        out += out.empty() ? "?" : "&";
        out += name + "=" + percent_encode(value);
    }
    return out;
}

/// The first `n` code points of `text`.
std::string first_chars(const std::string& text, std::size_t n) {
    const std::u32string cps = decode_utf8(text);
    if (cps.size() <= n) return text;
    return encode_utf8(std::u32string_view(cps).substr(0, n)) + "…";
}

/// Previous and next links of a listing of `total` items, `size` a page.
json pager(const std::string& base, const std::vector<std::pair<std::string, std::string>>& params, int page,
           std::int64_t total, int size) {
    const int pages = static_cast<int>((total + size - 1) / size);
    json p = {{"page", page}, {"pages", pages}, {"show", pages > 1}};
    auto url = [&](int n) {
        auto q = params;
        q.emplace_back("page", n > 1 ? std::to_string(n) : "");
        return base + query_string(q);
    };
    if (page > 1) p["prev"] = url(page - 1);
    if (page < pages) p["next"] = url(page + 1);
    return p;
}

}  // namespace

json Site::Impl::page_figure(const Document& d, const Page& pg, const std::string& l) {
    const std::string n = std::to_string(pg.number);
    return {{"n", pg.number},
            {"src", "/d/" + std::to_string(d.id) + "/page/" + n + ".webp"},
            {"alt", d.title + "_" + tr(l, "page_alt", {{"n", n}})},
            {"label", tr(l, "page_of", {{"n", n}, {"m", std::to_string(d.page_count)}})},
            {"width", pg.width_px},
            {"height", pg.height_px}};
}

Response Site::Impl::home(Request& req) {
    return cached_html(
        req, "home",
        [&] {
            const std::string l = lang(req);
            json ctx = page_context(req, "", tr(l, "home_description"), "/");
            ctx["title"] = site_name + " - " + tr(l, "tagline");
            DocumentFilter f;
            f.status = DocumentStatus::ready;
            f.limit = 12;
            json latest = json::array(), popular = json::array();
            for (const auto& d : repo.list_documents(f)) latest.push_back(document_card(d, l));
            f.order = DocumentOrder::views;
            for (const auto& d : repo.list_documents(f)) popular.push_back(document_card(d, l));
            ctx["latest"] = latest;
            ctx["popular"] = popular;
            json cats = json::array();
            const auto all = categories();
            for (const Category& c : *all) {
                if (c.parent_id) continue;
                DocumentFilter cf;
                cf.status = DocumentStatus::ready;
                cf.category_id = c.id;
                json children = json::array();
                for (const Category& k : *all) {
                    if (k.parent_id == c.id)
                        children.push_back({{"name", k.name}, {"url", "/c/" + std::to_string(k.id)}});
                }
                cats.push_back({{"name", c.name},
                                {"url", "/c/" + std::to_string(c.id)},
                                {"count", repo.count_documents(cf)},
                                {"children", children}});
            }
            ctx["categories"] = cats;
            DocumentFilter all_ready;
            all_ready.status = DocumentStatus::ready;
            ctx["total"] = tr(l, "library_total", {{"n", std::to_string(repo.count_documents(all_ready))}});
            return ctx;
        },
        "home");
}

Response Site::Impl::category_page(Request& req, const Params& p) {
    const std::int64_t id = parse_id(p.at("id"));
    const auto chain = repo.category_chain(id);  // NotFoundError → 404
    const std::string l = lang(req);
    const std::string sort = req.param("sort").empty() ? "newest" : req.param("sort");
    DocumentFilter f;
    f.status = DocumentStatus::ready;
    f.category_id = id;
    if (sort == "views")
        f.order = DocumentOrder::views;
    else if (sort == "downloads")
        f.order = DocumentOrder::downloads;
    else if (sort != "newest")
        throw BadRequestError("sort must be newest, views or downloads");
    const int page = static_cast<int>(int_param(req, "page", 1, 1, 100000));
    f.limit = per_page;
    f.offset = (page - 1) * per_page;
    const std::int64_t total = repo.count_documents(f);
    json docs = json::array();
    for (const auto& d : repo.list_documents(f)) docs.push_back(document_card(d, l));
    json crumbs = json::array({{{"name", tr(l, "home")}, {"url", "/"}}});
    for (const Category& c : chain)
        crumbs.push_back({{"name", c.name}, {"url", "/c/" + std::to_string(c.id)}});
    crumbs.back()["current"] = true;
    json children = json::array();
    for (const Category& c : *categories()) {
        if (c.parent_id == id) children.push_back({{"name", c.name}, {"url", "/c/" + std::to_string(c.id)}});
    }
    const std::string base = "/c/" + std::to_string(id);
    json ctx = page_context(req, chain.back().name,
                            tr(l, "category_description", {{"name", chain.back().name}}), base);
    ctx["category"] = chain.back().name;
    ctx["breadcrumb"] = crumbs;
    ctx["children"] = children;
    ctx["documents"] = docs;
    ctx["total"] = tr(l, "documents_n", {{"n", std::to_string(total)}});
    json sorts = json::array();
    for (const char* s : {"newest", "views", "downloads"}) {
        sorts.push_back({{"label", tr(l, std::string("sort_") + s)},
                         {"url", base + (std::string(s) == "newest" ? "" : std::string("?sort=") + s)},
                         {"selected", sort == s}});
    }
    ctx["sorts"] = sorts;
    ctx["pager"] = pager(base, {{"sort", sort == "newest" ? "" : sort}}, page, total, per_page);
    return html(req, "category", ctx);
}

Response Site::Impl::document_page(Request& req, const Params& p) {
    const std::int64_t id = parse_id(p.at("id"));
    auto doc = document(id);
    if (!doc || doc->status == DocumentStatus::failed)
        throw NotFoundError("no document №" + std::to_string(id));
    const std::string l = lang(req);
    if (doc->status != DocumentStatus::ready) {
        json ctx = page_context(req, doc->title.empty() ? doc->original_name : doc->title, "",
                                "/d/" + std::to_string(id));
        ctx["heading"] = doc->title.empty() ? doc->original_name : doc->title;
        ctx["converting"] = tr(l, "converting_notice");
        ctx["noindex"] = true;
        ctx["status_url"] = "/api/documents/" + std::to_string(id) + "/status";
        return html(req, "converting", ctx);
    }
    count(id, 1, 0);
    return cached_html(
        req, "d" + std::to_string(id),
        [&] {
            const Document& d = *doc;
            const std::string sid = std::to_string(id);
            const auto pages = repo.pages(id);
            const int free = std::min(free_pages(d), d.page_count);
            const std::string total = std::to_string(d.page_count);

            json previews = json::array();
            for (const Page& pg : pages) {
                if (pg.number > free) break;
                previews.push_back(page_figure(d, pg, l));
                previews.back()["eager"] = pg.number == 1;
            }
            // 资源描述: the readable pages only; later pages' text is for entitled readers.
            std::vector<Page> readable(pages.begin(),
                                       pages.begin() + std::min<std::size_t>(pages.size(), free));
            json description = json::array(), more = json::array();
            std::string meta;
            for (const auto& seg : describe(readable, description_chars)) {
                json item = {{"n", seg.page}, {"text", seg.text}};
                (description.size() < 3 ? description : more).push_back(item);
                if (meta.size() < 400) meta += seg.text + " ";
            }

            json related = json::array(), guess = json::array();
            std::set<std::int64_t> shown{id};
            for (std::int64_t r : search::related_documents(repo, index(), id, 8)) {
                if (auto rd = document(r);
                    rd && rd->status == DocumentStatus::ready && shown.insert(r).second) {
                    related.push_back(document_card(*rd, l));
                }
            }
            DocumentFilter f;
            f.status = DocumentStatus::ready;
            f.order = DocumentOrder::views;
            f.limit = 24;
            if (d.category_id) f.category_id = d.category_id;
            for (int round = 0; round < 2 && guess.size() < 8; ++round) {
                for (const auto& g : repo.list_documents(f)) {
                    if (guess.size() >= 8) break;
                    if (shown.insert(g.id).second) guess.push_back(document_card(g, l));
                }
                f.category_id.reset();
            }
            json searches = json::array();
            std::set<std::string> seen;
            auto add_search = [&](const std::string& q) {
                if (searches.size() < 8 && decode_utf8(q).size() >= 2 && seen.insert(q).second) {
                    searches.push_back({{"q", q}, {"url", "/search" + query_string({{"q", q}})}});
                }
            };
            for (const auto& q : repo.searches_leading_to({id}, 8)) add_search(q);
            for (const auto& [term, weight] : index().key_terms(id, 16)) add_search(term);

            json crumbs = json::array({{{"name", tr(l, "home")}, {"url", "/"}}});
            if (d.category_id) {
                for (const Category& c : repo.category_chain(*d.category_id)) {
                    crumbs.push_back({{"name", c.name}, {"url", "/c/" + std::to_string(c.id)}});
                }
            }

            json ctx = page_context(req, d.title, first_chars(meta, 150), "/d/" + sid);
            ctx["og_image"] = site_url + "/d/" + sid + "/cover.webp";
            ctx["og_type"] = "article";
            json card = document_card(d, l);
            card["uploader"] = mask_uploader(d.uploader, tr(l, "anonymous"));
            card["price"] = d.price;
            card["free"] = d.price == 0;
            ctx["doc"] = card;
            ctx["previews"] = previews;
            if (d.page_count > free) {
                ctx["notice"] = tr(l, "free_notice", {{"m", total}});
                ctx["remaining"] = tr(l, "remaining_pages", {{"n", std::to_string(d.page_count - free)}});
            }
            ctx["segments"] = description;
            ctx["segments_more"] = more;
            ctx["related"] = related;
            ctx["guess"] = guess;
            ctx["related_searches"] = searches;
            ctx["breadcrumb"] = crumbs;
            ctx["read_url"] = "/d/" + sid + "/read";
            return ctx;
        },
        "document");
}

Response Site::Impl::reader_page(Request& req, const Params& p) {
    auto doc = ready_document(p.at("id"));
    const Document& d = *doc;
    const std::string l = lang(req);
    const std::string sid = std::to_string(d.id);
    const int at = static_cast<int>(int_param(req, "page", 1, 1, 1000000));
    if (at > d.page_count) throw NotFoundError("no page " + std::to_string(at));
    const int free = std::min(free_pages(d), d.page_count);
    const std::string total = std::to_string(d.page_count);
    json pages = json::array();
    for (const Page& pg : repo.pages(d.id)) {
        if (pg.number > free) break;
        json figure = page_figure(d, pg, l);
        figure["current"] = pg.number == at;
        figure["eager"] = std::abs(pg.number - at) <= 1;
        pages.push_back(std::move(figure));
    }
    json ctx = page_context(req, d.title + " " + tr(l, "page_of", {{"n", std::to_string(at)}, {"m", total}}),
                            "", "/d/" + sid + "/read");
    ctx["doc"] = document_card(d, l);
    ctx["pages"] = pages;
    ctx["at"] = at;
    if (at > free) ctx["locked_at"] = tr(l, "locked_page", {{"n", std::to_string(at)}});
    if (d.page_count > free) ctx["notice"] = tr(l, "free_notice", {{"m", total}});
    ctx["noindex"] = true;
    return html(req, "reader", ctx);
}

search::SearchResults Site::Impl::run_search(const Request& req, const search::SearchRequest& request) {
    auto results = index().search(request, [this](std::int64_t doc, int page) -> std::optional<std::string> {
        auto pg = repo.page(doc, page);
        if (!pg) return std::nullopt;
        return std::move(pg->text);
    });
    // A hit on a page the reader may not see shows where, not what.
    for (auto& hit : results.hits) {
        auto d = document(hit.document_id);
        if (!d || !may_read(req, *d, hit.page)) hit.snippet.clear();
    }
    return results;
}

Response Site::Impl::search_page(Request& req) {
    const std::string l = lang(req);
    const std::string& q = req.param("q");
    const std::string& format = req.param("format");
    const std::string& category = req.param("category");
    const std::string sort = req.param("sort").empty() ? "relevance" : req.param("sort");
    const int page = static_cast<int>(int_param(req, "page", 1, 1, 1000));
    // The request is checked and the search made (or found in the cache, and logged) before the
    // page is taken from the page cache.
    std::shared_ptr<const CachedSearch> found;
    if (!q.empty()) {
        search::SearchRequest sr;
        sr.query = q;
        sr.offset = static_cast<std::size_t>((page - 1) * 10);
        sr.limit = 10;
        sr.facets = true;
        sr.format = format;
        try {
            sr.sort = search::search_sort_from_string(sort);
        } catch (const UsageError& e) {
            throw BadRequestError(e.what());
        }
        if (!category.empty()) sr.category_id = id_param(req, "category");
        found = cached_search(req, sr, true);
    }
    const std::string key = "s" + query_string({{"q", q},
                                                {"format", format},
                                                {"category", category},
                                                {"sort", sort},
                                                {"page", std::to_string(page)}});
    return cached_html(
        req, key,
        [&] {
            json ctx = page_context(req, q.empty() ? tr(l, "search") : q + " - " + tr(l, "search"), "",
                                    "/search" + query_string({{"q", q}}));
            ctx["noindex"] = true;
            ctx["search_page"] = true;
            ctx["searched"] = !q.empty();
            if (found) {
                const search::SearchResults& results = found->results;
                std::map<std::int64_t, std::string> names;
                for (const Category& c : *categories()) names[c.id] = c.name;
                json hits = json::array();
                for (const auto& h : results.hits) {
                    auto d = document(h.document_id);
                    const std::string sid = std::to_string(h.document_id), n = std::to_string(h.page);
                    json pages_list = json::array();
                    for (std::size_t i = 0; i < h.pages.size() && i < 12; ++i) {
                        pages_list.push_back(
                            {{"n", h.pages[i]},
                             {"url", "/d/" + sid + "/read?page=" + std::to_string(h.pages[i]) + "#p" +
                                         std::to_string(h.pages[i])}});
                    }
                    hits.push_back(
                        {{"url", "/d/" + sid + "/read?page=" + n + "#p" + n},
                         {"doc_url", "/d/" + sid},
                         {"title", fragments_json(h.title_fragments)},
                         {"snippet", fragments_json(h.snippet)},
                         {"locked", h.snippet.empty()},
                         {"locked_label", tr(l, "hit_locked", {{"n", n}})},
                         {"page_label", tr(l, "hit_page", {{"n", n}})},
                         {"pages", pages_list},
                         {"format", d ? upper(d->format) : ""},
                         {"page_count", d ? tr(l, "pages_n", {{"n", std::to_string(d->page_count)}}) : ""},
                         {"cover", "/d/" + sid + "/cover.webp"}});
                }
                auto link = [&](const std::string& f, const std::string& c, const std::string& s) {
                    return "/search" + query_string({{"q", q},
                                                     {"format", f},
                                                     {"category", c},
                                                     {"sort", s == "relevance" ? "" : s}});
                };
                json formats = json::array({{{"name", tr(l, "all")},
                                             {"url", link("", category, sort)},
                                             {"selected", format.empty()}}});
                for (const auto& [f, count] : results.formats) {
                    formats.push_back({{"name", upper(f)},
                                       {"count", count},
                                       {"url", link(f, category, sort)},
                                       {"selected", f == format}});
                }
                json cats = json::array({{{"name", tr(l, "all")},
                                          {"url", link(format, "", sort)},
                                          {"selected", category.empty()}}});
                for (const auto& [c, count] : results.categories) {
                    cats.push_back({{"name", names.count(c) ? names[c] : std::to_string(c)},
                                    {"count", count},
                                    {"url", link(format, std::to_string(c), sort)},
                                    {"selected", std::to_string(c) == category}});
                }
                json sorts = json::array();
                for (const char* s : {"relevance", "newest", "downloads", "views"}) {
                    sorts.push_back({{"label", tr(l, std::string("sort_") + s)},
                                     {"url", link(format, category, s)},
                                     {"selected", sort == s}});
                }
                json suggestions = json::array();
                for (const auto& s : found->related) {
                    suggestions.push_back({{"q", s}, {"url", "/search" + query_string({{"q", s}})}});
                }
                ctx["hits"] = hits;
                ctx["total"] = tr(l, "results_n", {{"n", std::to_string(results.total)}, {"q", q}});
                ctx["none"] = results.total == 0;
                ctx["formats"] = formats;
                ctx["facet_categories"] = cats;
                ctx["sorts"] = sorts;
                ctx["related_searches"] = suggestions;
                ctx["pager"] = pager("/search",
                                     {{"q", q},
                                      {"format", format},
                                      {"category", category},
                                      {"sort", sort == "relevance" ? "" : sort}},
                                     page, results.total, 10);
            }
            return ctx;
        },
        "search");
}

Response Site::Impl::upload_page(Request& req) {
    const std::string l = lang(req);
    json ctx = page_context(req, tr(l, "upload"), "", "/upload");
    json cats = json::array();
    // Full paths ("实用范文 / 写作指导"), from the cached list: parents come before their children.
    std::map<std::int64_t, std::string> paths;
    for (const Category& c : *categories()) {
        const std::string parent = c.parent_id ? paths[*c.parent_id] : std::string();
        paths[c.id] = parent.empty() ? c.name : parent + " / " + c.name;
        cats.push_back({{"id", c.id}, {"name", paths[c.id]}});
    }
    ctx["categories"] = cats;
    ctx["max_mb"] = max_upload_bytes >> 20;
    ctx["limit_text"] = tr(l, "upload_limit", {{"mb", std::to_string(max_upload_bytes >> 20)}});
    ctx["noindex"] = true;
    return html(req, "upload", ctx);
}

Response Site::Impl::share_page(Request& req, const Params& p) {
    auto doc = ready_document(p.at("id"));
    const std::string l = lang(req);
    const std::string url = site_url + "/d/" + std::to_string(doc->id);
    json ctx =
        page_context(req, tr(l, "share") + " " + doc->title, "", "/d/" + std::to_string(doc->id) + "/share");
    ctx["doc"] = document_card(*doc, l);
    ctx["share_url"] = url;
    ctx["qr"] = qr_svg(url, 200);  // our own SVG: rendered unescaped
    ctx["noindex"] = true;
    return html(req, "share", ctx);
}

Response Site::Impl::qr_code(Request&, const Params& p) {
    auto doc = ready_document(p.at("id"));
    Response res;
    res.text(qr_svg(site_url + "/d/" + std::to_string(doc->id), 200), "image/svg+xml");
    res.set("Cache-Control", "public, max-age=86400");
    return res;
}

Response Site::Impl::report_form(Request& req, const Params& p) {
    auto doc = ready_document(p.at("id"));
    const std::string l = lang(req);
    json ctx = page_context(req, tr(l, "report") + " " + doc->title, "",
                            "/d/" + std::to_string(doc->id) + "/report");
    ctx["doc"] = document_card(*doc, l);
    json reasons = json::array();
    for (const auto& r : report_reasons)
        reasons.push_back({{"value", r}, {"label", tr(l, "reason_" + r)}, {"checked", r == "copyright"}});
    ctx["reasons"] = reasons;
    ctx["noindex"] = true;
    return html(req, "report", ctx);
}

Response Site::Impl::report_submit(Request& req, const Params& p) {
    auto doc = ready_document(p.at("id"));
    const std::string l = lang(req);
    std::map<std::string, std::string> form;
    parse_form(req.body, form);
    const std::string reason = form["reason"];
    if (std::find(report_reasons.begin(), report_reasons.end(), reason) == report_reasons.end()) {
        throw BadRequestError(tr(l, "report_reason_missing"));
    }
    std::string detail = form["detail"];
    if (decode_utf8(detail).size() > 1000) throw BadRequestError(tr(l, "report_too_long"));
    Report r;
    r.document_id = doc->id;
    r.reason = reason;
    r.detail = detail;
    repo.add_report(r);
    json ctx = page_context(req, tr(l, "report"), "", "/d/" + std::to_string(doc->id) + "/report");
    ctx["doc"] = document_card(*doc, l);
    ctx["thanks"] = tr(l, "report_thanks");
    ctx["noindex"] = true;
    return html(req, "report", ctx, 201);
}

Response Site::Impl::needs_account(Request& req, const Params& p) {
    ready_document(p.at("id"));  // 404 for no such document, before asking to sign in
    throw LoginRequiredError(tr(lang(req), "login_required"));
}

int Site::Impl::readable_page(const Request& req, const Document& doc, const std::string& number) {
    const std::int64_t n = parse_id(number);
    if (n > doc.page_count) throw NotFoundError("no page " + std::to_string(n));
    if (!may_read(req, doc, static_cast<int>(n))) {
        throw ForbiddenError("beyond_free_pages", tr(lang(req), "locked_page", {{"n", std::to_string(n)}}));
    }
    return static_cast<int>(n);
}

Response Site::Impl::preview(Request& req, const Params& p) {
    auto doc = ready_document(p.at("id"));
    const int n = readable_page(req, *doc, p.at("n"));
    auto file = files.get(library.blobs().pages_dir(doc->sha256) / preview_file_name(n));
    if (!file) throw EnvironmentError("the preview of page " + std::to_string(n) + " is missing");
    return serve_file(req, file, "image/webp", "public, max-age=86400");
}

Response Site::Impl::page_text(Request& req, const Params& p) {
    auto doc = ready_document(p.at("id"));
    const int n = readable_page(req, *doc, p.at("n"));
    auto page = repo.page(doc->id, n);
    if (!page) throw NotFoundError("no page " + std::to_string(n));
    Response res;
    res.text(std::move(page->text), "text/plain; charset=utf-8");
    res.set("Cache-Control", "public, max-age=3600");
    return res;
}

Response Site::Impl::cover(Request& req, const Params& p) {
    auto doc = ready_document(p.at("id"));
    auto file = files.get(library.blobs().pages_dir(doc->sha256) / cover_file_name);
    if (!file) throw EnvironmentError("the cover of №" + std::to_string(doc->id) + " is missing");
    return serve_file(req, file, "image/webp", "public, max-age=86400");
}

Response Site::Impl::download(Request& req, const Params& p) {
    auto doc = ready_document(p.at("id"));
    if (doc->price > 0) {
        throw PaymentRequiredError(tr(lang(req), "download_price", {{"price", std::to_string(doc->price)}}));
    }
    if (req.method == "GET") count(doc->id, 0, 1);
    Response res;
    res.file = OpenFile::open(library.blobs().original_path(doc->sha256));  // not kept open: read rarely
    if (!res.file) throw EnvironmentError("the original of №" + std::to_string(doc->id) + " is missing");
    const std::string name = clean_file_name(doc->original_name);
    std::string ascii;
    for (char c : name) ascii += (static_cast<unsigned char>(c) < 0x80 && c != '"' && c != '\\') ? c : '_';
    res.set("Content-Type", "application/octet-stream");
    res.set("Content-Disposition",
            "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + percent_encode(name));
    res.set("Cache-Control", "private, no-cache");
    return res;
}

Response Site::Impl::static_file(Request& req, const Params& p) {
    const std::string& name = p.at("name");
    const bool safe =
        !name.empty() && name.front() != '.' && std::all_of(name.begin(), name.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
        });
    if (!safe) throw NotFoundError("no file " + name);
    auto file = files.get(web_dir / "static" / name);
    if (!file) throw NotFoundError("no file " + name);
    const std::string ext = fs::path(name).extension().string();
    const std::string type = ext == ".css"    ? "text/css; charset=utf-8"
                             : ext == ".js"   ? "text/javascript; charset=utf-8"
                             : ext == ".svg"  ? "image/svg+xml"
                             : ext == ".png"  ? "image/png"
                             : ext == ".webp" ? "image/webp"
                                              : "application/octet-stream";
    return serve_file(req, file, type, "public, max-age=3600");
}

Response Site::Impl::robots(Request&) {
    Response res;
    res.text(
        "User-agent: *\nDisallow: /api/\nDisallow: /upload\nDisallow: /search\nDisallow: /d/*/download\n"
        "Disallow: /d/*/report\nAllow: /\n\nSitemap: " +
            site_url + "/sitemap.xml\n",
        "text/plain; charset=utf-8");
    res.set("Cache-Control", "public, max-age=3600");
    return res;
}

Response Site::Impl::sitemap(Request&) {
    std::string xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
    auto add = [&](const std::string& path, const std::string& lastmod) {
        xml += "<url><loc>";
        append_markup_escaped(xml, site_url + path);
        xml += "</loc>";
        if (!lastmod.empty()) xml += "<lastmod>" + lastmod + "</lastmod>";
        xml += "</url>\n";
    };
    add("/", "");
    for (const Category& c : *categories()) add("/c/" + std::to_string(c.id), "");
    DocumentFilter f;
    f.status = DocumentStatus::ready;
    f.limit = 49000;  // a sitemap holds at most 50,000 addresses
    for (const auto& d : repo.list_documents(f)) add("/d/" + std::to_string(d.id), format_date(d.created_at));
    xml += "</urlset>\n";
    Response res;
    res.text(std::move(xml), "application/xml; charset=utf-8");
    res.set("Cache-Control", "public, max-age=600");
    return res;
}

Response Site::Impl::healthz(Request&) {
    DocumentFilter ready;
    ready.status = DocumentStatus::ready;
    auto res = json_response({{"status", "ok"},
                              {"documents", repo.count_documents(ready)},
                              {"queued", repo.count_queued_jobs()},
                              {"index_documents", index().document_count()}});
    res.set("Cache-Control", "no-store");
    return res;
}

Response Site::Impl::metrics_page(Request&) {
    std::string out = metrics.prometheus();
    out += "# HELP wenku_documents Documents in the library, by status.\n# TYPE wenku_documents gauge\n";
    for (auto s : {DocumentStatus::queued, DocumentStatus::converting, DocumentStatus::ready,
                   DocumentStatus::failed}) {
        DocumentFilter f;
        f.status = s;
        out += fmt::format("wenku_documents{{status=\"{}\"}} {}\n", to_string(s), repo.count_documents(f));
    }
    out += fmt::format(
        "# HELP wenku_open_files Previews and static files kept open for sending.\n# TYPE wenku_open_files "
        "gauge\n"
        "wenku_open_files {}\n",
        files.open_count());
    Response res;
    res.text(std::move(out), "text/plain; version=0.0.4; charset=utf-8");
    res.set("Cache-Control", "no-store");
    return res;
}

}  // namespace wenku::web
