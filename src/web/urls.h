#pragma once
// Every address the site links to, built here and nowhere else (the route table in router.cpp is
// their other side). Paths are relative to the site; absolute_url() puts site.url in front.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wenku::web {

/// Query parameters in order, as name/value pairs (values unencoded).
using QueryPairs = std::vector<std::pair<std::string, std::string>>;

/// "?a=1&b=2": values percent-encoded, pairs with an empty value left out; "" when none is left.
std::string query_string(const QueryPairs& pairs);

inline constexpr std::string_view home_path = "/";
inline constexpr std::string_view upload_path = "/upload";
inline constexpr std::string_view search_path = "/search";
inline constexpr std::string_view api_documents_path = "/api/documents";  // the list, and uploads
inline constexpr std::string_view sitemap_path = "/sitemap.xml";
inline constexpr std::string_view favicon_path = "/static/favicon.svg";
/// What stands for the cover (page 1) of a document without free pages, under web/ and on the site.
inline constexpr std::string_view locked_cover_file = "static/locked-cover.svg";
inline constexpr std::string_view locked_cover_path = "/static/locked-cover.svg";

std::string document_url(std::int64_t id);             // /d/12
std::string preview_url(std::int64_t id, int page);    // /d/12/page/3.webp
std::string page_text_url(std::int64_t id, int page);  // /d/12/page/3.txt
std::string cover_url(std::int64_t id);                // /d/12/cover.webp
std::string read_url(std::int64_t id);                 // /d/12/read
std::string read_url(std::int64_t id, int page);       // /d/12/read?page=3#p3: the reader at page 3
std::string share_url(std::int64_t id);                // /d/12/share
std::string report_url(std::int64_t id);               // /d/12/report
std::string category_url(std::int64_t id);             // /c/3
std::string api_document_url(std::int64_t id);         // /api/documents/12
std::string api_document_status_url(std::int64_t id);  // /api/documents/12/status
/// The search page with these parameters: /search?q=…&format=…
std::string search_url(const QueryPairs& params);
/// The search page for `q`: /search?q=…
std::string search_url(const std::string& q);

/// `path` as a link that stays on this site whatever it holds: one leading '/' (never "//host",
/// which browsers read as another site), each backslash as %5C (browsers read '\' as '/').
std::string on_site_path(std::string_view path);

/// `path` on the site's public address (site.url, without its trailing '/').
std::string absolute_url(const std::string& site_url, std::string_view path);

}  // namespace wenku::web
