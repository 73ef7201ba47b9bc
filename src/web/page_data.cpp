#include "web/page_data.h"

#include "web/display.h"

namespace wenku::web {
using nlohmann::json;

json PageData::context(const Request& req, const std::string& title, const std::string& description,
                       const std::string& canonical_path) const {
    const std::string lang = translations_.lang(req);
    json top = json::array();
    for (const Category& c : *categories_.all()) {
        if (!c.parent_id) top.push_back({{"name", c.name}, {"url", category_url(c.id)}});
    }
    // The path may come from the request (error pages): made one a browser cannot take off-site.
    const std::string path = on_site_path(canonical_path);
    const std::string canonical = absolute_url(options_.url, path);
    const char* sep = path.find('?') == std::string::npos ? "?" : "&";
    return {
        {"site",
         {{"name", options_.name},
          {"url", options_.url},
          {"copyright", options_.copyright},
          {"icp", options_.icp}}},
        {"t", translations_.table(lang)},
        {"lang", lang == "en" ? "en" : "zh-CN"},
        {"en", lang == "en"},
        {"title", title.empty() ? options_.name : title + " - " + options_.name},
        {"description", description},
        {"canonical", canonical},
        {"alternate_zh", canonical},
        {"alternate_en", canonical + sep + "lang=en"},
        {"other_lang_url", path + sep + (lang == "en" ? "lang=zh" : "lang=en")},
        {"nav_categories", top},
        {"uploads_enabled", options_.uploads},
        {"user", req.principal.anonymous() ? json(nullptr) : json{{"name", req.principal.name}}},
        {"csrf", req.csrf_token},
    };
}

json PageData::card(const Document& doc, const std::string& lang) const {
    return {
        {"id", doc.id},
        {"title", doc.title},
        {"url", document_url(doc.id)},
        {"cover", cover_url(doc.id)},
        {"format", upper(doc.format)},
        {"pages", doc.page_count},
        {"pages_label", translations_.tr(lang, "pages_n", {{"n", std::to_string(doc.page_count)}})},
        {"size", human_size(doc.size_bytes)},
        {"date", format_date(doc.created_at)},
        {"views", doc.views},
        {"downloads", doc.downloads},
    };
}

json PageData::figure(const Document& doc, const Page& page, const std::string& lang) const {
    const std::string n = std::to_string(page.number);
    return {{"n", page.number},
            {"src", preview_url(doc.id, page.number)},
            {"alt", doc.title + "_" + translations_.tr(lang, "page_alt", {{"n", n}})},
            {"label", translations_.tr(lang, "page_of", {{"n", n}, {"m", std::to_string(doc.page_count)}})},
            {"width", page.width_px},
            {"height", page.height_px}};
}

json PageData::breadcrumb(const std::string& lang, const std::vector<Category>& chain) const {
    json crumbs = json::array({{{"name", translations_.tr(lang, "home")}, {"url", std::string(home_path)}}});
    for (const Category& c : chain) crumbs.push_back({{"name", c.name}, {"url", category_url(c.id)}});
    return crumbs;
}

json pager(const std::string& base, const QueryPairs& params, int page, std::int64_t total, int size) {
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

}  // namespace wenku::web
