#pragma once
// Pages from the templates of web/templates/: rendered for each request, or rendered once and
// reused (per language) with an ETag, until documents change or the cache's age passes.
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "web/cache.h"
#include "web/http.h"
#include "web/template.h"
#include "web/translations.h"

namespace wenku::web {

class PageRenderer {
  public:
    struct Limits {
        std::chrono::seconds max_age{0};
        std::size_t max_entries = 0;
    };

    /// Parses every template of `templates_dir`; UsageError for a malformed one.
    PageRenderer(const std::filesystem::path& templates_dir, const Translations& translations,
                 const ContentGeneration& generation, const Limits& limits);

    /// The template rendered with `context` as an HTML response (no-cache). A request with ?lang=
    /// gets the language's cookie. Errors of the template propagate.
    Response render(const Request& req, const std::string& template_name, const nlohmann::json& context,
                    int status = 200) const;

    /// The page `key` in the request's language: from the cache while fresh, else rendered from
    /// make_context() and kept. With an ETag; 304 when the request's If-None-Match matches it. A
    /// signed-in visitor's page is rendered afresh and never kept.
    Response render_cached(const Request& req, const std::string& key,
                           const std::function<nlohmann::json()>& make_context,
                           const std::string& template_name);

  private:
    struct Rendered {
        std::shared_ptr<const std::string> html;
        std::string etag;
    };

    void remember_language(const Request& req, Response& res) const;

    TemplateSet templates_;
    const Translations& translations_;
    ExpiringCache<std::string, std::shared_ptr<const Rendered>> cache_;
};

}  // namespace wenku::web
