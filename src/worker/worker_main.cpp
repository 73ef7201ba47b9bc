#include "worker/worker_main.h"

#include <malloc.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "core/conversion.h"
#include "worker/converter.h"
#include "worker/text_encoding.h"

namespace wenku::worker {

namespace {

void set_limit(int resource, rlim_t soft, rlim_t hard) {
    rlimit rl{soft, hard};
    if (::setrlimit(resource, &rl) != 0) std::perror("wenku worker: setrlimit");
}

/// Confines the process before it reads any untrusted byte.
void confine(const WorkerLimits& limits) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    // The parent died before we could follow it (inside bubblewrap's PID namespace the parent is
    // its init, pid 1, and bubblewrap itself dies with wenku).
    if (!limits.in_sandbox && ::getppid() == 1) std::_Exit(1);
    ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    ::prctl(PR_SET_DUMPABLE, 0);
    // No network: a private network namespace holds only a down loopback (bubblewrap made one
    // already). As root this needs no user namespace; otherwise try an unprivileged one.
    if (!limits.in_sandbox && ::unshare(CLONE_NEWNET) != 0 &&
        (::unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0)) {
        std::fprintf(stderr, "wenku worker: warning: cannot drop network access (unshare failed)\n");
    }
    const rlim_t mib = 1024 * 1024;
    set_limit(RLIMIT_AS, static_cast<rlim_t>(limits.address_space_mb) * mib,
              static_cast<rlim_t>(limits.address_space_mb) * mib);
    set_limit(RLIMIT_FSIZE, static_cast<rlim_t>(limits.file_size_mb) * mib,
              static_cast<rlim_t>(limits.file_size_mb) * mib);
    set_limit(RLIMIT_CORE, 0, 0);
    set_limit(RLIMIT_NOFILE, 256, 256);
}

/// Gives the next document `seconds` of CPU time from now (a backstop to the parent's wall clock).
void allow_cpu_seconds(long long seconds) {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    const rlim_t used = static_cast<rlim_t>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec);
    set_limit(RLIMIT_CPU, used + static_cast<rlim_t>(seconds), RLIM_INFINITY);
}

/// VmRSS of this process in KiB, 0 when /proc cannot tell.
long long resident_kb() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::atoll(line.c_str() + 6);
    }
    return 0;
}

}  // namespace

int run_worker(const WorkerLimits& limits) {
    // Keep the protocol channel private: fd 1 becomes stderr, so a stray print cannot corrupt it.
    const int protocol_fd = ::dup(STDOUT_FILENO);
    ::dup2(STDERR_FILENO, STDOUT_FILENO);
    FILE* protocol = ::fdopen(protocol_fd, "w");
    if (protocol == nullptr) return 1;
    prepare_text_decoding();  // loads glibc's GB18030 tables while the file system is still open
    confine(limits);

    ConverterOptions options;
    options.render.memory_limit_bytes = static_cast<std::size_t>(limits.render_memory_mb) << 20;
    options.office.profile_dir =
        std::filesystem::path(limits.scratch_dir.empty() ? "/tmp" : limits.scratch_dir) / "lo-profile";
    options.container = limits.container;
    options.csv = limits.csv;

    std::string line;
    while (std::getline(std::cin, line)) {
        ConvertResult result;
        try {
            const auto request = nlohmann::json::parse(line).get<ConvertRequest>();
            allow_cpu_seconds(limits.cpu_seconds);
            result = run_job(request, options);
        } catch (const std::exception& e) {
            result.ok = false;
            result.error_code = error_code::crashed;
            result.error = std::string("the converter failed: ") + e.what();
        }
        // Hand what the document freed back to the system before the next one, so that a worker's
        // footprint is its working set, not the high-water mark of every document it has seen.
        ::malloc_trim(0);
        rusage usage{};
        ::getrusage(RUSAGE_SELF, &usage);
        result.worker_peak_rss_kb = usage.ru_maxrss;
        result.worker_rss_kb = resident_kb();
        const std::string reply =
            nlohmann::json(result).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        std::fwrite(reply.data(), 1, reply.size(), protocol);
        std::fputc('\n', protocol);
        std::fflush(protocol);
    }
    return 0;
}

}  // namespace wenku::worker
