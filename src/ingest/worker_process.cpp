#include "ingest/worker_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/errors.h"

extern char** environ;

namespace wenku {

namespace {
constexpr const char* bwrap_path = "/usr/bin/bwrap";

/// Runs argv with no input or output and returns whether it exited 0.
bool runs_cleanly(const std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    // In a process group of its own, so whatever it leaves behind can be ended with it: a failing
    // bwrap can leave its sandbox's first process waiting forever (seen in a chroot), which would
    // otherwise outlive wenku.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attributes, 0);
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, argv[0], &actions, &attributes, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (rc != 0) return false;
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    ::kill(-pid, SIGKILL);  // the group's leftovers, if any
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}
}  // namespace

bool bwrap_works() {
    static const bool works =
        ::access(bwrap_path, X_OK) == 0 &&
        runs_cleanly({bwrap_path, "--unshare-net", "--unshare-pid", "--die-with-parent", "--ro-bind", "/",
                      "/", "--dev", "/dev", "--proc", "/proc", "true"});
    return works;
}

WorkerOptions WorkerOptions::from(const ConvertConfig& config) {
    WorkerOptions o;
    o.timeout = config.timeout;
    o.address_space_mb = config.worker_memory_mb;
    o.file_size_mb = config.worker_file_mb;
    o.render_memory_mb = config.render_memory_mb;
    o.rss_limit_mb = config.worker_rss_mb;
    o.documents_per_process = config.worker_documents;
    o.limits = config.limits;
    if (config.sandbox == SandboxMode::basic) return o;
    o.sandbox = bwrap_works() ? Sandbox::bwrap : Sandbox::basic;
    if (o.sandbox == Sandbox::basic) {
        if (config.sandbox == SandboxMode::bwrap) {
            throw UsageError("convert.sandbox = bwrap, but bubblewrap (" + std::string(bwrap_path) +
                             ") is missing or cannot create namespaces here");
        }
        static std::once_flag warned;
        std::call_once(warned, [] {
            spdlog::warn("bubblewrap does not work here; converter workers run with the basic sandbox");
        });
    }
    return o;
}

std::string self_executable() {
    std::error_code ec;
    auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) throw EnvironmentError("cannot find the wenku executable: " + ec.message());
    return p.string();
}

WorkerProcess::WorkerProcess(WorkerOptions options) : options_(std::move(options)) {
    if (options_.executable.empty()) options_.executable = self_executable();
}

WorkerProcess::~WorkerProcess() { stop(); }

void WorkerProcess::start() {
    int in_pipe[2], out_pipe[2];
    if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0) {
        throw EnvironmentError(std::string("cannot create pipes for a converter worker: ") +
                               std::strerror(errno));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_pipe[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
    std::vector<std::string> args;
    if (options_.sandbox == Sandbox::bwrap) {
        // The whole system read-only (so /tmp too: temporary files go to the scratch folder; /tmp
        // is not replaced, as wenku itself may live there), the data folder hidden behind an empty
        // tmpfs, then only the worker's scratch folder (inside it) bound writable again.
        const std::string scratch = options_.scratch_dir.string();
        args = {bwrap_path,
                "--unshare-net",
                "--unshare-pid",
                "--unshare-ipc",
                "--unshare-uts",
                "--die-with-parent",
                "--new-session",
                "--ro-bind",
                "/",
                "/",
                "--dev",
                "/dev",
                "--proc",
                "/proc",
                "--setenv",
                "TMPDIR",
                scratch};
        if (!options_.hidden_dir.empty()) {
            args.insert(args.end(), {"--tmpfs", options_.hidden_dir.string()});
        }
        args.insert(args.end(), {"--bind", scratch, scratch, "--chdir", scratch, "--"});
    }
    args.insert(args.end(), {
                                options_.executable,
                                "worker",
                                "--memory-mb",
                                std::to_string(options_.address_space_mb),
                                "--file-mb",
                                std::to_string(options_.file_size_mb),
                                "--cpu-seconds",
                                std::to_string(options_.timeout.count() + 5),
                                "--render-memory-mb",
                                std::to_string(options_.render_memory_mb),
                                "--scratch",
                                options_.scratch_dir.string(),
                            });
    const std::pair<const char*, long long> content_limits[] = {
        {"--zip-max-entries", options_.limits.zip_max_entries},
        {"--zip-max-entry-mb", options_.limits.zip_max_entry_mb},
        {"--zip-max-total-mb", options_.limits.zip_max_total_mb},
        {"--zip-max-ratio", options_.limits.zip_max_ratio},
        {"--csv-max-columns", options_.limits.csv_max_columns},
        {"--csv-max-rows", options_.limits.csv_max_rows},
        {"--csv-max-cells", options_.limits.csv_max_cells},
        {"--csv-max-cell-bytes", options_.limits.csv_max_cell_bytes},
    };
    for (const auto& [flag, value] : content_limits) args.insert(args.end(), {flag, std::to_string(value)});
    if (options_.sandbox == Sandbox::bwrap) args.push_back("--in-sandbox");
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::error_code ec;
    std::filesystem::create_directories(options_.scratch_dir, ec);
    if (ec) {
        throw EnvironmentError("cannot create the worker's scratch folder " + options_.scratch_dir.string() +
                               ": " + ec.message());
    }
    const int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in_pipe[0]);
    ::close(out_pipe[1]);
    if (rc != 0) {
        ::close(in_pipe[1]);
        ::close(out_pipe[0]);
        pid_ = -1;
        throw EnvironmentError("cannot start the converter worker " + options_.executable + ": " +
                               std::strerror(rc));
    }
    to_worker_ = in_pipe[1];
    from_worker_ = out_pipe[0];
    documents_done_ = 0;
    buffer_.clear();
    ++started_;
}

void WorkerProcess::stop() {
    if (to_worker_ >= 0) ::close(to_worker_);
    if (from_worker_ >= 0) ::close(from_worker_);
    to_worker_ = from_worker_ = -1;
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
    }
    pid_ = -1;
}

ConvertResult WorkerProcess::fail(const std::string& code, const std::string& message) {
    stop();
    ConvertResult r;
    r.ok = false;
    r.error_code = code;
    r.error = message;
    return r;
}

ConvertResult WorkerProcess::convert(const ConvertRequest& request) {
    if (pid_ > 0 && documents_done_ >= options_.documents_per_process) stop();
    if (pid_ <= 0) start();
    const std::string name = request.original_name.empty() ? request.input_path : request.original_name;

    std::string line = nlohmann::json(request).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    line += '\n';
    for (std::size_t sent = 0; sent < line.size();) {
        const ssize_t n = ::write(to_worker_, line.data() + sent, line.size() - sent);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            return fail(error_code::crashed, "the converter worker died before it could read " + name);
        sent += static_cast<std::size_t>(n);
    }

    const auto deadline = std::chrono::steady_clock::now() + options_.timeout;
    char chunk[65536];
    for (;;) {
        if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
            const std::string reply = buffer_.substr(0, nl);
            buffer_.erase(0, nl + 1);
            ++documents_done_;
            ConvertResult result;
            try {
                result = nlohmann::json::parse(reply).get<ConvertResult>();
            } catch (const std::exception& e) {
                return fail(error_code::crashed, "the converter worker sent a garbled reply for " + name);
            }
            peak_rss_kb_ = std::max(peak_rss_kb_, result.worker_peak_rss_kb);
            // A worker that stays large after its document (LibreOffice keeps caches) is replaced
            // before the next one. Its resident memory now decides, not its peak: every worker
            // that once met a large document would otherwise be replaced after each later one.
            if (result.worker_rss_kb > options_.rss_limit_mb * 1024) stop();
            return result;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            return fail(error_code::timeout, "converting " + name + " took longer than " +
                                                 std::to_string(options_.timeout.count()) +
                                                 " s and was stopped");
        }
        pollfd pfd{from_worker_, POLLIN, 0};
        const int ready = ::poll(&pfd, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
        if (ready < 0 && errno != EINTR)
            return fail(error_code::crashed, "lost the converter worker for " + name);
        if (ready <= 0) continue;
        const ssize_t n = ::read(from_worker_, chunk, sizeof chunk);
        if (n > 0) {
            buffer_.append(chunk, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        // EOF: the worker died. Say how.
        int status = 0;
        ::close(to_worker_);
        ::close(from_worker_);
        to_worker_ = from_worker_ = -1;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU) {
            return fail(error_code::timeout,
                        "converting " + name + " used more CPU time than allowed and was stopped");
        }
        const std::string how = WIFSIGNALED(status) ? std::string("signal ") + ::strsignal(WTERMSIG(status))
                                                    : "exit code " + std::to_string(WEXITSTATUS(status));
        spdlog::warn("converter worker died on {} ({})", name, how);
        return fail(error_code::crashed, "the converter crashed on " + name + " (" + how + ")");
    }
}

}  // namespace wenku
