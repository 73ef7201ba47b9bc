#pragma once
// The web site and its JSON API over one library: routing, pages rendered from the templates in
// web/templates/, previews and originals, the free-preview limit, caches, errors mapped to HTTP
// statuses in one place. Transport-free: the Beast server (server.h) calls handle().
#include <filesystem>
#include <functional>
#include <memory>

#include "ingest/library.h"
#include "web/http.h"
#include "web/metrics.h"

namespace wenku::web {

class Site {
  public:
    /// `web_dir` holds templates/, static/, i18n/ and openapi.json. `wake_converter` is called
    /// after an upload is queued. Throws UsageError for a malformed template or setting.
    Site(Library& library, const std::filesystem::path& web_dir, std::function<void()> wake_converter);
    ~Site();

    Response handle(Request& request);
    /// Whether the request's body is an upload (streamed to a file, up to convert.max_file_mb).
    bool is_upload(const Request& request) const;
    /// Call when documents were added, converted or removed: cached pages are rendered anew.
    void content_changed();
    /// Writes batched view and download counts to the database.
    void flush_counts();
    Metrics& metrics();

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

/// The folder of templates and static files: setting-free default, next to the sources.
std::filesystem::path default_web_dir();

}  // namespace wenku::web
