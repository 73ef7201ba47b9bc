#include "web/site.h"

#include <charconv>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include <spdlog/spdlog.h>

#include "core/errors.h"
#include "web/errors.h"
#include "web/request_identity.h"
#include "web/responses.h"
#include "web/router.h"
#include "web/site_services.h"
#include "web/urls.h"

namespace wenku::web {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

Response error_response(SiteServices& site, const Request& req, const std::exception& e);

/// The body size a request's Content-Length declares; 0 when it declares none (a chunked body is
/// judged once it is read).
std::uint64_t declared_length(const Request& req) {
    const std::string& header = req.header("content-length");
    std::uint64_t length = 0;
    std::from_chars(header.data(), header.data() + header.size(), length);
    return length;
}

}  // namespace

struct Site::Impl {
    Impl(Library& library, const fs::path& web_dir, std::function<void()> wake)
        : services(library, web_dir, std::move(wake)) {}

    SiteServices services;
    std::mutex flusher_mutex;
    std::condition_variable flusher_wake;
    bool flusher_stop = false;
    std::thread flusher;
};

Site::Site(Library& library, const fs::path& web_dir, std::function<void()> wake_converter)
    : impl_(std::make_unique<Impl>(library, web_dir, std::move(wake_converter))) {
    impl_->flusher = std::thread([this] {
        std::unique_lock lock(impl_->flusher_mutex);
        while (!impl_->flusher_stop) {
            impl_->flusher_wake.wait_for(lock, impl_->services.config.http.flush_interval);
            lock.unlock();
            try {
                flush_counts();
            } catch (const std::exception& e) {
                spdlog::warn("cannot save view counts and searches: {}", e.what());
            }
            lock.lock();
        }
    });
}

Site::~Site() {
    {
        std::lock_guard lock(impl_->flusher_mutex);
        impl_->flusher_stop = true;
    }
    impl_->flusher_wake.notify_all();
    impl_->flusher.join();
    try {
        flush_counts();
    } catch (const std::exception& e) {
        spdlog::warn("cannot save view counts and searches: {}", e.what());
    }
}

Response Site::handle(Request& req) {
    SiteServices& site = impl_->services;
    Response res;
    try {
        Params params;
        const Handler handler = find_handler(req.method, req.path, params);
        identify(site.accounts, req);
        check_state_change(req);
        res = handler(site, req, params);
    } catch (const std::exception& e) {
        res = error_response(site, req, e);
    }
    set_security_headers(res);
    return res;
}

std::optional<Response> Site::answer_from_memory(Request& req) {
    Params params;
    const Route* route = memory_route(req.method, req.path, params);
    if (!route || !shared_answer_allowed(req)) return std::nullopt;  // a signed-in page is its own
    try {
        MemoryOnly only;
        Response res = route->get(impl_->services, req, params);
        set_security_headers(res);
        return res;
    } catch (const std::exception&) {
        return std::nullopt;  // NeedsWork, or an error the pool answers with its page
    }
}

WorkClass Site::work_class(const Request& req) const { return web::work_class(req.method, req.path); }

std::optional<Response> Site::admit_upload(const Request& req) {
    try {
        Request identified = req;
        identify(impl_->services.accounts, identified);
        check_state_change(identified);
        api::admit_upload(impl_->services, identified, declared_length(req));
        return std::nullopt;
    } catch (const std::exception& e) {
        Response res = error_response(impl_->services, req, e);
        set_security_headers(res);
        return res;
    }
}

void Site::content_changed() { impl_->services.generation.advance(); }

void Site::flush_counts() {
    SiteServices& site = impl_->services;
    std::exception_ptr first_error;
    try {
        site.counts.flush([&](std::int64_t id, std::int64_t views, std::int64_t downloads) {
            site.repository.add_counts(id, views, downloads);
        });
    } catch (const std::exception&) {
        first_error = std::current_exception();
    }
    try {
        site.search.flush_log();
    } catch (const std::exception&) {
        if (!first_error) first_error = std::current_exception();
    }
    if (first_error) std::rethrow_exception(first_error);
}

Metrics& Site::metrics() { return impl_->services.metrics; }

fs::path default_web_dir() {
    if (const char* env = std::getenv("WENKU_WEB_DIR"); env && *env) return env;
#ifdef WENKU_WEB_DIR
    if (fs::exists(WENKU_WEB_DIR)) return WENKU_WEB_DIR;
#endif
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return exe.parent_path().parent_path() / "share" / "wenku" / "web";
}

namespace {

/// An error as an HTML page, in the request's language; as plain text when the page itself fails.
Response error_page(SiteServices& site, const Request& req, const ErrorStatus& error,
                    const std::string& message) {
    const std::string lang = site.translations.lang(req);
    const std::string heading = site.translations.tr(lang, "error_" + std::to_string(error.status));
    json ctx = site.page_data.context(req, heading, "", req.path);
    ctx["status"] = error.status;
    ctx["code"] = error.code;
    ctx["message"] = message;
    ctx["heading"] = heading;
    ctx["noindex"] = true;
    try {
        return site.renderer.render(req, "error", ctx, error.status);
    } catch (const std::exception&) {
        Response res;
        res.status = error.status;
        res.text(message + "\n", "text/plain; charset=utf-8");
        return res;
    }
}

/// What a client gets for an exception a handler threw: JSON {"error": {code, message}} under
/// /api/ and for previews and page text (with existing_id for a duplicate upload), else an error
/// page; never cached.
Response error_response(SiteServices& site, const Request& req, const std::exception& e) {
    const ErrorStatus error = error_status(e);
    if (error.status >= 500) spdlog::error("{} {}: {}", req.method, req.target, e.what());
    const std::string message = error.message_key.empty()
                                    ? std::string(e.what())
                                    : site.translations.tr(site.translations.lang(req), error.message_key);
    const bool api = req.path.starts_with("/api/");
    Response res;
    if (api || req.path.ends_with(".webp") || req.path.ends_with(".txt")) {
        json body = {{"code", error.code}, {"message", message}};
        if (auto* d = dynamic_cast<const DuplicateError*>(&e); d && api)
            body["existing_id"] = d->existing_id();
        res = json_response({{"error", body}}, error.status);
    } else {
        res = error_page(site, req, error, message);
    }
    res.set("Cache-Control", "no-store");
    if (auto* r = dynamic_cast<const StorageRefusal*>(&e); r && r->retry_after_seconds() > 0)
        res.set("Retry-After", std::to_string(r->retry_after_seconds()));
    if (auto* m = dynamic_cast<const MethodNotAllowedError*>(&e)) res.set("Allow", m->allow());
    if (auto* t = dynamic_cast<const TooManyRequestsError*>(&e))
        res.set("Retry-After", std::to_string(t->retry_after_seconds()));
    if (auto* t = dynamic_cast<const TooManyAttemptsError*>(&e))
        res.set("Retry-After", std::to_string(t->retry_after_seconds()));
    return res;
}

}  // namespace

}  // namespace wenku::web
