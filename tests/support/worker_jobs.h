#pragma once
// A real `wenku worker` for tests, and the requests they send it: the worker process the trusted
// side runs (ingest/worker_process.h), started from the built binary.
#include <atomic>
#include <filesystem>
#include <string>

#include "core/config.h"
#include "core/conversion.h"
#include "core/settings.h"
#include "ingest/worker_process.h"
#include "support/test_support.h"

namespace wenku::test {

/// A worker running the built wenku binary, configured from `settings`, with its scratch folder
/// in `dir`.
inline WorkerProcess start_worker(const TempDir& dir, const Settings& settings = {}) {
    WorkerOptions options = WorkerOptions::from(Config::from(settings).convert);
    options.executable = WENKU_BINARY;
    options.scratch_dir = dir.path() / "scratch";
    return WorkerProcess(std::move(options));
}

/// A request for `name` (written with `bytes`) in a job folder of its own inside the scratch
/// folder of `dir`.
inline ConvertRequest request_for(const TempDir& dir, const std::string& name, const std::string& bytes) {
    static std::atomic<int> jobs{0};
    const std::filesystem::path job = dir.path() / "scratch" / ("job-" + std::to_string(++jobs));
    write_file(job / name, bytes);
    std::filesystem::create_directories(job / "out");
    ConvertRequest request;
    request.input_path = (job / name).string();
    request.output_dir = (job / "out").string();
    request.original_name = name;
    return request;
}

}  // namespace wenku::test
