#pragma once
// The web site and its JSON API over one library. Transport-free: the Beast server (server.h)
// calls handle(). A request goes to its handler through the route table (router.h); handlers
// (handlers.h) use the site's services (site_services.h) and templates; whatever they throw
// becomes a status in one place (errors.h) and an error page or JSON error here.
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>

#include "ingest/library.h"
#include "web/http.h"
#include "web/metrics.h"

namespace wenku::web {

class Site {
  public:
    /// `web_dir` holds templates/, static/, i18n/ and openapi.json. `wake_converter` is called
    /// after an upload is queued. Throws UsageError for a malformed template or setting,
    /// EnvironmentError for an unreadable file. Starts the flusher, which calls flush_counts()
    /// every http.flush_seconds.
    Site(Library& library, const std::filesystem::path& web_dir, std::function<void()> wake_converter);
    /// Stops the flusher and flushes once more (a failure is logged).
    ~Site();

    /// The response to a request; never throws for what a handler throws.
    Response handle(Request& request);
    /// The response to a GET of a route that may be answered from memory (Route::get_from_memory),
    /// when everything it needs is in memory: cached pages and searches, open previews and static
    /// files. None for any other request, a miss, or an error (the pool then answers it). Cheap
    /// enough for a network thread: no file is opened, no database or index read.
    std::optional<Response> answer_from_memory(Request& request);
    /// What answering the request costs, from its method and path (the route table): its body
    /// is streamed to a file (up to convert.max_file_mb) when it is an upload.
    WorkClass work_class(const Request& request) const;
    /// Whether an upload may send its body, asked with its header before any body byte is read:
    /// none when it may, else the refusal to answer at once: 403 when uploads are closed
    /// (site.uploads), 429 over the client address's daily quota, 507 when the disk would fall below
    /// storage.min_free_mb or the library pass storage.max_library_mb, judged on the declared
    /// Content-Length. The upload handler checks again once the body is read.
    std::optional<Response> admit_upload(const Request& request);
    /// Call when documents were added, converted or removed: cached pages are rendered anew.
    void content_changed();
    /// Writes the batched view and download counts, then the search log, to the database. When
    /// the database refuses counts, they are kept and written by the next call (at most
    /// http.count_backlog_entries documents: beyond that the oldest are dropped, with a warning);
    /// the first error is rethrown after both were tried.
    void flush_counts();
    Metrics& metrics();

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

/// The folder of templates and static files: setting-free default, next to the sources.
std::filesystem::path default_web_dir();

}  // namespace wenku::web
