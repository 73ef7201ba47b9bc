#pragma once
// The web layer's own request and response: what the router and the pages see. The Beast server
// (server.h) translates to and from the wire; nothing above it includes Boost.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/account.h"

namespace wenku::web {

/// What answering a request costs, known from its header alone (router.h): each class is handled
/// by a pool of threads of its own (work_pools.h), so a flood of one never delays another.
enum class WorkClass {
    light,   // static files, previews, downloads, /healthz: a file sent as it is
    pages,   // pages and API calls that read the database
    search,  // search pages and the search API
    upload,  // uploads: the body is streamed to a file first
};
inline constexpr std::size_t work_class_count = 4;
/// "light", "pages", "search" or "upload".
const char* work_class_name(WorkClass c);

struct Request {
    std::string method;                          // "GET", "HEAD", "POST", ...
    std::string target;                          // as sent: path and query
    std::string path;                            // percent-decoded, without the query
    std::map<std::string, std::string> query;    // decoded; a repeated name keeps the first value
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;                            // small bodies (forms, JSON)
    std::filesystem::path body_file;             // uploads: the body as written to disk
    std::uint64_t body_size = 0;
    std::string remote_ip;
    /// Whether the client reached the site over HTTPS, as a trusted proxy's X-Forwarded-Proto says.
    bool forwarded_https = false;

    /// Who the request acts as and how it said so: resolved once, before its handler runs
    /// (web/request_identity.h).
    Principal principal;
    enum class Authentication { none, cookie, bearer };
    Authentication authentication = Authentication::none;
    std::string session_token;  // the cookie's session token (cookie authentication)
    std::string csrf_token;     // the session's CSRF token (cookie authentication)

    /// The header's value, or "" when absent.
    const std::string& header(const std::string& lower_case_name) const;
    /// The query parameter's value, or "" when absent.
    const std::string& param(const std::string& name) const;
    /// A cookie's value, or "".
    std::string cookie(std::string_view name) const;
};

class OpenFile;  // file_cache.h

struct Response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    /// The bytes to send; shared so cached pages and previews are sent without a copy.
    std::shared_ptr<const std::string> body;
    std::size_t offset = 0;             // a Range: the part of body to send
    std::optional<std::size_t> length;  // none = to the end
    /// Or an open file sent with sendfile(2) (previews, originals, static files): the part from
    /// `offset`, `length` bytes (none = to the end); body is then unused.
    std::shared_ptr<const OpenFile> file;

    void set(const std::string& name, std::string value);
    void text(std::string content, std::string content_type);
    /// Bytes of body to send (of `body` or of `file`).
    std::size_t send_size() const;
};

/// Sets the headers every response carries, the site's and the server's own refusals alike:
/// scripts and styles only from the site itself, no plug-ins, no framing, no type sniffing.
void set_security_headers(Response& res);

}  // namespace wenku::web
