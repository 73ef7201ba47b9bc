#include "web/urls.h"

#include "web/http_parsing.h"

namespace wenku::web {

std::string query_string(const QueryPairs& pairs) {
    std::string out;
    for (const auto& [name, value] : pairs) {
        if (value.empty()) continue;
        out += out.empty() ? "?" : "&";
        out += name + "=" + percent_encode(value);
    }
    return out;
}

std::string document_url(std::int64_t id) { return "/d/" + std::to_string(id); }

std::string preview_url(std::int64_t id, int page) {
    return document_url(id) + "/page/" + std::to_string(page) + ".webp";
}

std::string page_text_url(std::int64_t id, int page) {
    return document_url(id) + "/page/" + std::to_string(page) + ".txt";
}

std::string cover_url(std::int64_t id) { return document_url(id) + "/cover.webp"; }

std::string read_url(std::int64_t id) { return document_url(id) + "/read"; }

std::string read_url(std::int64_t id, int page) {
    const std::string n = std::to_string(page);
    return read_url(id) + "?page=" + n + "#p" + n;
}

std::string share_url(std::int64_t id) { return document_url(id) + "/share"; }

std::string report_url(std::int64_t id) { return document_url(id) + "/report"; }

std::string category_url(std::int64_t id) { return "/c/" + std::to_string(id); }

std::string api_document_url(std::int64_t id) {
    return std::string(api_documents_path) + "/" + std::to_string(id);
}

std::string api_document_status_url(std::int64_t id) { return api_document_url(id) + "/status"; }

std::string search_url(const QueryPairs& params) { return std::string(search_path) + query_string(params); }

std::string search_url(const std::string& q) { return search_url(QueryPairs{{"q", q}}); }

std::string on_site_path(std::string_view path) {
    while (!path.empty() && (path.front() == '/' || path.front() == '\\')) path.remove_prefix(1);
    std::string out = "/";
    for (const char c : path) {
        if (c == '\\') {
            out += "%5C";
        } else {
            out += c;
        }
    }
    return out;
}

std::string absolute_url(const std::string& site_url, std::string_view path) {
    return site_url + std::string(path);
}

}  // namespace wenku::web
