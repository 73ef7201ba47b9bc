#include "web/router.h"

#include <array>
#include <string>

#include "core/errors.h"
#include "web/errors.h"

namespace wenku::web {

namespace {

// One route a line, in the order they are tried: the pattern, its GET and POST handlers, what each
// costs (pages unless said), and whether a GET may be answered from memory on the network thread.
constexpr WorkClass light = WorkClass::light, pages_ = WorkClass::pages, searching = WorkClass::search,
                    upload = WorkClass::upload;
constexpr bool memory = true;
// clang-format off
constexpr std::array route_table{
    // a document
    Route{"/d/{id}",                      pages::document,      nullptr, pages_, pages_, memory},
    Route{"/d/{id}/page/{n}.webp",        files::preview,       nullptr, light,  pages_, memory},
    Route{"/d/{id}/page/{n}.txt",         files::page_text},
    Route{"/d/{id}/cover.webp",           files::cover,         nullptr, light,  pages_, memory},
    Route{"/d/{id}/read",                 pages::reader},
    Route{"/d/{id}/download",             files::download,      nullptr, light},
    Route{"/d/{id}/share",                pages::share},
    Route{"/d/{id}/qr.svg",               pages::qr_code},
    Route{"/d/{id}/report",               pages::report_form,   pages::report_submit},
    Route{"/d/{id}/favorite",             nullptr,              pages::needs_account},
    Route{"/d/{id}/tip",                  nullptr,              pages::needs_account},
    // the JSON API
    Route{"/api/documents",               api::list_documents,  api::upload,  WorkClass::pages, upload},
    Route{"/api/documents/{id}",          api::document},
    Route{"/api/documents/{id}/status",   api::status},
    Route{"/api/documents/{id}/pages",    api::pages},
    Route{"/api/search",                  api::search,          nullptr, searching, pages_, memory},
    Route{"/api/categories",              api::categories},
    Route{"/api/openapi.json",            api::openapi,         nullptr, light,  pages_, memory},
    // the rest of the site
    Route{"/",                            pages::home,          nullptr, pages_, pages_, memory},
    Route{"/search",                      pages::search,        nullptr, searching, pages_, memory},
    Route{"/c/{id}",                      pages::category},
    Route{"/upload",                      pages::upload},
    // accounts
    Route{"/register",                    pages::register_form, pages::register_submit},
    Route{"/login",                       pages::login_form,    pages::login_submit},
    Route{"/logout",                      nullptr,              pages::logout},
    Route{"/account",                     pages::account},
    Route{"/account/password",            nullptr,              pages::change_password},
    Route{"/account/sessions",            nullptr,              pages::end_sessions},
    Route{"/account/tokens",              nullptr,              pages::create_token},
    Route{"/account/tokens/{id}/revoke",  nullptr,              pages::revoke_token},
    Route{"/static/{name}",               files::static_file,   nullptr, light,  pages_, memory},
    Route{"/robots.txt",                  seo::robots,          nullptr, light,  pages_, memory},
    Route{"/sitemap.xml",                 seo::sitemap},
    Route{"/healthz",                     ops::healthz,         nullptr, light},
    Route{"/metrics",                     ops::metrics,         nullptr, light},
    // asked for by browsers showing an image or a text file
    Route{"/favicon.ico",                 files::favicon,       nullptr, light,  pages_, memory},
};
// clang-format on

}  // namespace

std::string_view Route::methods() const {
    if (get && post) return "GET, HEAD, POST";
    return get ? "GET, HEAD" : "POST";
}

std::span<const Route> routes() { return route_table; }

bool match_route(std::string_view pattern, std::string_view path, Params& params) {
    params.clear();
    while (!pattern.empty()) {
        if (path.empty()) return false;
        const auto ps = pattern.find('/', 1), xs = path.find('/', 1);
        const std::string_view pseg = pattern.substr(0, ps), xseg = path.substr(0, xs);
        pattern = ps == std::string_view::npos ? std::string_view{} : pattern.substr(ps);
        path = xs == std::string_view::npos ? std::string_view{} : path.substr(xs);
        const auto open = pseg.find('{');
        if (open == std::string_view::npos) {
            if (pseg != xseg) return false;
            continue;
        }
        const auto close = pseg.find('}', open);
        const std::string_view prefix = pseg.substr(0, open), suffix = pseg.substr(close + 1);
        if (xseg.size() <= prefix.size() + suffix.size() || !xseg.starts_with(prefix) ||
            !xseg.ends_with(suffix)) {
            return false;
        }
        params.emplace(std::string(pseg.substr(open + 1, close - open - 1)),
                       std::string(xseg.substr(prefix.size(), xseg.size() - prefix.size() - suffix.size())));
    }
    return path.empty();
}

WorkClass work_class(std::string_view method, std::string_view path) {
    const bool get = method == "GET" || method == "HEAD", post = method == "POST";
    Params params;
    for (const Route& route : route_table) {
        if (!match_route(route.pattern, path, params)) continue;
        if (get && route.get) return route.get_work;
        if (post && route.post) return route.post_work;
        return WorkClass::pages;
    }
    return WorkClass::pages;
}

const Route* memory_route(std::string_view method, std::string_view path, Params& params) {
    if (method != "GET" && method != "HEAD") return nullptr;
    for (const Route& route : route_table) {
        if (match_route(route.pattern, path, params))
            return route.get && route.get_from_memory ? &route : nullptr;
    }
    return nullptr;
}

Handler find_handler(std::string_view method, std::string_view path, Params& params) {
    const bool get = method == "GET" || method == "HEAD", post = method == "POST";
    for (const Route& route : route_table) {
        if (!match_route(route.pattern, path, params)) continue;
        if (get && route.get) return route.get;
        if (post && route.post) return route.post;
        throw MethodNotAllowedError(std::string(method) + " is not allowed on " + std::string(path),
                                    std::string(route.methods()));
    }
    throw NotFoundError((path.starts_with("/api/") ? "no API at " : "no page at ") + std::string(path));
}

}  // namespace wenku::web
