#pragma once
// `wenku worker`: the converter process. It confines itself (rlimits, no network, no new
// privileges, dies with its parent), then answers one ConvertRequest per line on stdin with one
// ConvertResult per line on stdout, until stdin closes. Nothing else is ever written to stdout.
#include <string>

#include "worker/container.h"
#include "worker/csv_table.h"

namespace wenku::worker {

struct WorkerLimits {
    long long address_space_mb = 2048;  // RLIMIT_AS
    long long file_size_mb = 512;       // RLIMIT_FSIZE
    long long cpu_seconds = 120;        // RLIMIT_CPU per document (soft limit raised per request)
    long long render_memory_mb = 1536;  // MuPDF allocator cap
    std::string scratch_dir;            // the worker's writable folder (LibreOffice profile lives here)
    bool in_sandbox = false;            // started inside bubblewrap: namespaces exist already
    ContainerLimits container;          // decompression bomb limits for ZIP-based documents
    CsvLimits csv;                      // how much of a CSV table is shown
};

/// Runs the worker loop; returns the process exit code.
int run_worker(const WorkerLimits& limits);

}  // namespace wenku::worker
