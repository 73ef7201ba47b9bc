// wenku: a self-hosted document library (文库). See README.md and `wenku --help`.
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "core/errors.h"

namespace {

/// The log line's message made terminal_safe(): a title or file name it quotes can neither steer
/// the terminal nor forge log lines.
class SafeMessageFlag final : public spdlog::custom_flag_formatter {
  public:
    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
        const std::string safe =
            wenku::cli::terminal_safe(std::string_view(msg.payload.data(), msg.payload.size()));
        dest.append(safe.data(), safe.data() + safe.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<SafeMessageFlag>();
    }
};

/// Prints "wenku: <message>" on stderr, the message made terminal_safe(), and returns `code`.
int report_error(const std::exception& e, int code) {
    std::fprintf(stderr, "wenku: %s\n", wenku::cli::terminal_safe(e.what()).c_str());
    return code;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace wenku;
    using namespace wenku::cli;
    spdlog::set_default_logger(spdlog::stderr_color_mt("wenku"));
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<SafeMessageFlag>('*').set_pattern("%Y-%m-%d %H:%M:%S %^%l%$ %*");
    spdlog::set_formatter(std::move(formatter));

    CLI::App app{"wenku " WENKU_VERSION
                 " — a self-hosted document library (文库): upload documents, read page "
                 "previews, search their text."};
    app.footer(
        "Exit codes: 0 success; 1 a document was refused or failed to convert; 2 usage error; 3 no such "
        "document or page; 4 environment error (disk, database, worker process, mail server); 5 verify found "
        "problems.\n"
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
    add_user_command(app, ctx);
    add_verify_command(app, ctx);
    add_backup_command(app, ctx);
    add_restore_command(app, ctx);
    add_config_command(app, ctx);
    add_mail_command(app, ctx);
    add_demo_command(app, ctx);
    add_worker_command(app, ctx);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? exit_code::ok : exit_code::usage;
    } catch (const UsageError& e) {
        return report_error(e, exit_code::usage);
    } catch (const NotFoundError& e) {
        return report_error(e, exit_code::not_found);
    } catch (const InputError& e) {
        return report_error(e, exit_code::document_failed);
    } catch (const std::exception& e) {
        return report_error(e, exit_code::environment);
    }
    return ctx.exit_code;
}
