// wenku add FILE... : store files and convert them now.
#include "cli/commands.h"
#include "cli/ingest_session.h"
#include "cli/terminal.h"
#include "core/errors.h"

namespace wenku::cli {

void add_add_command(CLI::App& app, Context& ctx) {
    struct Options {
        std::vector<std::string> files;
        AddOptions add;
        int jobs = 0;
    };
    auto opt = std::make_shared<Options>();
    auto* cmd =
        app.add_subcommand("add",
                           "Add documents to the library and convert them. A file already there is refused; "
                           "one whose text nearly repeats a document there is flagged as its near-duplicate "
                           "or refused (setting ingest.near_duplicate).");
    cmd->add_option("files", opt->files, "Files to add")->required()->check(CLI::ExistingPath);
    cmd->add_option("--title", opt->add.title, "Title (default: from the document)");
    cmd->add_option("--category", opt->add.category, "Category path, e.g. 实用范文/写作指导");
    cmd->add_option("--price", opt->add.price, "Download price in points (0 = free)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--uploader", opt->add.uploader, "Uploader's user name");
    cmd->add_option("--free-pages", opt->add.free_pages,
                    "Pages readers may preview without downloading (default: setting preview.free_pages)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--jobs", opt->jobs, "Converter worker processes (default: convert.jobs)");
    cmd->callback([&ctx, opt] {
        Library& library = ctx.library();
        Progress progress(stderr, static_cast<int>(opt->files.size()));
        std::vector<std::int64_t> added;
        {
            // No more workers than files.
            IngestSession session(library, progress, /*skip_duplicates=*/false, opt->jobs,
                                  static_cast<int>(opt->files.size()));
            for (const auto& f : opt->files) {
                if (auto id = session.add(f, opt->add)) added.push_back(*id);
            }
            ctx.exit_code = session.finish();
        }
        for (const auto id : added) {
            const Document d = require_document(library, id);
            std::printf("№%lld\t%s\t%s\t%d pages\t%s\n", static_cast<long long>(d.id), to_string(d.status),
                        terminal_safe(d.format).c_str(), d.page_count,
                        terminal_safe(d.title.empty() ? d.original_name : d.title).c_str());
        }
    });
}

}  // namespace wenku::cli
