#pragma once
// The threads that answer requests, away from the network threads: one bounded pool per cost class
// (WorkClass, http.h), each with its own threads and queue, so a flood of searches fills only the
// search queue while static files, pages and uploads are answered as before. A request is admitted
// to its pool when its header has arrived (before its body is read) and refused there when the
// pool's queue is full; it waits for a thread once its body is in.
#include <array>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "web/http.h"

namespace wenku::web {

struct WorkPoolOptions {
    int threads = 1;
    int queue = 1;  // requests admitted and not yet running
    int nice = 0;   // the threads' scheduling niceness (a higher value yields to the others)
};

class WorkPools {
  public:
    /// Starts every pool's threads.
    explicit WorkPools(const std::array<WorkPoolOptions, work_class_count>& options);
    /// shutdown().
    ~WorkPools();
    WorkPools(const WorkPools&) = delete;
    WorkPools& operator=(const WorkPools&) = delete;

    /// Takes a place in the class's queue; false (and nothing taken) when it is full. Each place
    /// taken is given back by exactly one run() or cancel().
    bool admit(WorkClass c);
    /// Gives back a place admit() took, for a request that will not run (its body failed).
    void cancel(WorkClass c);
    /// Queues `job` on an admitted place; a thread of the class runs it, in order of arrival.
    void run(WorkClass c, std::function<void()> job);
    /// Requests admitted and not yet running, of one class.
    int waiting(WorkClass c) const;
    /// Stops the threads once the jobs now running end and waits for them; jobs still queued are
    /// dropped without running (destroyed in the caller's thread). Idempotent; not from a job.
    void shutdown();

  private:
    struct Pool {
        WorkPoolOptions options;
        mutable std::mutex mutex;
        std::condition_variable wake;
        std::deque<std::function<void()>> jobs;
        int admitted = 0;  // places taken, queued or not yet queued
        bool stopping = false;
        std::vector<std::thread> threads;
    };
    void work(Pool& pool);

    std::array<Pool, work_class_count> pools_;
};

}  // namespace wenku::web
