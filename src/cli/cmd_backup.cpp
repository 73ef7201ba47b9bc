// wenku backup DEST / wenku restore SRC : an online, incremental backup of the library, and back
// (the mechanics in cli/backup.h).
#include <algorithm>
#include <chrono>
#include <thread>

#include "cli/backup.h"
#include "cli/commands.h"
#include "cli/terminal.h"
#include "core/conversion.h"
#include "core/errors.h"
#include "ingest/conversion_service.h"
#include "search/search_index.h"

namespace wenku::cli {
namespace fs = std::filesystem;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Whether `inner` is `outer` or lies below it (after resolving what exists of both).
bool is_within(const fs::path& inner, const fs::path& outer) {
    const fs::path a = fs::weakly_canonical(inner);
    const fs::path b = fs::weakly_canonical(outer);
    return std::mismatch(b.begin(), b.end(), a.begin(), a.end()).first == b.end();
}

/// Converts the documents a restored library holds queued or converting (they were at the
/// backup's moment); returns how many failed.
int convert_pending(Library& library, int jobs) {
    DocumentFilter queued, converting;
    queued.status = DocumentStatus::queued;
    converting.status = DocumentStatus::converting;
    const auto pending =
        library.repository().count_documents(queued) + library.repository().count_documents(converting);
    if (pending == 0) return 0;
    ConversionService conversion(library);
    Progress progress(stderr, static_cast<int>(pending));
    conversion.start(
        [&progress](const ConversionOutcome& o) {
            if (o.ok) {
                progress.converted(o.document.original_name, o.document.page_count, o.seconds);
            } else {
                progress.failed(o.document.original_name, o.error);
            }
        },
        jobs);
    conversion.finish();
    progress.done();
    return progress.failures();
}

}  // namespace

void add_backup_command(CLI::App& app, Context& ctx) {
    auto dest = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand(
        "backup",
        "Back the library up into a folder while it serves and takes uploads: a consistent snapshot of "
        "the database first, then the originals and previews it refers to, the settings (wenku.conf) and "
        "manifest.json (every document's id, status, pages and counts at the snapshot). Into the folder of "
        "an earlier backup only what is new is copied, and what the snapshot no longer refers to is "
        "removed. The search index is not copied: `wenku restore` rebuilds it.");
    cmd->add_option("dest", *dest, "Backup folder (created if missing), outside the data folder")->required();
    cmd->callback([&ctx, dest] {
        const auto start = std::chrono::steady_clock::now();
        if (!fs::is_regular_file(fs::path(ctx.data_dir) / "wenku.db"))
            throw UsageError("there is no library in " + ctx.data_dir + " to back up (no wenku.db)");
        if (is_within(*dest, ctx.data_dir) || is_within(ctx.data_dir, *dest))
            throw UsageError("back up into a folder outside the data folder " + ctx.data_dir);
        const CopySummary s = back_up(ctx.library(), *dest);
        for (const auto id : s.left_out) {
            std::printf("left out №%lld: removed from the library while the backup ran\n",
                        static_cast<long long>(id));
        }
        std::printf(
            "backup: %lld documents; %lld files copied (%s), %lld already there, %lld removed; %.1f s → %s\n",
            static_cast<long long>(s.documents), static_cast<long long>(s.files_copied),
            human_size(s.bytes_copied).c_str(), static_cast<long long>(s.files_present),
            static_cast<long long>(s.removed), seconds_since(start), terminal_safe(*dest).c_str());
    });
}

void add_restore_command(CLI::App& app, Context& ctx) {
    struct Options {
        std::string source;
        int jobs = 0;
    };
    auto opt = std::make_shared<Options>();
    auto* cmd = app.add_subcommand(
        "restore",
        "Restore a backup made by `wenku backup` into the data folder (--data), which must be new or "
        "empty: the database, the settings, the originals and previews; then rebuild the search index and "
        "convert the documents that were still queued or converting at the backup.");
    cmd->add_option("source", opt->source, "Backup folder")->required()->check(CLI::ExistingDirectory);
    cmd->add_option("--jobs", opt->jobs, "Converter worker processes (default: convert.jobs)");
    cmd->callback([&ctx, opt] {
        const auto start = std::chrono::steady_clock::now();
        const CopySummary s = restore(opt->source, ctx.data_dir);
        Library& library = ctx.library();
        const auto db_path = library.data_dir() / "wenku.db";
        const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        const auto indexed =
            search::rebuild_index([db_path] { return open_sqlite_repository(db_path.string()); },
                                  library.index_dir(), search::TextPolicy::from(library.config()), threads);
        const int failed = convert_pending(library, opt->jobs);
        if (failed > 0) ctx.exit_code = exit_code::document_failed;
        std::printf(
            "restore: %lld documents; %lld files copied (%s); search index rebuilt (%lld documents)%s; "
            "%.1f s → %s\n",
            static_cast<long long>(s.documents), static_cast<long long>(s.files_copied),
            human_size(s.bytes_copied).c_str(), static_cast<long long>(indexed),
            failed > 0 ? (", " + std::to_string(failed) + " failed to convert").c_str() : "",
            seconds_since(start), terminal_safe(library.data_dir().string()).c_str());
    });
}

}  // namespace wenku::cli
