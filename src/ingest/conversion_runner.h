#pragma once
// Draining the library's job queue: a pool of threads, each with its own converter worker process,
// claims jobs, converts and publishes them (ingest/publish.h) and adds each ready document to the
// search index. Used through ConversionService (ingest/conversion_service.h), which makes sure the
// process running it holds the queue lock.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/config.h"
#include "ingest/library.h"
#include "ingest/publish.h"
#include "ingest/worker_process.h"
#include "search/search_index.h"

namespace wenku {

/// Everything converting a library's queue takes from the settings, read in one place.
struct ConversionOptions {
    int workers = 1;         // worker processes, one thread each (convert.jobs; 0 there = one per core)
    WorkerOptions worker;    // confinement and limits of each worker process (convert.*)
    PublishOptions publish;  // the worker's request, the page-text cap, the near-duplicate policy
    /// The search index is committed (its new documents become searchable) after this many
    /// documents, after this much time, and whenever the queue is empty (ingest.index_commit_*).
    int index_commit_documents = 200;
    std::chrono::seconds index_commit_interval{2};
    /// How often idle threads look for jobs queued by another process (ingest.queue_poll_ms);
    /// jobs queued through this process wake them at once.
    std::chrono::milliseconds queue_poll_interval{200};

    /// From the convert, preview and ingest groups. Throws UsageError for convert.sandbox = bwrap
    /// where bubblewrap does not work.
    static ConversionOptions from(const Config& config);
};

/// Drains the job queue with `options.workers` threads, none of which claims a job while the disk
/// is below storage.min_free_mb; a conversion the full disk interrupts goes back to the queue. The caller
/// must hold the library's QueueLock: only one process converts, so serialising the near-duplicate look-up
/// with the commit inside this runner orders it for the whole library.
class ConversionRunner {
  public:
    using Listener = std::function<void(const ConversionOutcome&)>;

    /// Takes over what a process that died left behind (jobs left running are queued again, stray
    /// temporary files and job folders removed), reconciles the search index with the database,
    /// and starts the threads; each outcome is reported to `on_done` from the thread that
    /// converted it. Throws EnvironmentError when the database, the disk or the index fails.
    ConversionRunner(Library& library, const ConversionOptions& options, Listener on_done);
    ~ConversionRunner();  // finish()
    ConversionRunner(const ConversionRunner&) = delete;
    ConversionRunner& operator=(const ConversionRunner&) = delete;

    /// Tells idle workers that new jobs may be queued.
    void wake();
    /// Waits until the queue is empty and nothing is in flight, then stops the threads and commits
    /// the search index. A failure of one document is its outcome, not an exception; a failure to
    /// commit the index is logged, and the next runner's reconciliation repairs it.
    void finish();
    /// Lets the documents being converted finish, leaves the rest queued (for the next runner),
    /// and stops the threads: a server's shutdown.
    void stop();
    /// After finish(): the largest peak resident memory any worker process reported, KiB.
    long long peak_worker_rss_kb() const { return peak_rss_kb_; }
    /// Documents added to the search index so far.
    std::int64_t indexed() const { return indexed_; }

    /// How often the running converter removes failed documents past ingest.failed_retention_days.
    static constexpr std::chrono::minutes retention_check_interval{10};

  private:
    void run_thread(const WorkerOptions& options);
    /// Whether a conversion's failure is the disk's (full, or below storage.min_free_mb while it
    /// failed), not the document's.
    bool is_storage_failure(const std::exception& e);
    /// Whether a job may be claimed: nothing waits to be requeued, the disk is above
    /// storage.min_free_mb, and, after a conversion the full disk interrupted, the free space has
    /// grown since. Holding mutex_.
    bool space_to_convert();
    /// Puts a job that failed for lack of space back in the queue (at once, or as soon as the
    /// database takes the write): it is converted again when space returns, never failed for it.
    void wait_for_space(const Job& job, const std::exception& e);
    /// Requeues the jobs waiting for space that the database now accepts. Holding mutex_.
    void requeue_waiting_jobs();
    /// Every retention_check_interval (and when the runner starts): remove_expired_failures().
    void remove_expired_failures_when_due();
    void index(const Document& doc, const std::vector<Page>& pages);
    /// Commits what was indexed since the last commit; a failure is logged, not thrown.
    void commit_index();
    /// After a failed change or commit (a full disk): brings the index in step with the database
    /// unless the disk is still low; a failure is logged and tried again later. Holding
    /// index_mutex_.
    void reconcile_index_now();

    Library& library_;
    ConversionOptions options_;
    Listener on_done_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool finishing_ = false;
    bool stopping_ = false;
    int busy_ = 0;
    long long peak_rss_kb_ = 0;
    std::vector<Job> waiting_for_space_;   // interrupted by a full disk, not yet back in the queue
    std::uint64_t resume_free_bytes_ = 0;  // after such an interruption: the free space to wait for
    static constexpr std::uint64_t min_space_growth = 1 << 20;
    std::chrono::steady_clock::time_point next_retention_check_{};
    std::mutex commit_mutex_;  // a near-duplicate look-up and the commit it decides
    std::vector<std::thread> threads_;
    // The search index, written as documents become ready and committed every so often (a crash
    // in between is repaired by reconcile_index() when the next runner starts).
    std::mutex index_mutex_;
    std::unique_ptr<search::IndexWriter> index_;
    std::int64_t indexed_ = 0;
    int uncommitted_ = 0;
    bool index_out_of_step_ = false;  // a change or commit failed: reconcile when idle
    std::chrono::steady_clock::time_point last_commit_;
};

/// The scratch folder of worker `index`: DATA/workers/w<index>/. It keeps the worker's
/// LibreOffice profile between runs; job folders inside it live only while a job runs.
std::filesystem::path worker_scratch_dir(const std::filesystem::path& data_dir, int index);
/// Removes job folders left in the workers' scratch folders by a process that died; returns how
/// many. Only for the holder of the queue lock. Folders that cannot be read or removed are skipped.
int clear_worker_jobs(const std::filesystem::path& data_dir);

}  // namespace wenku
