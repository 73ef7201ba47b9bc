// What a reader does with the library and its documents: the upload form, sharing (a link and a
// QR code), reporting (举报), and the account actions (收藏, 赏): anonymous visitors are asked to
// log in; for accounts they are not available yet.
#include <algorithm>
#include <array>

#include "core/errors.h"
#include "core/utf8.h"
#include "web/errors.h"
#include "web/handlers.h"
#include "web/http_parsing.h"
#include "web/qr.h"
#include "web/site_services.h"

namespace wenku::web::pages {
using nlohmann::json;

namespace {

constexpr std::array<const char*, 5> report_reasons{"copyright", "illegal", "privacy", "spam", "other"};
constexpr std::size_t report_detail_chars = 1000;  // as the form's label says
constexpr int qr_size_px = 200;

json report_context(SiteServices& site, const Request& req, const Document& doc, const std::string& title);

}  // namespace

Response upload(SiteServices& site, Request& req, const Params&) {
    const std::string lang = site.translations.lang(req);
    json ctx =
        site.page_data.context(req, site.translations.tr(lang, "upload"), "", std::string(upload_path));
    // Full paths ("实用范文 / 写作指导"), from the cached list: parents come before their children.
    json categories = json::array();
    std::map<std::int64_t, std::string> paths;
    for (const Category& c : *site.categories.all()) {
        const std::string parent = c.parent_id ? paths[*c.parent_id] : std::string();
        paths[c.id] = parent.empty() ? c.name : parent + " / " + c.name;
        categories.push_back({{"id", c.id}, {"name", paths[c.id]}});
    }
    const std::uint64_t max_mb = site.config.convert.max_file_bytes >> 20;
    ctx["categories"] = categories;
    ctx["max_mb"] = max_mb;
    ctx["limit_text"] = site.translations.tr(lang, "upload_limit", {{"mb", std::to_string(max_mb)}});
    ctx["noindex"] = true;
    return site.renderer.render(req, "upload", ctx);
}

Response share(SiteServices& site, Request& req, const Params& params) {
    const auto doc = site.documents.ready(parse_id(params.at("id")));
    const std::string lang = site.translations.lang(req);
    const std::string url = absolute_url(site.config.site.url, document_url(doc->id));
    json ctx = site.page_data.context(req, site.translations.tr(lang, "share") + " " + doc->title, "",
                                      share_url(doc->id));
    ctx["doc"] = site.page_data.card(*doc, lang);
    ctx["share_url"] = url;
    ctx["qr"] = qr_svg(url, qr_size_px);  // our own SVG: rendered unescaped
    ctx["noindex"] = true;
    return site.renderer.render(req, "share", ctx);
}

Response qr_code(SiteServices& site, Request&, const Params& params) {
    const auto doc = site.documents.ready(parse_id(params.at("id")));
    Response res;
    res.text(qr_svg(absolute_url(site.config.site.url, document_url(doc->id)), qr_size_px), "image/svg+xml");
    res.set("Cache-Control", "public, max-age=86400");
    return res;
}

Response report_form(SiteServices& site, Request& req, const Params& params) {
    const auto doc = site.documents.ready(parse_id(params.at("id")));
    const std::string lang = site.translations.lang(req);
    json ctx = report_context(site, req, *doc, site.translations.tr(lang, "report") + " " + doc->title);
    json reasons = json::array();
    for (const std::string r : report_reasons) {
        reasons.push_back({{"value", r},
                           {"label", site.translations.tr(lang, "reason_" + r)},
                           {"checked", r == "copyright"}});
    }
    ctx["reasons"] = reasons;
    return site.renderer.render(req, "report", ctx);
}

Response report_submit(SiteServices& site, Request& req, const Params& params) {
    const auto doc = site.documents.ready(parse_id(params.at("id")));
    const std::string lang = site.translations.lang(req);
    std::map<std::string, std::string> form;
    parse_form(req.body, form);
    const std::string& reason = form["reason"];
    if (std::find(report_reasons.begin(), report_reasons.end(), reason) == report_reasons.end()) {
        throw BadRequestError(site.translations.tr(lang, "report_reason_missing"));
    }
    const std::string& detail = form["detail"];
    if (decode_utf8(detail).size() > report_detail_chars) {
        throw BadRequestError(site.translations.tr(lang, "report_too_long"));
    }
    Report report;
    report.document_id = doc->id;
    report.reason = reason;
    report.detail = detail;
    site.repository.add_report(report);
    json ctx = report_context(site, req, *doc, site.translations.tr(lang, "report"));
    ctx["thanks"] = site.translations.tr(lang, "report_thanks");
    return site.renderer.render(req, "report", ctx, 201);
}

Response needs_account(SiteServices& site, Request& req, const Params& params) {
    site.documents.ready(parse_id(params.at("id")));  // no such document: 404 before asking to sign in
    const std::string lang = site.translations.lang(req);
    if (req.principal.anonymous()) throw LoginRequiredError(site.translations.tr(lang, "login_required"));
    throw NotAvailableError(site.translations.tr(lang, "not_available"));
}

namespace {

/// The report page's context: the document, not indexed.
json report_context(SiteServices& site, const Request& req, const Document& doc, const std::string& title) {
    json ctx = site.page_data.context(req, title, "", report_url(doc.id));
    ctx["doc"] = site.page_data.card(doc, site.translations.lang(req));
    ctx["noindex"] = true;
    return ctx;
}

}  // namespace

}  // namespace wenku::web::pages
