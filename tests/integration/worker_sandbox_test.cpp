// `wenku worker` confines itself before it reads a byte: its own network namespace, the rlimits it
// was given, and a protocol of one JSON line per request on stdin/stdout.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/conversion.h"
#include "support/test_support.h"

extern char** environ;

namespace wenku::test {
namespace fs = std::filesystem;

namespace {

struct RunningWorker {
    pid_t pid = -1;
    int to = -1, from = -1;

    RunningWorker() {
        int in[2], out[2];
        EXPECT_EQ(::pipe(in), 0);
        EXPECT_EQ(::pipe(out), 0);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, in[0], 0);
        posix_spawn_file_actions_adddup2(&fa, out[1], 1);
        posix_spawn_file_actions_addclose(&fa, in[1]);
        posix_spawn_file_actions_addclose(&fa, out[0]);
        const char* argv[] = {WENKU_BINARY, "worker", "--memory-mb", "1024", "--file-mb", "64", nullptr};
        EXPECT_EQ(posix_spawn(&pid, WENKU_BINARY, &fa, nullptr, const_cast<char**>(argv), environ), 0);
        posix_spawn_file_actions_destroy(&fa);
        ::close(in[0]);
        ::close(out[1]);
        to = in[1];
        from = out[0];
    }
    ~RunningWorker() {
        ::close(to);
        ::close(from);
        int status;
        ::waitpid(pid, &status, 0);
    }
    std::string exchange(const std::string& line) {
        EXPECT_EQ(::write(to, line.data(), line.size()), static_cast<ssize_t>(line.size()));
        std::string reply;
        char c;
        while (::read(from, &c, 1) == 1 && c != '\n') reply += c;
        return reply;
    }
};

/// The worker's entry in /proc, found among this process's children as /proc names them: the pid
/// posix_spawn returned is wrong when this process runs in a PID namespace whose /proc was not
/// remounted (a chroot with the host's /proc). Falls back to that pid.
fs::path proc_entry_of_child(pid_t pid) {
    std::vector<std::string> children;
    for (const auto& task : fs::directory_iterator("/proc/self/task")) {
        std::istringstream listed(read_file(task.path() / "children"));
        for (std::string child; listed >> child;) children.push_back(child);
    }
    return "/proc/" + (children.size() == 1 ? children[0] : std::to_string(pid));
}

std::string limit_line(const fs::path& proc, const std::string& name) {
    std::istringstream lines(read_file(proc / "limits"));
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(name, 0) == 0) return line;
    }
    return "";
}

}  // namespace

TEST(WorkerSandbox, RunsWithoutNetworkUnderItsLimitsAndAnswersRequests) {
    TempDir dir;
    write_file(dir.path() / "in.txt", "沙箱中的转换进程。\n");
    fs::create_directories(dir.path() / "out");
    RunningWorker worker;

    ConvertRequest request;
    request.input_path = (dir.path() / "in.txt").string();
    request.output_dir = (dir.path() / "out").string();
    request.original_name = "in.txt";
    // The first exchange proves the worker has confined itself (it does so before reading).
    const auto reply =
        nlohmann::json::parse(worker.exchange(nlohmann::json(request).dump() + "\n")).get<ConvertResult>();
    EXPECT_TRUE(reply.ok) << reply.error;
    EXPECT_EQ(reply.format, "txt");
    ASSERT_EQ(reply.pages.size(), 1u);
    EXPECT_NE(reply.pages[0].text.find("沙箱中的转换进程。"), std::string::npos);
    EXPECT_TRUE(fs::exists(dir.path() / "out" / "p0001.webp"));

    const fs::path proc = proc_entry_of_child(worker.pid);
    const auto own_net = fs::read_symlink("/proc/self/ns/net");
    const auto worker_net = fs::read_symlink(proc / "ns/net");
    EXPECT_NE(own_net, worker_net) << "the worker shares the network namespace";
    // Its only interface is the namespace's own loopback.
    std::istringstream devices(read_file(proc / "net/dev"));
    std::vector<std::string> interfaces;
    for (std::string line; std::getline(devices, line);) {
        if (const auto colon = line.find(':'); colon != std::string::npos) {
            interfaces.push_back(
                line.substr(line.find_first_not_of(' '), colon - line.find_first_not_of(' ')));
        }
    }
    EXPECT_EQ(interfaces, std::vector<std::string>{"lo"});

    EXPECT_NE(limit_line(proc, "Max address space").find("1073741824"), std::string::npos)
        << limit_line(proc, "Max address space");
    EXPECT_NE(limit_line(proc, "Max file size").find("67108864"), std::string::npos);
    EXPECT_NE(limit_line(proc, "Max core file size").find(" 0 "), std::string::npos);

    // A garbled request is answered with an error, not a crash; the worker keeps serving.
    const auto bad = nlohmann::json::parse(worker.exchange("{not json\n")).get<ConvertResult>();
    EXPECT_FALSE(bad.ok);
    const auto again =
        nlohmann::json::parse(worker.exchange(nlohmann::json(request).dump() + "\n")).get<ConvertResult>();
    EXPECT_TRUE(again.ok);
}

}  // namespace wenku::test
