#include "cli/ingest_session.h"

#include "cli/commands.h"
#include "core/conversion.h"
#include "core/errors.h"

namespace wenku::cli {

IngestSession::IngestSession(Library& library, Progress& progress, bool skip_duplicates, int workers,
                             int max_workers)
    : library_(library), progress_(progress), skip_duplicates_(skip_duplicates), conversion_(library) {
    if (!conversion_.holds_queue_lock()) {
        std::fprintf(stderr, "another wenku process is converting in %s: files are queued for it\n",
                     library.data_dir().c_str());
        return;
    }
    conversion_.start(
        [this](const ConversionOutcome& o) {
            if (o.ok) {
                progress_.converted(o.document.original_name, o.document.page_count, o.seconds);
            } else {
                progress_.failed(o.document.original_name, o.error);
            }
        },
        workers, max_workers);
    // Documents left queued by an earlier run that died are converted now as well.
    progress_.add_total(library_.repository().count_queued_jobs());
}

std::optional<std::int64_t> IngestSession::add(const std::filesystem::path& file, const AddOptions& options) {
    const std::string name = file.filename().string();
    try {
        const std::int64_t id = enqueue_file(library_, file, options);
        conversion_.wake();
        return id;
    } catch (const DuplicateError& e) {
        if (!skip_duplicates_) {
            progress_.failed(name, e.code() + ": " + e.what());
            return std::nullopt;
        }
        const auto existing = library_.repository().find_document(e.existing_id());
        if (existing &&
            (existing->status == DocumentStatus::queued || existing->status == DocumentStatus::converting)) {
            progress_.add_total(-1);  // already counted among the queued leftovers
        } else {
            progress_.skipped(name, e.what());
        }
    } catch (const InputError& e) {
        progress_.failed(name, e.code() + ": " + e.what());
    }
    return std::nullopt;
}

int IngestSession::finish() {
    conversion_.finish();
    progress_.done();
    if (conversion_.peak_worker_rss_kb() > 0) {
        std::fprintf(stderr, "converter workers' peak memory: %lld MiB\n",
                     conversion_.peak_worker_rss_kb() / 1024);
    }
    return progress_.failures() > 0 ? exit_code::document_failed : exit_code::ok;
}

}  // namespace wenku::cli
