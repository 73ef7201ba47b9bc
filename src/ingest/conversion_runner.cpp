#include "ingest/conversion_runner.h"

#include <algorithm>
#include <optional>
#include <string>
#include <system_error>

#include <spdlog/spdlog.h>

#include "core/errors.h"
#include "ingest/retention.h"

namespace wenku {
namespace fs = std::filesystem;

namespace {

/// Number of worker processes for `requested` (0 or less = one per core).
int resolve_workers(long long requested);

}  // namespace

ConversionOptions ConversionOptions::from(const Config& config) {
    ConversionOptions o;
    o.publish.near_duplicate = NearDuplicatePolicy::from(config.ingest);
    o.workers = resolve_workers(config.convert.jobs);
    o.worker = WorkerOptions::from(config.convert);

    ConvertRequest& request = o.publish.request;
    request.preview_width = config.preview.width;
    request.thumb_width = config.preview.thumb_width;
    request.webp_quality = config.preview.webp_quality;
    request.max_pages = config.convert.max_pages;
    request.max_pixels = config.convert.max_page_pixels;
    request.watermark = config.preview.watermark;
    request.watermark_opacity = config.preview.watermark_opacity;
    request.ocr = config.convert.ocr;
    request.ocr_languages = config.convert.ocr_languages;
    request.ocr_page_seconds = config.convert.ocr_page_seconds;
    request.ocr_document_seconds = static_cast<double>(config.convert.ocr_document_seconds);
    request.ocr_max_pixels = config.convert.ocr_max_pixels;
    request.paper = config.convert.paper;
    o.publish.max_page_text_bytes = config.ingest.max_page_text_bytes;

    o.index_commit_documents = config.ingest.index_commit_documents;
    o.index_commit_interval = config.ingest.index_commit_interval;
    o.queue_poll_interval = config.ingest.queue_poll_interval;
    return o;
}

ConversionRunner::ConversionRunner(Library& library, const ConversionOptions& options, Listener on_done)
    : library_(library), options_(options), on_done_(std::move(on_done)) {
    // This process holds the queue lock: whatever is running or staged belongs to one that died.
    library_.repository().requeue_abandoned_jobs();
    library_.blobs().remove_stray_temp_files();
    clear_worker_jobs(library_.data_dir());
    const auto policy = search::TextPolicy::from(library_.config());
    search::reconcile_index(library_.repository(), library_.index_dir(), policy);
    index_ = std::make_unique<search::IndexWriter>(library_.index_dir(), policy);
    last_commit_ = std::chrono::steady_clock::now();
    for (int i = 0; i < options_.workers; ++i) {
        WorkerOptions worker = options_.worker;
        worker.scratch_dir = worker_scratch_dir(library_.data_dir(), i);
        worker.hidden_dir = library_.data_dir();
        threads_.emplace_back([this, worker] { run_thread(worker); });
    }
}

ConversionRunner::~ConversionRunner() { finish(); }

void ConversionRunner::wake() {
    // Taking the mutex orders this after a waiter's failed claim: it is then waiting, and wakes.
    { std::lock_guard lock(mutex_); }
    wake_.notify_all();
}

void ConversionRunner::finish() {
    {
        std::lock_guard lock(mutex_);
        finishing_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) {
        if (t.joinable()) t.join();
    }
    threads_.clear();
    {
        std::lock_guard lock(mutex_);
        requeue_waiting_jobs();
        if (!waiting_for_space_.empty()) {
            spdlog::warn("{} documents interrupted by the full disk are queued again by the next run",
                         waiting_for_space_.size());
        }
    }
    std::lock_guard lock(index_mutex_);
    if (index_) commit_index();
    if (index_out_of_step_) reconcile_index_now();
    index_.reset();
}

void ConversionRunner::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    finish();
}

void ConversionRunner::run_thread(const WorkerOptions& options) {
    WorkerProcess worker(options);
    for (;;) {
        remove_expired_failures_when_due();
        std::optional<Job> job;
        {
            std::unique_lock lock(mutex_);
            if (stopping_) return;
            requeue_waiting_jobs();
            if (!space_to_convert()) {
                // No conversion starts on a full disk: the jobs wait in the queue until space
                // returns. A runner asked to finish leaves them there for the next one.
                if (finishing_ && busy_ == 0) {
                    spdlog::warn(
                        "the disk is below storage.min_free_mb: queued documents wait for the next run");
                    peak_rss_kb_ = std::max(peak_rss_kb_, worker.peak_rss_kb());
                    return;
                }
                wake_.wait_for(lock, options_.queue_poll_interval);
                continue;
            }
            try {
                job = library_.repository().claim_job();
            } catch (const std::exception& e) {
                // A full or failing database: no job now (thrown from this thread, it would end
                // the process). The next round tries again.
                spdlog::warn("cannot claim a job: {}", e.what());
                wake_.wait_for(lock, options_.queue_poll_interval);
                continue;
            }
            if (!job) {
                {
                    // Idle: what was indexed since the last commit becomes visible now, not with
                    // the next document (a server may wait long for one).
                    std::lock_guard index_lock(index_mutex_);
                    if (index_) commit_index();
                    if (index_out_of_step_) reconcile_index_now();
                }
                // Finished only when no other thread is mid-job (it cannot add jobs, but the
                // enqueuing side may still be adding while a job runs).
                if (finishing_ && busy_ == 0) {
                    peak_rss_kb_ = std::max(peak_rss_kb_, worker.peak_rss_kb());
                    return;
                }
                wake_.wait_for(lock, options_.queue_poll_interval);
                continue;
            }
            ++busy_;
        }
        ConversionOutcome outcome;
        try {
            outcome = convert_job(library_, worker, *job, options_.publish, commit_mutex_);
        } catch (const std::exception& e) {
            if (is_storage_failure(e)) {
                wait_for_space(*job, e);
                continue;
            }
            spdlog::error("conversion of document №{} failed: {}", job->document_id, e.what());
            // The document's error is shown to its uploader: the details (paths) go to the log only.
            outcome.error = "crashed: the converter failed on this server (its log says why)";
            try {
                library_.repository().fail_job(*job, outcome.error);
                if (auto d = library_.repository().find_document(job->document_id)) outcome.document = *d;
            } catch (const std::exception& e2) {
                spdlog::error("cannot record the failure of document №{}: {}", job->document_id, e2.what());
            }
        }
        if (outcome.ok) {
            try {
                index(outcome.document, outcome.pages);
            } catch (const std::exception& e) {
                // The document is stored; the index catches up when the queue is next idle.
                spdlog::error("search index: cannot add document №{}: {}", outcome.document.id, e.what());
                std::lock_guard index_lock(index_mutex_);
                index_out_of_step_ = true;
            }
        }
        {
            std::lock_guard lock(mutex_);
            --busy_;
        }
        wake_.notify_all();
        if (on_done_) on_done_(outcome);
    }
}

bool ConversionRunner::is_storage_failure(const std::exception& e) {
    if (is_out_of_space(e)) return true;
    // A write that failed in another way while the disk is below its floor is counted as the disk's.
    const bool environment =
        dynamic_cast<const EnvironmentError*>(&e) || dynamic_cast<const std::system_error*>(&e);
    return environment && library_.storage().low();
}

bool ConversionRunner::space_to_convert() {
    if (!waiting_for_space_.empty()) return false;
    const std::uint64_t free_bytes = library_.storage().measure().free_bytes;
    if (free_bytes < library_.storage().min_free_bytes() || free_bytes < resume_free_bytes_) return false;
    resume_free_bytes_ = 0;
    return true;
}

void ConversionRunner::wait_for_space(const Job& job, const std::exception& e) {
    spdlog::warn("document №{} goes back to the queue until the disk has space: {}", job.document_id,
                 e.what());
    // The space there is now (the job folder is gone) did not suffice: converting resumes once
    // the free space has grown by the floor at least, not for another try that fills it again.
    const std::uint64_t grow = std::max<std::uint64_t>(library_.storage().min_free_bytes(), min_space_growth);
    const std::uint64_t resume = library_.storage().measure().free_bytes + grow;
    {
        std::lock_guard lock(mutex_);
        resume_free_bytes_ = std::max(resume_free_bytes_, resume);
        waiting_for_space_.push_back(job);
        requeue_waiting_jobs();
        --busy_;
    }
    wake_.notify_all();
}

void ConversionRunner::requeue_waiting_jobs() {
    while (!waiting_for_space_.empty()) {
        try {
            library_.repository().requeue_document(waiting_for_space_.back().document_id);
        } catch (const NotFoundError&) {
            // Removed meanwhile: nothing to requeue.
        } catch (const std::exception& e) {
            spdlog::debug("cannot requeue document №{} yet: {}", waiting_for_space_.back().document_id,
                          e.what());
            return;  // the database is full too: tried again on the next round
        }
        waiting_for_space_.pop_back();
    }
}

void ConversionRunner::remove_expired_failures_when_due() {
    {
        std::lock_guard lock(mutex_);
        const auto now = std::chrono::steady_clock::now();
        if (now < next_retention_check_) return;
        next_retention_check_ = now + retention_check_interval;
    }
    try {
        remove_expired_failures(library_, unix_seconds_now());
    } catch (const std::exception& e) {
        spdlog::warn("cannot remove failed documents past ingest.failed_retention_days: {}", e.what());
    }
}

void ConversionRunner::index(const Document& doc, const std::vector<Page>& pages) {
    std::lock_guard lock(index_mutex_);
    if (!index_) {
        index_out_of_step_ = true;
        return;
    }
    auto& repo = library_.repository();
    const auto chain = doc.category_id ? repo.category_chain(*doc.category_id) : std::vector<Category>{};
    index_->add(doc, pages, chain);
    ++indexed_;
    ++uncommitted_;
    if (uncommitted_ >= options_.index_commit_documents ||
        std::chrono::steady_clock::now() - last_commit_ > options_.index_commit_interval) {
        commit_index();
    }
}

void ConversionRunner::commit_index() {
    if (uncommitted_ == 0) return;
    try {
        index_->commit();
    } catch (const std::exception& e) {
        // The documents are stored, and reconciliation indexes them again (reconcile_index_now(),
        // else the next runner's). Thrown from a converter thread or a destructor, it would end
        // the process.
        spdlog::error("{}", e.what());
        index_out_of_step_ = true;
    }
    uncommitted_ = 0;
    last_commit_ = std::chrono::steady_clock::now();
}

void ConversionRunner::reconcile_index_now() {
    if (library_.storage().low()) return;  // it would fail again: when space returns
    try {
        index_.reset();  // one writer at a time: reconciliation writes with its own
        search::reconcile_index(library_.repository(), library_.index_dir(),
                                search::TextPolicy::from(library_.config()));
        index_out_of_step_ = false;
        spdlog::info("search index: back in step with the database");
    } catch (const std::exception& e) {
        spdlog::error("search index: cannot bring it in step with the database yet: {}", e.what());
    }
    try {
        index_ = std::make_unique<search::IndexWriter>(library_.index_dir(),
                                                       search::TextPolicy::from(library_.config()));
    } catch (const std::exception& e) {
        // Documents converted meanwhile are not indexed; the flag brings them in on the next try.
        spdlog::error("search index: cannot reopen it: {}", e.what());
        index_out_of_step_ = true;
    }
}

fs::path worker_scratch_dir(const fs::path& data_dir, int index) {
    return data_dir / "workers" / ("w" + std::to_string(index));
}

int clear_worker_jobs(const fs::path& data_dir) {
    int removed = 0;
    std::error_code ec;
    for (const auto& worker : fs::directory_iterator(data_dir / "workers", ec)) {
        for (const auto& entry : fs::directory_iterator(worker.path(), ec)) {
            if (entry.path().filename().string().starts_with("job-")) {
                fs::remove_all(entry.path(), ec);
                ++removed;
            }
        }
    }
    return removed;
}

namespace {

int resolve_workers(long long requested) {
    if (requested > 0) return static_cast<int>(requested);
    const unsigned cores = std::thread::hardware_concurrency();
    return cores == 0 ? 1 : static_cast<int>(cores);
}

}  // namespace
}  // namespace wenku
