#pragma once
// Responses the handlers share: JSON bodies and files sent with sendfile(2).
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "web/file_cache.h"
#include "web/http.h"

namespace wenku::web {

/// `body` as JSON (invalid UTF-8 replaced), no-cache.
Response json_response(const nlohmann::json& body, int status = 200);

/// Sends `file` with the given type and cache policy, an ETag and Accept-Ranges: 304 when the
/// request's If-None-Match matches; 206 for a single byte range (parse_range) unless an If-Range
/// names another version; 416 with "Content-Range: bytes */size" for an unsatisfiable one.
Response serve_file(const Request& req, const std::shared_ptr<const OpenFile>& file,
                    const std::string& content_type, const std::string& cache_control);

}  // namespace wenku::web
