// SIGKILL `wenku import` at 20 random moments and run it again each time: no partial document is
// ever visible, no document appears twice, and `wenku verify` passes after `--repair`.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_support.h"
#include "worker/renderer.h"

extern char** environ;

namespace wenku::test {
namespace fs = std::filesystem;

namespace {

/// Writes `count` documents of several kinds and sizes into `dir`.
void write_documents(const fs::path& dir, int count) {
    for (int i = 0; i < count; ++i) {
        const std::string n = std::to_string(i);
        switch (i % 3) {
            case 0: {
                std::string html = "<html><body><h1>Document " + n + "</h1>";
                for (int p = 0; p < 20 + i; ++p)
                    html += "<p>第" + std::to_string(p) + "段：文档 " + n +
                            " 的内容，用来测试导入被中断的情形。</p>";
                worker::write_html_as_pdf(html + "</body></html>", dir / ("doc-" + n + ".pdf"));
                break;
            }
            case 1: {
                std::string text = "文本文档 " + n + "\n\n";
                for (int p = 0; p < 30 * (1 + i % 4); ++p)
                    text += "这是第 " + std::to_string(p) + " 行，属于文档 " + n + "。\n";
                write_file(dir / ("text-" + n + ".txt"), text);
                break;
            }
            default:
                write_file(dir / ("note-" + n + ".md"),
                           "# 笔记 " + n + "\n\n- 第一条\n- 第二条\n\n正文 " + n + "。\n");
        }
    }
}

pid_t spawn_import(const fs::path& data, const fs::path& dir) {
    const std::vector<std::string> args = {WENKU_BINARY, "--data", data.string(), "import", dir.string(),
                                           "--jobs",     "2"};
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    EXPECT_EQ(posix_spawn(&pid, WENKU_BINARY, &fa, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

/// What a reader can see must be whole: every ready document has all its pages, each with a
/// preview on disk, and no original is in the library twice.
void expect_no_partial_documents(const fs::path& data, const std::string& moment) {
    const auto r = run_wenku(data, {"ls", "--json"});
    ASSERT_EQ(r.exit_code, 0) << moment << ": " << r.err;
    std::set<std::string> hashes, names;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
        const auto doc = nlohmann::json::parse(line);
        const std::string name = doc["original_name"];
        EXPECT_TRUE(hashes.insert(doc["sha256"].get<std::string>()).second)
            << moment << ": duplicate " << name;
        EXPECT_TRUE(names.insert(name).second) << moment << ": " << name << " appears twice";
        if (doc["status"] != "ready") continue;
        const std::string id = std::to_string(doc["id"].get<int>());
        const std::string sha = doc["sha256"];
        const int pages = doc["page_count"];
        ASSERT_GE(pages, 1) << moment << ": " << name;
        const auto text = run_wenku(data, {"text", id, "--page", std::to_string(pages)});
        EXPECT_EQ(text.exit_code, 0) << moment << ": " << name << " lacks its last page";
        char last[32];
        std::snprintf(last, sizeof last, "p%04d.webp", pages);
        EXPECT_TRUE(fs::exists(data / "pages" / sha.substr(0, 2) / sha / last)) << moment << ": " << name;
    }
}

}  // namespace

TEST(CrashSafety, ImportSurvivesTwentySigkillsAtRandomMoments) {
    TempDir dir;
    const fs::path data = dir.path() / "data";
    const fs::path inbox = dir.path() / "inbox";
    fs::create_directories(inbox);
    constexpr int documents = 90;
    write_documents(inbox, documents);

    // How long an uninterrupted import takes here, so that the kills land while work is going on.
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_EQ(run_wenku(dir.path() / "scratch", {"import", inbox.string(), "--jobs", "2"}).exit_code, 0);
    const int full_ms = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count());

    const unsigned seed = std::random_device{}();
    std::printf("crash test seed %u; an uninterrupted import takes %d ms\n", seed, full_ms);
    std::mt19937 rng(seed);
    // Twenty kills spread over about one and a half full imports' worth of work.
    std::uniform_int_distribution<int> delay_ms(std::max(5, full_ms / 40), std::max(10, full_ms / 8));
    int finished_before_kill = 0;
    for (int round = 1; round <= 20; ++round) {
        const pid_t pid = spawn_import(data, inbox);
        const int ms = delay_ms(rng);
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        const bool was_running = ::kill(pid, SIGKILL) == 0;
        int status = 0;
        ::waitpid(pid, &status, 0);
        if (!was_running || (WIFEXITED(status))) ++finished_before_kill;
        // The workers die with their parent (PR_SET_PDEATHSIG); give the kernel a moment.
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        expect_no_partial_documents(
            data, "after kill " + std::to_string(round) + " at " + std::to_string(ms) + " ms");
        if (HasFatalFailure()) return;
    }
    std::printf("%d of 20 runs were killed mid-import, %d had finished\n", 20 - finished_before_kill,
                finished_before_kill);
    EXPECT_GE(20 - finished_before_kill, 10) << "too few kills landed during an import";

    const auto last = run_wenku(data, {"import", inbox.string(), "--jobs", "2"});
    EXPECT_EQ(last.exit_code, 0) << last.err;
    expect_no_partial_documents(data, "after the final run");
    const auto ls = run_wenku(data, {"ls", "--json", "--status", "ready"});
    EXPECT_EQ(std::count(ls.out.begin(), ls.out.end(), '\n'), documents);

    const auto repair = run_wenku(data, {"verify", "--repair"});
    EXPECT_EQ(repair.exit_code, 0) << repair.out << repair.err;
    const auto verify = run_wenku(data, {"verify"});
    EXPECT_EQ(verify.exit_code, 0) << verify.out;
    std::printf("%s", verify.out.c_str());
}

}  // namespace wenku::test
