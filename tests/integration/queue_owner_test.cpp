// Which process converts a library, through the real binary: one `wenku serve` holds the queue
// and converts what another process queues; `serve --no-convert` leaves the queue to whoever
// converts; `verify` refuses to judge a library while another process converts it.
#include <csignal>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace wenku::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

/// `wenku --data DIR serve --port 0 ARGS...`, running until the object dies (SIGTERM, then SIGKILL).
class Server {
  public:
    Server(const fs::path& data, const std::vector<std::string>& args) : data_(data) {
        std::vector<std::string> argv{WENKU_BINARY, "--data", data.string(), "serve",
                                      "--port",     "0",      "--jobs",      "1"};
        argv.insert(argv.end(), args.begin(), args.end());
        fs::create_directories(data);
        process_ = std::make_unique<BackgroundProcess>(argv, data / "serve.out", data / "serve.err");
        // The line it prints once it listens: "wenku: serving http://127.0.0.1:PORT/ (data ...)".
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        while (read_file(data / "serve.out").find("wenku: serving") == std::string::npos) {
            if (process_->wait(0ms)) throw std::runtime_error("wenku serve ended early: " + log());
            if (std::chrono::steady_clock::now() > deadline) {
                throw std::runtime_error("wenku serve never listened: " + log());
            }
            std::this_thread::sleep_for(20ms);
        }
    }
    ~Server() {
        process_->send_signal(SIGTERM);
        process_->wait(30s);
    }
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    std::string log() const { return read_file(data_ / "serve.err"); }

  private:
    fs::path data_;
    std::unique_ptr<BackgroundProcess> process_;
};

/// The status `wenku ls --json` shows for the document added as `name`, or "" when there is none.
std::string status_of(const fs::path& data, const std::string& name) {
    const auto docs = documents_by_name(data);
    const auto it = docs.find(name);
    return it == docs.end() ? "" : it->second.value("status", "");
}

/// Waits up to `timeout` for document `name` to reach `status`.
bool reaches(const fs::path& data, const std::string& name, const std::string& status,
             std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (status_of(data, name) == status) return true;
        std::this_thread::sleep_for(200ms);
    }
    return false;
}

class QueueOwnerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        data = dir.path() / "data";
        file = dir.path() / "通知.txt";
        write_file(
            file, "关于举办读书分享会的通知\n\n各位同事：本周五下午三点在图书室举办读书分享会，欢迎参加。\n");
    }
    TempDir dir;
    fs::path data, file;
};

TEST_F(QueueOwnerTest, AServerConvertsWhatAnotherProcessQueues) {
    Server server(data, {});
    const auto added = run_wenku(data, {"add", file.string()});
    EXPECT_EQ(added.exit_code, 0) << added.err;
    EXPECT_NE(added.err.find("another wenku process is converting in"), std::string::npos) << added.err;
    EXPECT_NE(added.err.find("files are queued for it"), std::string::npos) << added.err;
    // The server's idle workers find the job by polling the queue (ingest.queue_poll_ms).
    EXPECT_TRUE(reaches(data, "通知.txt", "ready", 60s)) << server.log();
}

TEST_F(QueueOwnerTest, AServerWithoutConversionLeavesTheQueueToAnotherProcess) {
    Server server(data, {"--no-convert"});
    const auto added = run_wenku(data, {"add", file.string()});
    EXPECT_EQ(added.exit_code, 0) << added.err;
    EXPECT_EQ(added.err.find("another wenku process"), std::string::npos) << added.err;
    EXPECT_EQ(status_of(data, "通知.txt"), "ready");
    EXPECT_NE(server.log().find("not converting (--no-convert)"), std::string::npos) << server.log();
}

TEST_F(QueueOwnerTest, VerifyRefusesWhileAnotherProcessConverts) {
    Server server(data, {});
    const auto verified = run_wenku(data, {"verify"});
    EXPECT_EQ(verified.exit_code, 4) << verified.out << verified.err;
    EXPECT_NE(verified.err.find("another wenku process is converting in"), std::string::npos) << verified.err;
}

}  // namespace
}  // namespace wenku::test
