// wenku worker : the sandboxed converter process (spawned by wenku itself; not for people).
#include "cli/commands.h"
#include "worker/worker_main.h"

namespace wenku::cli {

void add_worker_command(CLI::App& app, Context& ctx) {
    auto limits = std::make_shared<worker::WorkerLimits>();
    auto* cmd = app.add_subcommand("worker", "Run as a converter worker: JSON requests on stdin, results on stdout");
    cmd->group("");  // hidden from --help: wenku starts its workers itself
    cmd->add_option("--memory-mb", limits->address_space_mb, "Address-space limit");
    cmd->add_option("--file-mb", limits->file_size_mb, "Largest file the worker may write");
    cmd->add_option("--cpu-seconds", limits->cpu_seconds, "CPU time allowed per document");
    cmd->add_option("--render-memory-mb", limits->render_memory_mb, "MuPDF allocation cap");
    cmd->add_option("--scratch", limits->scratch_dir, "The worker's writable folder");
    cmd->add_flag("--in-sandbox", limits->in_sandbox, "Started inside bubblewrap");
    cmd->callback([&ctx, limits] { ctx.exit_code = worker::run_worker(*limits); });
}

}  // namespace wenku::cli
