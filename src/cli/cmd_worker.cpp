// wenku worker : the sandboxed converter process (spawned by wenku itself; not for people). The one
// trusted-side file that links the worker code: the `wenku` executable builds it, the trusted
// library does not.
#include <cstdint>

#include "cli/commands.h"
#include "worker/worker_main.h"

namespace wenku::cli {

void add_worker_command(CLI::App& app, Context& ctx) {
    auto limits = std::make_shared<worker::WorkerLimits>();
    auto* cmd =
        app.add_subcommand("worker", "Run as a converter worker: JSON requests on stdin, results on stdout");
    cmd->group("");  // hidden from --help: wenku starts its workers itself
    cmd->add_option("--memory-mb", limits->address_space_mb, "Address-space limit");
    cmd->add_option("--file-mb", limits->file_size_mb, "Largest file the worker may write");
    cmd->add_option("--cpu-seconds", limits->cpu_seconds, "CPU time allowed per document");
    cmd->add_option("--render-memory-mb", limits->render_memory_mb, "MuPDF allocation cap");
    cmd->add_option("--scratch", limits->scratch_dir, "The worker's writable folder");
    cmd->add_flag("--in-sandbox", limits->in_sandbox, "Started inside bubblewrap");
    cmd->add_option("--zip-max-entries", limits->container.max_entries,
                    "Entries a ZIP-based document may have");
    cmd->add_option_function<std::uint64_t>(
        "--zip-max-entry-mb", [limits](std::uint64_t mb) { limits->container.max_entry_bytes = mb << 20; },
        "Uncompressed size of one ZIP entry");
    cmd->add_option_function<std::uint64_t>(
        "--zip-max-total-mb", [limits](std::uint64_t mb) { limits->container.max_total_bytes = mb << 20; },
        "Uncompressed size of all ZIP entries");
    cmd->add_option("--zip-max-ratio", limits->container.max_ratio, "Compression ratio of a large ZIP entry");
    cmd->add_option("--csv-max-columns", limits->csv.max_columns, "Columns of a CSV table shown");
    cmd->add_option("--csv-max-rows", limits->csv.max_rows, "Records of a CSV table shown");
    cmd->add_option("--csv-max-cells", limits->csv.max_cells, "Cells of a CSV table shown");
    cmd->add_option("--csv-max-cell-bytes", limits->csv.max_cell_bytes, "Bytes of a CSV cell shown");
    cmd->callback([&ctx, limits] { ctx.exit_code = worker::run_worker(*limits); });
}

}  // namespace wenku::cli
