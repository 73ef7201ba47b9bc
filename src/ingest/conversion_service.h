#pragma once
// The one way a process converts its library's queue, shared by `wenku serve`, `add`, `import` and
// `verify --repair`. Only one process converts a library at a time: the service takes the
// library's QueueLock, and only while it holds it does it run a ConversionRunner
// (ingest/conversion_runner.h). Without the lock (another process converts) it converts nothing:
// documents queued meanwhile are converted by the process that holds it.
#include <functional>
#include <memory>

#include "ingest/conversion_runner.h"
#include "ingest/library.h"

namespace wenku {

class ConversionService {
  public:
    using Listener = ConversionRunner::Listener;

    /// Takes the library's queue lock if no other process holds it, without waiting; converts
    /// nothing yet (see start()). Throws EnvironmentError when the lock file cannot be opened or
    /// locked for a reason other than another holder.
    explicit ConversionService(Library& library);
    /// finish(), then releases the queue lock.
    ~ConversionService();
    ConversionService(const ConversionService&) = delete;
    ConversionService& operator=(const ConversionService&) = delete;

    /// Whether this process holds the queue lock, so that start() converts here.
    bool holds_queue_lock() const { return lock_.held(); }

    /// Starts converting the queue (and whatever a process that died left in it) with `workers`
    /// worker processes (0 = setting convert.jobs), but no more than `max_workers` (0 = no cap),
    /// reporting each document's outcome to `on_done` from the thread that converted it. Does
    /// nothing without the queue lock, or when started before. Throws UsageError for bad convert.*,
    /// preview.* or ingest.* settings and EnvironmentError when the database, the disk or the
    /// search index fails; nothing is converted then.
    void start(Listener on_done, int workers = 0, int max_workers = 0);

    /// Tells idle workers that new jobs are queued; does nothing unless started. Safe to call from
    /// any thread once start() has returned.
    void wake();
    /// Waits until the queue is empty and nothing is in flight, then stops converting. Does
    /// nothing unless started.
    void finish();
    /// Lets the documents being converted finish and leaves the rest queued for the next process
    /// that converts: a server's shutdown. Does nothing unless started.
    void stop();
    /// After finish() or stop(): the largest peak resident memory any worker process reported,
    /// KiB; 0 when none did or nothing was started.
    long long peak_worker_rss_kb() const;

  private:
    Library& library_;
    QueueLock lock_;  // released after the runner stops (members are destroyed in reverse order)
    std::unique_ptr<ConversionRunner> runner_;  // once started
};

}  // namespace wenku
