// wenku demo : write the demo documents (the project's own docs and Chinese samples) to a folder.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "blob/blob_store.h"
#include "cli/commands.h"
#include "core/errors.h"
#include "core/utf8.h"
#include "worker/markdown.h"
#include "worker/renderer.h"

namespace wenku::cli {
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw UsageError("cannot read " + p.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

void add_demo_command(CLI::App& app, Context&) {
    struct Options {
        std::string source = ".";
        std::string out;
    };
    auto opt = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("demo",
                                   "Write the demo documents to a folder: wenku's own README and docs as Markdown "
                                   "and PDF, its licence as text, and Chinese samples in UTF-8 and GB18030");
    cmd->add_option("--source", opt->source, "wenku's source folder (holds README.md, docs/, demo/)")
        ->capture_default_str()
        ->check(CLI::ExistingDirectory);
    cmd->add_option("--write", opt->out, "Folder to write the demo documents into")->required();
    cmd->callback([opt] {
        const fs::path src = opt->source;
        const fs::path out = opt->out;
        fs::create_directories(out);
        int written = 0;
        auto emit = [&](const fs::path& name, const std::string& bytes) {
            write_file_durably(out / name, bytes);
            ++written;
        };
        // The project's own documentation, as Markdown and laid out as PDF.
        std::vector<fs::path> docs = {src / "README.md"};
        if (fs::exists(src / "docs")) {
            for (const auto& e : fs::directory_iterator(src / "docs")) {
                if (e.path().extension() == ".md") docs.push_back(e.path());
            }
        }
        for (const auto& doc : docs) {
            if (!fs::exists(doc)) continue;
            const std::string md = slurp(doc);
            const std::string stem = "wenku-" + doc.stem().string();
            emit(stem + ".md", md);
            // The PDF is named by its heading, which becomes its title in the library.
            std::string title = worker::markdown_title(md);
            std::replace(title.begin(), title.end(), '/', '-');
            const fs::path pdf = out / ((title.empty() ? stem : title) + ".pdf");
            worker::write_html_as_pdf(worker::markdown_to_html(md), pdf);
            ++written;
        }
        // The licence: a long plain-text document.
        if (fs::exists(src / "LICENSE")) emit("wenku-LICENSE.txt", slurp(src / "LICENSE"));
        // Chinese samples written for the demo: UTF-8 as they are, GB18030 converted.
        if (fs::exists(src / "demo")) {
            for (const auto& e : fs::recursive_directory_iterator(src / "demo")) {
                if (!e.is_regular_file()) continue;
                const std::string bytes = slurp(e.path());
                const bool gb = e.path().parent_path().filename() == "gb18030";
                emit(e.path().filename(), gb ? encode_from_utf8(bytes, "GB18030") : bytes);
            }
        }
        std::printf("wrote %d demo documents to %s\n", written, out.c_str());
    });
}

}  // namespace wenku::cli
