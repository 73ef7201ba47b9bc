// wenku verify [--repair] : prove the library is whole after a crash, and mend what can be mended.
#include <fstream>
#include <limits>
#include <set>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "core/conversion.h"
#include "core/errors.h"
#include "ingest/conversion_runner.h"
#include "ingest/conversion_service.h"
#include "ingest/retention.h"
#include "search/search_index.h"

namespace wenku::cli {
namespace fs = std::filesystem;

namespace {

struct Problem {
    std::string what;
    enum class Fix {
        none,
        requeue,
        remove_blob,
        remove_pages,
        clear_leftovers,
        reconcile_index
    } fix = Fix::none;
    std::int64_t document_id = 0;
    std::string sha256;
};

bool is_webp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    char head[12] = {};
    in.read(head, sizeof head);
    return in.gcount() == 12 && std::string_view(head, 4) == "RIFF" &&
           std::string_view(head + 8, 4) == "WEBP";
}

std::vector<Problem> find_problems(Library& library, long long& pages_checked) {
    std::vector<Problem> problems;
    Repository& repo = library.repository();
    BlobStore& blobs = library.blobs();
    std::set<std::string> known, ready;
    DocumentFilter all;
    all.limit = 1 << 30;
    for (const Document& d : repo.list_documents(all)) {
        const std::string label = "№" + std::to_string(d.id) + " (" + d.original_name + ")";
        known.insert(d.sha256);
        if (!blobs.has_original(d.sha256)) {
            problems.push_back(
                {label + ": the original file is missing", Problem::Fix::none, d.id, d.sha256});
            continue;
        }
        if (BlobStore::sha256_file(blobs.original_path(d.sha256)) != d.sha256) {
            problems.push_back({label + ": the original file is corrupt (its SHA-256 does not match)",
                                Problem::Fix::none, d.id, d.sha256});
            continue;
        }
        if (d.status == DocumentStatus::queued || d.status == DocumentStatus::converting) {
            problems.push_back(
                {label + ": conversion never finished", Problem::Fix::requeue, d.id, d.sha256});
            continue;
        }
        if (d.status != DocumentStatus::ready) continue;
        ready.insert(d.sha256);
        const auto pages = repo.pages(d.id);
        const fs::path dir = blobs.pages_dir(d.sha256);
        std::string broken;
        if (static_cast<int>(pages.size()) != d.page_count) {
            broken =
                "has " + std::to_string(pages.size()) + " pages stored of " + std::to_string(d.page_count);
        } else if (!is_webp(dir / cover_file_name)) {
            broken = "its cover thumbnail is missing or damaged";
        }
        for (const Page& p : pages) {
            ++pages_checked;
            if (broken.empty() && !is_webp(dir / preview_file_name(p.number)))
                broken = "the preview of page " + std::to_string(p.number) + " is missing or damaged";
        }
        if (!broken.empty())
            problems.push_back({label + ": " + broken, Problem::Fix::requeue, d.id, d.sha256});
    }
    for (const auto& sha : blobs.list_originals()) {
        if (!known.contains(sha))
            problems.push_back(
                {"original " + sha + " belongs to no document", Problem::Fix::remove_blob, 0, sha});
    }
    for (const auto& sha : blobs.list_page_sets()) {
        if (!ready.contains(sha))
            problems.push_back(
                {"previews " + sha + " belong to no ready document", Problem::Fix::remove_pages, 0, sha});
    }
    bool leftovers = false;
    std::error_code ec;
    for (const auto& worker : fs::directory_iterator(library.data_dir() / "workers", ec)) {
        for (const auto& entry : fs::directory_iterator(worker.path(), ec)) {
            leftovers = leftovers || entry.path().filename().string().starts_with("job-");
        }
    }
    if (leftovers)
        problems.push_back(
            {"files of an interrupted conversion are left behind", Problem::Fix::clear_leftovers});
    // The search index holds exactly the ready documents.
    DocumentFilter ready_filter;
    ready_filter.status = DocumentStatus::ready;
    ready_filter.limit = std::numeric_limits<int>::max();
    std::set<std::int64_t> ready_ids;
    for (const auto& d : library.repository().list_documents(ready_filter)) ready_ids.insert(d.id);
    const auto indexed = search::IndexReader(library.index_dir()).document_ids();
    const std::set<std::int64_t> indexed_ids(indexed.begin(), indexed.end());
    long missing = 0;
    long stray = 0;
    for (const auto id : ready_ids) missing += indexed_ids.contains(id) ? 0 : 1;
    for (const auto id : indexed_ids) stray += ready_ids.contains(id) ? 0 : 1;
    if (missing + stray > 0) {
        problems.push_back({"the search index lacks " + std::to_string(missing) +
                                " ready documents and holds " + std::to_string(stray) + " that are not",
                            Problem::Fix::reconcile_index});
    }
    return problems;
}

}  // namespace

void add_verify_command(CLI::App& app, Context& ctx) {
    auto repair = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand(
        "verify",
        "Check every original against its SHA-256, every preview, the search index, and "
        "look for files no document owns. With --repair: remove orphans, bring the index in "
        "line, re-convert what is damaged, and remove failed documents kept past "
        "ingest.failed_retention_days.");
    cmd->add_flag("--repair", *repair, "Mend what can be mended");
    cmd->callback([&ctx, repair] {
        Library& library = ctx.library();
        // The queue lock, held from the first check to the last: no other process converts
        // meanwhile.
        ConversionService conversion(library);
        if (!conversion.holds_queue_lock()) {
            throw EnvironmentError(
                "another wenku process is converting in " + library.data_dir().string() +
                "; its work in flight would look like damage: run verify when it has stopped");
        }
        if (*repair) {
            // Not damage, but what the library keeps no longer: failed documents past their days.
            if (const int expired = remove_expired_failures(library, unix_seconds_now()); expired > 0) {
                std::printf("removed %d failed documents kept past ingest.failed_retention_days\n", expired);
            }
        }
        long long pages_checked = 0;
        auto problems = find_problems(library, pages_checked);
        for (const auto& p : problems) std::printf("problem: %s\n", terminal_safe(p.what).c_str());
        int repaired = 0;
        if (*repair && !problems.empty()) {
            bool requeued = false;
            for (const auto& p : problems) {
                switch (p.fix) {
                    case Problem::Fix::none:
                        continue;
                    case Problem::Fix::requeue:
                        library.repository().requeue_document(p.document_id);
                        requeued = true;
                        break;
                    case Problem::Fix::remove_blob:
                        library.blobs().remove_original(p.sha256);
                        break;
                    case Problem::Fix::remove_pages:
                        library.blobs().remove_pages(p.sha256);
                        break;
                    case Problem::Fix::clear_leftovers:
                        library.blobs().remove_stray_temp_files();
                        clear_worker_jobs(library.data_dir());
                        break;
                    case Problem::Fix::reconcile_index:
                        search::reconcile_index(library.repository(), library.index_dir(),
                                                search::TextPolicy::from(library.config()),
                                                search::ReconcileCheck::full);
                        break;
                }
                ++repaired;
            }
            if (requeued) {
                Progress progress(stderr, library.repository().count_queued_jobs());
                conversion.start([&progress](const ConversionOutcome& o) {
                    if (o.ok) {
                        progress.converted(o.document.original_name, o.document.page_count, o.seconds);
                    } else {
                        progress.failed(o.document.original_name, o.error);
                    }
                });
                conversion.finish();
                progress.done();
            }
            pages_checked = 0;
            problems = find_problems(library, pages_checked);
            for (const auto& p : problems) std::printf("still: %s\n", terminal_safe(p.what).c_str());
        }
        std::printf("verify: %lld documents, %lld pages checked; %zu problems%s\n",
                    static_cast<long long>(library.repository().count_documents(DocumentFilter{})),
                    pages_checked, problems.size(),
                    *repair ? (" (" + std::to_string(repaired) + " repairs made)").c_str() : "");
        ctx.exit_code = problems.empty() ? exit_code::ok : exit_code::verify_failed;
    });
}

}  // namespace wenku::cli
