#pragma once
// The `wenku` command line: one file per subcommand, each adding itself to the CLI11 app.
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "ingest/library.h"

namespace wenku::cli {

/// Documented exit codes (also in `wenku --help` and README).
namespace exit_code {
inline constexpr int ok = 0;
inline constexpr int document_failed = 1;  // a document was refused or failed to convert
inline constexpr int usage = 2;            // bad command line, option or setting
inline constexpr int not_found = 3;        // no such document or page
inline constexpr int environment = 4;      // disk, database, worker process or mail server failure
inline constexpr int verify_failed = 5;    // verify found problems it did not repair
}  // namespace exit_code

/// Shared by every subcommand: global options, and the library, opened on first use.
struct Context {
    std::string data_dir = "wenku-data";
    int exit_code = exit_code::ok;
    Library& library();

  private:
    std::unique_ptr<Library> library_;
};

void add_add_command(CLI::App& app, Context& ctx);
void add_import_command(CLI::App& app, Context& ctx);
void add_ls_command(CLI::App& app, Context& ctx);
void add_info_command(CLI::App& app, Context& ctx);
void add_text_command(CLI::App& app, Context& ctx);
void add_rm_command(CLI::App& app, Context& ctx);
void add_verify_command(CLI::App& app, Context& ctx);
void add_config_command(CLI::App& app, Context& ctx);
void add_demo_command(CLI::App& app, Context& ctx);
void add_worker_command(CLI::App& app, Context& ctx);
void add_search_command(CLI::App& app, Context& ctx);
void add_related_command(CLI::App& app, Context& ctx);
void add_reindex_command(CLI::App& app, Context& ctx);
void add_serve_command(CLI::App& app, Context& ctx);
void add_reports_command(CLI::App& app, Context& ctx);
void add_user_command(CLI::App& app, Context& ctx);
void add_backup_command(CLI::App& app, Context& ctx);
void add_restore_command(CLI::App& app, Context& ctx);
void add_mail_command(CLI::App& app, Context& ctx);

/// Parses a document number "12" or "№12"; throws UsageError.
std::int64_t parse_document_number(const std::string& s);
/// Finds a document or throws NotFoundError ("no document №N").
Document require_document(Library& library, std::int64_t id);

}  // namespace wenku::cli
