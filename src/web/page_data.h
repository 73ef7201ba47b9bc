#pragma once
// The data every page's template shares: the page context (site, strings, language, canonical
// and alternate addresses, navigation), document cards, page figures, breadcrumbs and pagers.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/document.h"
#include "web/categories.h"
#include "web/http.h"
#include "web/translations.h"
#include "web/urls.h"

namespace wenku::web {

class PageData {
  public:
    PageData(const SiteConfig& options, const Translations& translations, CategoryList& categories)
        : options_(options), translations_(translations), categories_(categories) {}

    /// What every page's template starts from: site, strings `t`, language, title ("… - site"),
    /// description, canonical and alternate-language addresses (of on_site_path(canonical_path)),
    /// top categories; the signed-in account's name (`user`) and the session's CSRF token (`csrf`)
    /// for its forms. Nothing else of the request: pages made from it for anonymous visitors are
    /// cached per page and language (the search page adds its query, which is part of its cache
    /// key). Errors reading the categories propagate.
    nlohmann::json context(const Request& req, const std::string& title, const std::string& description,
                           const std::string& canonical_path) const;
    /// A document in a list: title, links, format, pages, size, date, views, downloads.
    nlohmann::json card(const Document& doc, const std::string& lang) const;
    /// A page preview as the document page and the reader show it: image, alt 标题_第N页, 第N页 / 共M页.
    nlohmann::json figure(const Document& doc, const Page& page, const std::string& lang) const;
    /// 首页 › each category of `chain` (root first).
    nlohmann::json breadcrumb(const std::string& lang, const std::vector<Category>& chain) const;

  private:
    const SiteConfig& options_;
    const Translations& translations_;
    CategoryList& categories_;
};

/// Previous and next links of page `page` of a listing of `total` items, `size` a page: the
/// addresses are `base` with `params` and the page number (none for page 1).
nlohmann::json pager(const std::string& base, const QueryPairs& params, int page, std::int64_t total,
                     int size);

}  // namespace wenku::web
