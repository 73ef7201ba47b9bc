#pragma once
// The site's routes: which handler answers which method and path. The table is data (routes()),
// so tests can walk every route.
#include <span>
#include <string_view>

#include "web/handlers.h"

namespace wenku::web {

struct Route {
    /// "/d/{id}/page/{n}.webp": literal segments, and parameters that each take up the rest of a
    /// segment up to the pattern's literal suffix in it.
    std::string_view pattern;
    Handler get = nullptr;                   // GET and HEAD; null when the route takes neither
    Handler post = nullptr;                  // POST; null when the route does not take it
    WorkClass get_work = WorkClass::pages;   // what a GET or HEAD costs
    WorkClass post_work = WorkClass::pages;  // what a POST costs
    /// Whether a GET may be answered on the network thread from what is in memory (MemoryOnly,
    /// cache.h): cached pages, open previews and static files, cached searches. Such a handler may
    /// run twice for one request (NeedsWork, then in its pool), so it counts views and logs
    /// searches only after its last cache lookup.
    bool get_from_memory = false;

    /// "GET, HEAD", "POST" or "GET, HEAD, POST", for an Allow header.
    std::string_view methods() const;
};

/// Every route, in the order they are tried.
std::span<const Route> routes();

/// The route that answers `method` on `path` from memory (Route::get_from_memory), with its
/// parameters in `params`; null for any other request. Cheap: no handler runs.
const Route* memory_route(std::string_view method, std::string_view path, Params& params);

/// Whether `path` matches `pattern`; on a match `params` holds the parameters (cleared first).
/// A parameter never matches an empty string or a '/'.
bool match_route(std::string_view pattern, std::string_view path, Params& params);

/// The handler of the first route whose pattern matches `path`, with its parameters in `params`.
/// Throws NotFoundError ("no page at …", "no API at …" under /api/) when no pattern matches, and
/// MethodNotAllowedError (with the route's methods) when the first one that does does not take
/// `method`.
/// What answering `method` on `path` costs, from the first route whose pattern matches (cheap: no
/// handler runs). A path no route takes, or a method it does not take, is `pages` (an error page).
WorkClass work_class(std::string_view method, std::string_view path);

Handler find_handler(std::string_view method, std::string_view path, Params& params);

}  // namespace wenku::web
