// wenku: a self-hosted document library (文库). See README.md and `wenku --help`.
#include <cstdio>
#include <cstdlib>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "core/errors.h"

int main(int argc, char** argv) {
    using namespace wenku;
    using namespace wenku::cli;
    spdlog::set_default_logger(spdlog::stderr_color_mt("wenku"));
    spdlog::set_pattern("%Y-%m-%d %H:%M:%S %^%l%$ %v");

    CLI::App app{"wenku " WENKU_VERSION
                 " — a self-hosted document library (文库): upload documents, read page "
                 "previews, search their text."};
    app.footer(
        "Exit codes: 0 success; 1 a document was refused or failed to convert; 2 usage error; 3 no such "
        "document or page; 4 environment error (disk, database, worker process); 5 verify found problems.\n"
        "Settings: see `wenku config --defaults`; each can be set in DATA/wenku.conf or as WENKU_<KEY>.");
    app.require_subcommand(1);
    Context ctx;
    if (const char* env = std::getenv("WENKU_DATA"); env && *env) ctx.data_dir = env;
    app.add_option("--data", ctx.data_dir, "Data folder: wenku.db, blobs/, pages/ (env WENKU_DATA)")
        ->capture_default_str();

    add_add_command(app, ctx);
    add_import_command(app, ctx);
    add_ls_command(app, ctx);
    add_info_command(app, ctx);
    add_text_command(app, ctx);
    add_rm_command(app, ctx);
    add_search_command(app, ctx);
    add_related_command(app, ctx);
    add_reindex_command(app, ctx);
    add_serve_command(app, ctx);
    add_reports_command(app, ctx);
    add_verify_command(app, ctx);
    add_config_command(app, ctx);
    add_demo_command(app, ctx);
    add_worker_command(app, ctx);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? exit_code::ok : exit_code::usage;
    } catch (const UsageError& e) {
        std::fprintf(stderr, "wenku: %s\n", e.what());
        return exit_code::usage;
    } catch (const NotFoundError& e) {
        std::fprintf(stderr, "wenku: %s\n", e.what());
        return exit_code::not_found;
    } catch (const InputError& e) {
        std::fprintf(stderr, "wenku: %s\n", e.what());
        return exit_code::document_failed;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "wenku: %s\n", e.what());
        return exit_code::environment;
    }
    return ctx.exit_code;
}
