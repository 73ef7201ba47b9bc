#include "web/page_renderer.h"

#include "web/file_cache.h"
#include "web/http_parsing.h"

namespace wenku::web {

PageRenderer::PageRenderer(const std::filesystem::path& templates_dir, const Translations& translations,
                           const ContentGeneration& generation, const Limits& limits)
    : templates_(templates_dir),
      translations_(translations),
      cache_(generation, limits.max_age, limits.max_entries) {}

Response PageRenderer::render(const Request& req, const std::string& template_name,
                              const nlohmann::json& context, int status) const {
    Response res;
    res.status = status;
    res.text(templates_.render(template_name, context), "text/html; charset=utf-8");
    res.set("Cache-Control", "no-cache");
    remember_language(req, res);
    return res;
}

Response PageRenderer::render_cached(const Request& req, const std::string& key,
                                     const std::function<nlohmann::json()>& make_context,
                                     const std::string& template_name) {
    // A signed-in visitor's page carries their name and CSRF token: it is never shared.
    if (!req.principal.anonymous()) return render(req, template_name, make_context());
    const auto page = cache_.get(key + "|" + translations_.lang(req), [&] {
        auto html = std::make_shared<const std::string>(templates_.render(template_name, make_context()));
        std::string etag = etag_of(*html);
        return std::make_shared<const Rendered>(Rendered{std::move(html), std::move(etag)});
    });
    Response res;
    res.set("Content-Type", "text/html; charset=utf-8");
    res.set("Cache-Control", "no-cache");
    res.set("ETag", page->etag);
    res.set("Vary", "Cookie");
    remember_language(req, res);
    if (etag_matches(req.header("if-none-match"), page->etag)) {
        res.status = 304;
        return res;
    }
    res.body = page->html;
    return res;
}

void PageRenderer::remember_language(const Request& req, Response& res) const {
    if (!req.param("lang").empty()) {
        res.set("Set-Cookie", "lang=" + translations_.lang(req) + "; Path=/; Max-Age=31536000; SameSite=Lax");
    }
}

}  // namespace wenku::web
