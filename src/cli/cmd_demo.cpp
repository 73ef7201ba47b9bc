// wenku demo : write the demo documents (the project's own docs and Chinese samples) to a folder.
#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "blob/blob_store.h"
#include "cli/commands.h"
#include "core/config.h"
#include "core/conversion.h"
#include "core/errors.h"
#include "core/settings.h"
#include "core/utf8.h"
#include "ingest/worker_process.h"

namespace wenku::cli {
namespace fs = std::filesystem;

namespace {

/// Lays Markdown files out as PDFs in a converter worker, like any conversion: Markdown is parsed
/// only in the sandboxed worker. The worker writes into a scratch folder of its own under the
/// system's temporary folder, removed with this object.
class MarkdownPdfMaker {
  public:
    /// Starts no worker yet; throws EnvironmentError when the scratch folder cannot be made and
    /// UsageError for a convert.sandbox the machine cannot provide.
    explicit MarkdownPdfMaker(const Settings& settings);
    ~MarkdownPdfMaker();
    MarkdownPdfMaker(const MarkdownPdfMaker&) = delete;
    MarkdownPdfMaker& operator=(const MarkdownPdfMaker&) = delete;

    struct Pdf {
        std::string title;  // the text of the first heading; may be empty
        std::string bytes;
    };
    /// The PDF of `markdown_file`. Throws EnvironmentError when the worker cannot make it.
    Pdf make(const fs::path& markdown_file);

  private:
    fs::path scratch_;
    std::unique_ptr<WorkerProcess> worker_;
    int jobs_ = 0;
};

std::string slurp(const fs::path& p);

}  // namespace

void add_demo_command(CLI::App& app, Context& ctx) {
    struct Options {
        std::string source = ".";
        std::string out;
    };
    auto opt = std::make_shared<Options>();
    auto* cmd =
        app.add_subcommand("demo",
                           "Write the demo documents to a folder: wenku's own README and docs as Markdown "
                           "and PDF, its licence as text, and Chinese samples in UTF-8 and GB18030");
    cmd->add_option("--source", opt->source, "wenku's source folder (holds README.md, docs/, demo/)")
        ->capture_default_str()
        ->check(CLI::ExistingDirectory);
    cmd->add_option("--write", opt->out, "Folder to write the demo documents into")->required();
    cmd->callback([opt, &ctx] {
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
        MarkdownPdfMaker pdfs(Settings::load(ctx.data_dir));
        for (const auto& doc : docs) {
            if (!fs::exists(doc)) continue;
            const std::string stem = "wenku-" + doc.stem().string();
            emit(stem + ".md", slurp(doc));
            // The PDF is named by its heading, which becomes its title in the library.
            MarkdownPdfMaker::Pdf pdf = pdfs.make(doc);
            std::replace(pdf.title.begin(), pdf.title.end(), '/', '-');
            emit((pdf.title.empty() ? stem : pdf.title) + ".pdf", pdf.bytes);
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

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw UsageError("cannot read " + p.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

MarkdownPdfMaker::MarkdownPdfMaker(const Settings& settings) {
    WorkerOptions options = WorkerOptions::from(Config::from(settings).convert);
    std::string pattern = (fs::temp_directory_path() / "wenku-demo-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw EnvironmentError("cannot make a scratch folder for the converter worker in " +
                               fs::temp_directory_path().string() + ": " + std::strerror(errno));
    }
    scratch_ = pattern;
    options.scratch_dir = scratch_;
    worker_ = std::make_unique<WorkerProcess>(std::move(options));
}

MarkdownPdfMaker::~MarkdownPdfMaker() {
    worker_.reset();  // the worker stops before its folder goes
    std::error_code ignored;
    fs::remove_all(scratch_, ignored);
}

MarkdownPdfMaker::Pdf MarkdownPdfMaker::make(const fs::path& markdown_file) {
    const fs::path job_dir = scratch_ / ("job-" + std::to_string(++jobs_));
    ConvertRequest request;
    request.job = JobKind::markdown_pdf;
    request.input_path = fs::absolute(markdown_file).string();
    request.output_dir = (job_dir / "out").string();
    request.original_name = markdown_file.filename().string();
    fs::create_directories(request.output_dir);
    const ConvertResult result = worker_->convert(request);
    if (!result.ok) {
        throw EnvironmentError("cannot lay out " + markdown_file.string() + " as PDF: " + result.error);
    }
    // Only the file asked for, and only a regular file, is taken from the worker's folder.
    const fs::path pdf = fs::path(request.output_dir) / markdown_pdf_file_name;
    if (!fs::is_regular_file(fs::symlink_status(pdf))) {
        throw EnvironmentError("the converter worker wrote no PDF for " + markdown_file.string());
    }
    Pdf made{result.title, slurp(pdf)};
    std::error_code ignored;
    fs::remove_all(job_dir, ignored);
    return made;
}

}  // namespace
}  // namespace wenku::cli
