#pragma once
// From a file to a published document. enqueue_file() stores the original durably and queues it;
// a ConversionRunner drains the queue with a pool of worker processes, each document going
// worker → validated previews → pages/ (durable rename) → one database transaction.
// A crash at any moment leaves either no trace of a document's pages in the database or all of
// them; `wenku verify --repair` removes files a crash left behind.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <optional>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/document.h"
#include "ingest/library.h"
#include "ingest/near_duplicate_check.h"
#include "ingest/worker_process.h"
#include "search/search_index.h"

namespace wenku {

struct AddOptions {
    std::string title;     // empty = from the document
    std::string category;  // "实用范文/写作指导"; empty = none
    int price = 0;
    std::string uploader;
    std::optional<int> free_pages;  // pages readers may preview; none = the site's preview.free_pages
    std::string original_name;      // the name it was uploaded under; empty = the file's own name
};

/// Stores `file` durably as an original and queues its conversion; returns the document number.
/// Throws DuplicateError ("already in the library as №N"), InputError "empty", "too_large"
/// (convert.max_file_mb) or "unsupported" (not a regular file); EnvironmentError for disk/database
/// failures.
std::int64_t enqueue_file(Library& library, const std::filesystem::path& file, const AddOptions& options);

/// What became of one queued document.
struct ConversionOutcome {
    Document document;  // as stored after the conversion
    std::vector<Page> pages;  // ... and its pages, when ok
    bool ok = false;
    std::string error;  // "code: message" when !ok
    double seconds = 0;
};

/// Drains the library's job queue with `jobs` worker processes (one thread each).
/// The caller must hold the library's QueueLock: only one process converts, so serialising the
/// near-duplicate look-up with the commit inside this runner orders it for the whole library.
/// Throws UsageError for bad ingest.near_duplicate settings.
class ConversionRunner {
public:
    using Listener = std::function<void(const ConversionOutcome&)>;

    ConversionRunner(Library& library, int jobs, Listener on_done);
    ~ConversionRunner();  // finish()
    ConversionRunner(const ConversionRunner&) = delete;
    ConversionRunner& operator=(const ConversionRunner&) = delete;

    /// Tells idle workers that new jobs may be queued.
    void wake();
    /// Waits until the queue is empty and nothing is in flight, then stops the threads.
    void finish();
    /// Lets the documents being converted finish, leaves the rest queued (for the next runner),
    /// and stops the threads: a server's shutdown.
    void stop();
    /// After finish(): the largest peak resident memory any worker process reported, KiB.
    long long peak_worker_rss_kb() const { return peak_rss_kb_; }
    /// Documents added to the search index so far.
    std::int64_t indexed() const { return indexed_; }

private:
    void run_thread(const WorkerOptions& options);
    void index(const Document& doc, const std::vector<Page>& pages);
    void commit_index();

    Library& library_;
    Listener on_done_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool finishing_ = false;
    bool stopping_ = false;
    int busy_ = 0;
    long long peak_rss_kb_ = 0;
    NearDuplicatePolicy near_duplicate_policy_;
    std::mutex commit_mutex_;  // a near-duplicate look-up and the commit it decides
    std::vector<std::thread> threads_;
    // The search index, written as documents become ready and committed every so often (a crash
    // in between is repaired by reconcile_index() when the next runner starts).
    std::mutex index_mutex_;
    std::unique_ptr<search::IndexWriter> index_;
    std::int64_t indexed_ = 0;
    int uncommitted_ = 0;
    std::chrono::steady_clock::time_point last_commit_;
};

/// Number of worker processes for `requested` (0 = one per core).
int resolve_jobs(long long requested);

/// The scratch folder of worker `index`: DATA/workers/w<index>/. It keeps the worker's
/// LibreOffice profile between runs; job folders inside it live only while a job runs.
std::filesystem::path worker_scratch_dir(const std::filesystem::path& data_dir, int index);
/// Removes job folders left in the workers' scratch folders by a process that died; returns how
/// many. Only for the holder of the queue lock.
int clear_worker_jobs(const std::filesystem::path& data_dir);

}  // namespace wenku
