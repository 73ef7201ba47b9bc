// For search engines: /robots.txt and /sitemap.xml (the home page, every category, the newest
// site.sitemap_documents documents).
#include "core/markup.h"
#include "web/display.h"
#include "web/handlers.h"
#include "web/site_services.h"

namespace wenku::web::seo {

Response robots(SiteServices& site, Request&, const Params&) {
    Response res;
    res.text(
        "User-agent: *\nDisallow: /api/\nDisallow: /upload\nDisallow: /search\nDisallow: /d/*/download\n"
        "Disallow: /d/*/report\nAllow: /\n\nSitemap: " +
            absolute_url(site.config.site.url, sitemap_path) + "\n",
        "text/plain; charset=utf-8");
    res.set("Cache-Control", "public, max-age=3600");
    return res;
}

Response sitemap(SiteServices& site, Request&, const Params&) {
    std::string xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
    auto add = [&](std::string_view path, const std::string& lastmod) {
        xml += "<url><loc>";
        append_markup_escaped(xml, absolute_url(site.config.site.url, path));
        xml += "</loc>";
        if (!lastmod.empty()) xml += "<lastmod>" + lastmod + "</lastmod>";
        xml += "</url>\n";
    };
    add(home_path, "");
    for (const Category& c : *site.categories.all()) add(category_url(c.id), "");
    DocumentFilter f;
    f.status = DocumentStatus::ready;
    f.limit = site.config.site.sitemap_documents;
    for (const auto& d : site.repository.list_documents(f))
        add(document_url(d.id), format_date(d.created_at));
    xml += "</urlset>\n";
    Response res;
    res.text(std::move(xml), "application/xml; charset=utf-8");
    res.set("Cache-Control", "public, max-age=600");
    return res;
}

}  // namespace wenku::web::seo
