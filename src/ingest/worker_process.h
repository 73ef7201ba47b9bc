#pragma once
// The trusted side's handle on one converter worker (`wenku worker`): spawns it, sends it one
// document at a time, enforces the wall-clock timeout, and replaces it when it dies, hangs, or has
// converted its quota. One WorkerProcess is used by one thread at a time.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "core/config.h"
#include "core/conversion.h"

namespace wenku {

/// How a worker is confined beyond its own rlimits.
enum class Sandbox {
    basic,  // rlimits, a private network namespace, no new privileges (the worker does it itself)
    bwrap,  // also bubblewrap: read-only system, the data folder hidden, only its scratch folder
            // writable, private /tmp, PID and IPC namespaces
};

struct WorkerOptions {
    std::string executable;             // the wenku binary; empty = this process's own executable
    std::filesystem::path scratch_dir;  // the worker's only writable folder: job folders, LibreOffice profile
    std::filesystem::path hidden_dir;   // hidden from a bwrap worker (the data folder); empty = none
    Sandbox sandbox = Sandbox::basic;
    std::chrono::seconds timeout{120};
    long long address_space_mb = 4096;
    long long file_size_mb = 512;
    long long render_memory_mb = 1536;
    long long rss_limit_mb = 1024;  // replaced after a document that left it larger
    int documents_per_process = 200;
    DocumentLimits limits;  // passed on to the worker

    /// From the convert.* settings; convert.sandbox=auto becomes bwrap when bubblewrap works here.
    /// Throws UsageError for convert.sandbox = bwrap when bubblewrap does not work.
    static WorkerOptions from(const ConvertConfig& config);
};

/// Whether bubblewrap can create the worker's namespaces on this machine (checked once).
bool bwrap_works();

class WorkerProcess {
  public:
    explicit WorkerProcess(WorkerOptions options);
    ~WorkerProcess();
    WorkerProcess(const WorkerProcess&) = delete;
    WorkerProcess& operator=(const WorkerProcess&) = delete;

    /// Converts one document. A timeout, a crash or a garbled reply is returned as a failed
    /// result (codes timeout / crashed) and the worker is replaced before the next call.
    /// Throws EnvironmentError only when no worker process can be started at all.
    ConvertResult convert(const ConvertRequest& request);

    /// Processes started so far (1 + replacements); for tests and statistics.
    int processes_started() const { return started_; }
    /// Largest peak RSS any of this object's workers reported, KiB.
    long long peak_rss_kb() const { return peak_rss_kb_; }
    const WorkerOptions& options() const { return options_; }

  private:
    void start();
    void stop();  // SIGKILL and reap
    ConvertResult fail(const std::string& code, const std::string& message);

    WorkerOptions options_;
    pid_t pid_ = -1;
    int to_worker_ = -1;
    int from_worker_ = -1;
    int documents_done_ = 0;
    int started_ = 0;
    long long peak_rss_kb_ = 0;
    std::string buffer_;
};

/// The path of the running executable (for spawning workers).
std::string self_executable();

}  // namespace wenku
