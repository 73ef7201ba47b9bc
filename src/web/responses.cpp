#include "web/responses.h"

#include <fmt/format.h>

#include "web/http_parsing.h"

namespace wenku::web {

Response json_response(const nlohmann::json& body, int status) {
    Response res;
    res.status = status;
    res.text(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
             "application/json; charset=utf-8");
    res.set("Cache-Control", "no-cache");
    return res;
}

Response serve_file(const Request& req, const std::shared_ptr<const OpenFile>& file,
                    const std::string& content_type, const std::string& cache_control) {
    Response res;
    res.set("Content-Type", content_type);
    res.set("Cache-Control", cache_control);
    res.set("ETag", file->etag());
    res.set("Accept-Ranges", "bytes");
    if (etag_matches(req.header("if-none-match"), file->etag())) {
        res.status = 304;
        return res;
    }
    res.file = file;
    const std::string& if_range = req.header("if-range");
    if (!if_range.empty() && if_range != file->etag()) return res;
    const ByteRange range = parse_range(req.header("range"), file->size());
    switch (range.kind) {
        case ByteRange::Kind::whole:
            break;
        case ByteRange::Kind::unsatisfiable:
            res.status = 416;
            res.file.reset();
            res.text("", "text/plain; charset=utf-8");
            res.set("Content-Range", fmt::format("bytes */{}", file->size()));
            break;
        case ByteRange::Kind::part:
            res.status = 206;
            res.offset = static_cast<std::size_t>(range.first);
            res.length = static_cast<std::size_t>(range.last - range.first + 1);
            res.set("Content-Range", fmt::format("bytes {}-{}/{}", range.first, range.last, file->size()));
            break;
    }
    return res;
}

}  // namespace wenku::web
