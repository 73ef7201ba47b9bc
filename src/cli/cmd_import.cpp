// wenku import DIR : add every file below a folder; resumable.
#include <algorithm>
#include <filesystem>

#include "cli/commands.h"
#include "cli/ingest_session.h"
#include "core/errors.h"

namespace wenku::cli {
namespace fs = std::filesystem;

namespace {
/// Regular files below `dir`, largest first (then by name), skipping hidden files and folders;
/// symlinks are not followed. Largest first keeps both workers busy to the end instead of leaving
/// one big document converting alone after everything else is done (about 20% less wall time
/// on the corpus PDFs).
std::vector<fs::path> files_below(const fs::path& dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
    if (ec) throw UsageError("cannot read " + dir.string() + ": " + ec.message());
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) break;
        const std::string name = it->path().filename().string();
        if (name.starts_with(".")) {
            if (it->is_directory()) it.disable_recursion_pending();
            continue;
        }
        if (it->is_regular_file() && !it->is_symlink()) files.push_back(it->path());
    }
    std::vector<std::pair<std::uintmax_t, fs::path>> sized;
    for (auto& f : files) sized.emplace_back(fs::file_size(f, ec), std::move(f));
    std::sort(sized.begin(), sized.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    files.clear();
    for (auto& [size, f] : sized) files.push_back(std::move(f));
    return files;
}
}  // namespace

void add_import_command(CLI::App& app, Context& ctx) {
    struct Options {
        std::string dir;
        AddOptions add;
        int jobs = 0;
    };
    auto opt = std::make_shared<Options>();
    auto* cmd = app.add_subcommand(
        "import",
        "Add every file below a folder (recursive, largest first). Re-running skips what is already in the "
        "library and finishes what an interrupted run left queued. Near-copies of documents in the library "
        "are flagged or refused (setting ingest.near_duplicate).");
    cmd->add_option("dir", opt->dir, "Folder to import")->required()->check(CLI::ExistingDirectory);
    cmd->add_option("--category", opt->add.category, "Category path for every file");
    cmd->add_option("--uploader", opt->add.uploader, "Uploader's user name");
    cmd->add_option("--free-pages", opt->add.free_pages,
                    "Pages readers may preview without downloading (default: setting preview.free_pages)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--jobs", opt->jobs, "Converter worker processes (default: convert.jobs)");
    cmd->callback([&ctx, opt] {
        Library& library = ctx.library();
        const auto files = files_below(opt->dir);
        Progress progress(stderr, static_cast<int>(files.size()));
        IngestSession session(library, progress, /*skip_duplicates=*/true, opt->jobs);
        for (const auto& f : files) session.add(f, opt->add);
        ctx.exit_code = session.finish();
    });
}

}  // namespace wenku::cli
