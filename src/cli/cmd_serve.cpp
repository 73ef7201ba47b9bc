// wenku serve : the web site and JSON API, converting uploads as they arrive.
#include <pthread.h>
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "core/errors.h"
#include "ingest/conversion_service.h"
#include "web/server.h"
#include "web/site.h"

namespace wenku::cli {
namespace fs = std::filesystem;

namespace {

/// Removes upload bodies a previous process left behind (it died mid-upload).
void clear_uploads(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw EnvironmentError("cannot create " + dir.string() + ": " + ec.message());
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (entry.path().filename().string().starts_with("upload-")) fs::remove(entry.path(), ec);
    }
}

/// The server's options from the http.* settings (and convert.max_file_mb for uploads).
web::ServerOptions server_options(const Config& config) {
    const HttpConfig& http = config.http;
    web::ServerOptions so;
    so.address = http.address;
    so.port = http.port;
    so.threads = http.threads;
    so.max_upload_bytes = config.convert.max_file_bytes;
    so.max_body_bytes = http.max_body_bytes;
    so.max_in_flight = http.max_in_flight;
    so.max_connections = http.max_connections;
    so.max_connections_per_address = http.max_connections_per_address;
    so.max_requests_per_address = http.max_requests_per_address;
    so.rate_per_ip = http.rate_per_ip;
    so.rate_burst = http.rate_burst;
    so.rate_table_entries = http.rate_table_entries;
    so.idle_seconds = http.idle_seconds;
    so.header_seconds = http.header_seconds;
    so.busy_percent = http.busy_percent;
    so.busy_header_seconds = http.busy_header_seconds;
    so.min_rate_bytes = http.min_rate_bytes;
    so.min_rate_seconds = http.min_rate_seconds;
    so.stop_grace_seconds = http.stop_grace_seconds;
    so.trusted_proxies = http.trusted_proxies;
    so.access_log = http.access_log;
    // Searches and uploads yield the CPU to the cheap classes: a flood of them slows only themselves.
    constexpr int expensive_nice = 5;
    const auto pool = [](const WorkPoolConfig& c, int nice) {
        return web::WorkPoolOptions{c.threads, c.queue, nice};
    };
    so.pools[static_cast<std::size_t>(web::WorkClass::light)] = pool(http.light_pool, 0);
    so.pools[static_cast<std::size_t>(web::WorkClass::pages)] = pool(http.page_pool, 0);
    so.pools[static_cast<std::size_t>(web::WorkClass::search)] = pool(http.search_pool, expensive_nice);
    so.pools[static_cast<std::size_t>(web::WorkClass::upload)] = pool(http.upload_pool, expensive_nice);
    return so;
}

}  // namespace

void add_serve_command(CLI::App& app, Context& ctx) {
    struct Options {
        std::string address, web_dir;
        int port = -1;
        int jobs = 0;
        bool no_convert = false;
    };
    auto opt = std::make_shared<Options>();
    auto* cmd = app.add_subcommand(
        "serve",
        "Serve the web site and JSON API (http://127.0.0.1:8080 by default) and convert uploaded documents. "
        "Stops gracefully on SIGINT or SIGTERM: requests in progress and conversions running finish, queued "
        "ones "
        "wait for the next start; uploads in progress get http.stop_grace_seconds. Requests are answered "
        "by thread pools per cost (light files, pages, search, uploads: http.*_threads, http.*_queue); "
        "per-address limits (http.max_connections_per_address, http.max_requests_per_address, "
        "http.rate_per_ip) and slow-client cut-offs (http.header_seconds, http.min_rate_bytes) keep one "
        "client from slowing the others. Settings: http.* (limits, address, http.trusted_proxies), "
        "site.* (name, address, footer, public_text), search.* (searches per address, 相关搜索), "
        "preview.free_pages; the 相关搜索 blocklist is DATA/search-blocklist.txt.");
    cmd->add_option("--address", opt->address, "Address to listen on (default: http.address)");
    cmd->add_option("--port", opt->port, "Port to listen on, 0 = any free one (default: http.port)");
    cmd->add_option("--web-dir", opt->web_dir,
                    "Folder of templates/, static/, i18n/ (default: the built-in one)");
    cmd->add_option("--jobs", opt->jobs, "Converter worker processes (default: convert.jobs)");
    cmd->add_flag("--no-convert", opt->no_convert, "Only serve; leave conversion to another process");
    cmd->callback([&ctx, opt] {
        Settings settings = Settings::load(ctx.data_dir);
        if (!opt->address.empty()) settings.set("http.address", opt->address);
        if (opt->port >= 0) settings.set("http.port", std::to_string(opt->port));
        Library library(ctx.data_dir, settings);
        const Config& config = library.config();
        const fs::path web_dir = opt->web_dir.empty() ? web::default_web_dir() : fs::path(opt->web_dir);

        // Signals go to one thread that waits for them; every other thread has them blocked.
        sigset_t signals;
        sigemptyset(&signals);
        sigaddset(&signals, SIGINT);
        sigaddset(&signals, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &signals, nullptr);

        ConversionService* converter = nullptr;  // set once this process converts: uploads wake it
        web::Site site(library, web_dir, [&converter] {
            if (converter) converter->wake();
        });
        // After the site: it stops converting before the site its listener tells goes away. With
        // --no-convert the queue lock is left to the process that converts.
        std::optional<ConversionService> conversion;
        if (opt->no_convert) {
            spdlog::info("not converting (--no-convert): uploads wait for another process");
        } else if (!conversion.emplace(library).holds_queue_lock()) {
            spdlog::warn("another process converts this library; uploads are queued for it");
        } else {
            conversion->start(
                [&site](const ConversionOutcome& o) {
                    site.content_changed();
                    if (o.ok) {
                        spdlog::info("converted №{} «{}»: {} pages in {:.1f} s", o.document.id,
                                     o.document.title, o.document.page_count, o.seconds);
                    } else {
                        spdlog::warn("document №{} failed: {}", o.document.id, o.error);
                    }
                },
                opt->jobs);
            converter = &*conversion;
        }

        web::ServerOptions so = server_options(config);
        so.upload_dir = library.data_dir() / "uploads";
        clear_uploads(so.upload_dir);
        web::ServerHooks hooks;
        hooks.handle = [&site](web::Request& r) { return site.handle(r); };
        hooks.work_class = [&site](const web::Request& r) { return site.work_class(r); };
        hooks.admit_upload = [&site](const web::Request& r) { return site.admit_upload(r); };
        hooks.answer_from_memory = [&site](web::Request& r) { return site.answer_from_memory(r); };
        web::Server server(so, std::move(hooks), site.metrics());

        std::thread signal_thread([&server, signals] {
            int sig = 0;
            sigwait(&signals, &sig);
            if (sig != 0) {
                spdlog::info("{}: stopping (requests in progress finish)",
                             sig == SIGINT ? "SIGINT" : "SIGTERM");
                server.stop();
            }
        });
        // The line scripts wait for: the address is bound and requests are answered from now on.
        std::printf("wenku: serving http://%s:%u/ (data %s)\n", so.address.c_str(), server.port(),
                    library.data_dir().c_str());
        std::fflush(stdout);
        // Previews, static files and connections each hold a descriptor: allow as many as the system does.
        if (rlimit files{}; getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
            files.rlim_cur = files.rlim_max;
            setrlimit(RLIMIT_NOFILE, &files);
        }
        server.run();
        // run() returns after stop(): wake the signal thread if stop came otherwise.
        pthread_kill(signal_thread.native_handle(), SIGTERM);
        signal_thread.join();
        if (conversion) conversion->stop();
        site.flush_counts();
        spdlog::info("stopped");
    });
}

}  // namespace wenku::cli
