// A full disk, for real: `wenku serve` runs inside bubblewrap with its data folder on a tmpfs of a
// few MiB, a filler file leaves little room, and uploads of real text documents fill the rest
// while they convert. While the disk is low, uploads are refused with 507 and reading goes on;
// no document is failed for lack of space and none stays converting. Once the filler is deleted,
// every accepted document becomes ready, `wenku verify` finds nothing to repair, and no response
// ever named the data folder or any other absolute path. An upload whose body fills the disk is
// answered 507 and leaves no part behind.
#include <sys/types.h>

#include <csignal>
#include <cstdio>
#include <set>

#include "web_fixture.h"

using namespace web_fixture;

namespace {

constexpr std::uint64_t tmpfs_bytes = 112ull << 20;  // room for every document once freed
constexpr std::uint64_t floor_bytes = 1ull << 20;    // storage.min_free_mb = 1
// Left above the floor by the filler: less than one document's previews (some 3 MiB), so the
// first conversion runs into the full disk itself; then the uploads take the rest.
constexpr std::uint64_t room_bytes = 1ull << 20;

/// Runs inside bwrap, $1 the tmpfs, $2 the control folder outside it, $3 the wenku binary. The
/// storage settings come from the environment, so that a wenku without them runs too.
constexpr const char* script = R"sh(
set -u
small=$1; ctl=$2; wenku=$3; data=$small/data
export WENKU_STORAGE_MIN_FREE_MB=1 WENKU_STORAGE_ADDRESS_DOCUMENTS_PER_DAY=100000
mkdir -p "$data" && cp "$ctl/wenku.conf" "$data/wenku.conf"
"$wenku" --data "$data" serve --port 0 --jobs 1 >"$ctl/serve.out" 2>"$ctl/serve.err" &
echo $! >"$ctl/serve.pid"
while [ ! -e "$ctl/fill" ]; do sleep 0.05; done
avail=$(df -B1 --output=avail "$small" | tail -n 1)
head -c $((avail - $(cat "$ctl/fill"))) /dev/zero >"$small/filler"
touch "$ctl/filled"
while [ ! -e "$ctl/free" ]; do sleep 0.05; done
rm -f "$small/filler"
wait
"$wenku" --data "$data" verify >"$ctl/verify.out" 2>&1; echo $? >"$ctl/verify.rc"
touch "$ctl/done"
)sh";

bool wait_for_file(const fs::path& file, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!fs::exists(file)) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(50ms);
    }
    return true;
}

/// A text document of some 20 pages (57 KiB) that no other one resembles.
std::string document_text(int n) {
    std::string words;
    for (int i = 0; i < 12; ++i) words += "词" + std::to_string(n * 1000 + i * 37) + " ";
    return long_text("第" + std::to_string(n) + "份报告 report " + std::to_string(n), words, 400, {});
}

class DiskFullTest : public ::testing::Test {
  protected:
    void SetUp() override {
        small_ = dir_.path() / "small";
        ctl_ = dir_.path() / "ctl";
        fs::create_directories(small_);
        fs::create_directories(ctl_);
        // Time-limited: bwrap run as root inside a chroot with its own PID namespace can wait
        // forever for its child; that is a machine that cannot run this test, not a failure. The
        // child dies with bwrap, and bwrap is killed if a polite stop is not enough, so that no
        // process is left holding the output pipes.
        const auto probe =
            run_command({"timeout", "--kill-after=5", "30", "bwrap", "--die-with-parent", "--dev-bind", "/",
                         "/", "--size", std::to_string(tmpfs_bytes), "--tmpfs", small_.string(), "true"});
        if (probe.exit_code != 0)
            GTEST_SKIP() << "bwrap cannot mount a size-limited tmpfs here (exit " << probe.exit_code
                         << "): " << probe.err;
    }

    /// Every response body is checked: neither the data folder nor the test's folders appear.
    void check_no_path(const HttpResponse& r, const std::string& what) {
        EXPECT_FALSE(contains(r.body, dir_.path().string())) << what << " names a path: " << r.body;
        EXPECT_FALSE(contains(r.body, "/tmp/")) << what << " names a path: " << r.body;
    }

    HttpResponse get(const std::string& target) {
        auto r = http_request(port_, "GET", target);
        check_no_path(r, "GET " + target);
        return r;
    }

    /// Every document by id with its status (and error when failed).
    std::map<std::int64_t, json> documents() {
        std::map<std::int64_t, json> docs;
        const json list = json_of(get("/api/documents?status=all&per_page=100"));
        for (const auto& d : list["documents"]) docs[d["id"].get<std::int64_t>()] = d;
        return docs;
    }

    bool storage_low() { return contains(get("/metrics").body, "\nwenku_storage_low 1\n"); }

    /// Starts `wenku serve` in its box on the tmpfs; returns its process id, port_ set.
    pid_t start() {
        write_file(
            ctl_ / "wenku.conf",
            "convert.sandbox = basic\nconvert.ocr = 0\nhttp.rate_per_ip = 0\ningest.queue_poll_ms = 50\n");
        box_ = std::make_unique<BackgroundProcess>(
            std::vector<std::string>{"bwrap", "--dev-bind", "/", "/", "--size", std::to_string(tmpfs_bytes),
                                     "--tmpfs", small_.string(), "sh", "-c", script, "sh", small_.string(),
                                     ctl_.string(), WENKU_BINARY},
            ctl_ / "box.out", ctl_ / "box.err");
        const std::string mark = "wenku: serving http://127.0.0.1:";
        const auto started = std::chrono::steady_clock::now();
        for (std::string out; (out = read_file(ctl_ / "serve.out")).find(mark) == std::string::npos;) {
            if (box_->wait(0ms) || std::chrono::steady_clock::now() - started > 60s)
                throw std::runtime_error("wenku serve did not start: " + read_file(ctl_ / "box.err") +
                                         read_file(ctl_ / "serve.err"));
            std::this_thread::sleep_for(50ms);
        }
        const std::string out = read_file(ctl_ / "serve.out");
        port_ = static_cast<unsigned short>(std::stoi(out.substr(out.find(mark) + mark.size())));
        return std::stoi(read_file(ctl_ / "serve.pid"));
    }

    /// Frees the disk, waits until every document is ready, stops the server and runs `wenku
    /// verify` (its exit code and output checked).
    void stop_and_verify(pid_t serve_pid) {
        write_file(ctl_ / "free", "");
        const auto deadline = std::chrono::steady_clock::now() + 180s;
        for (bool ready = false; !ready && std::chrono::steady_clock::now() < deadline;) {
            ready = true;
            for (const auto& [id, d] : documents()) ready = ready && d["status"] == "ready";
            if (!ready) std::this_thread::sleep_for(200ms);
        }
        ::kill(serve_pid, SIGTERM);
        ASSERT_TRUE(wait_for_file(ctl_ / "done", 120s)) << read_file(ctl_ / "box.err");
        EXPECT_EQ(read_file(ctl_ / "verify.rc"), "0\n") << read_file(ctl_ / "verify.out");
        EXPECT_TRUE(contains(read_file(ctl_ / "verify.out"), "; 0 problems"))
            << read_file(ctl_ / "verify.out");
        EXPECT_EQ(box_->wait(30s).value_or(-1), 0) << read_file(ctl_ / "box.err");
        if (HasFailure()) std::printf("the server's log:\n%s\n", read_file(ctl_ / "serve.err").c_str());
    }

    TempDir dir_;
    fs::path small_, ctl_;
    unsigned short port_ = 0;
    std::unique_ptr<BackgroundProcess> box_;
};

TEST_F(DiskFullTest, UploadsStopConversionsWaitAndEverythingFinishesWhenSpaceReturns) {
    const pid_t serve_pid = start();
    // Leave a little room above the floor: the uploads and their previews fill it.
    write_file(ctl_ / "fill", std::to_string(floor_bytes + room_bytes));
    ASSERT_TRUE(wait_for_file(ctl_ / "filled", 30s));

    std::set<std::int64_t> accepted;
    int refused = 0;
    bool was_low = false;
    for (int n = 0; n < 40 && refused < 3; ++n) {
        const std::string name = "报告" + std::to_string(n) + ".txt";
        HttpResponse r;
        try {
            r = http_request(port_, "POST", "/api/documents?name=" + url_encode(name), document_text(n));
        } catch (const std::exception& e) {
            ADD_FAILURE() << name << ": no answer (" << e.what() << ")";
            continue;
        }
        check_no_path(r, "the upload of " + name);
        if (r.status == 201) {
            accepted.insert(json_of(r)["id"].get<std::int64_t>());
        } else {
            EXPECT_EQ(r.status, 507) << r.body;
            EXPECT_EQ(json_of(r)["error"]["code"], "insufficient_storage") << r.body;
            ++refused;
        }
        was_low = was_low || storage_low();
        std::this_thread::sleep_for(100ms);
    }
    ASSERT_FALSE(accepted.empty());
    EXPECT_EQ(refused, 3) << "the uploads never filled the disk";

    // Wait until nothing moves: conversions stop for lack of space, none is left converting.
    const auto settle_deadline = std::chrono::steady_clock::now() + 120s;
    for (int calm = 0; calm < 15 && std::chrono::steady_clock::now() < settle_deadline;) {
        bool moving = false;
        for (const auto& [id, d] : documents()) moving = moving || d["status"] == "converting";
        was_low = was_low || storage_low();
        calm = moving ? 0 : calm + 1;
        std::this_thread::sleep_for(200ms);
    }
    int waiting = 0;
    for (const auto& [id, d] : documents()) {
        EXPECT_NE(d["status"], "failed") << "№" << id << " failed while the disk was full: " << d.dump();
        EXPECT_NE(d["status"], "converting") << "№" << id << " stays converting on the full disk";
        waiting += d["status"] == "queued" ? 1 : 0;
    }
    ASSERT_TRUE(was_low)
        << "the uploads never brought the disk below storage.min_free_mb: nothing was tested";
    if (storage_low()) {
        // Reading goes on; uploads are refused before anything is stored.
        EXPECT_EQ(get("/").status, 200);
        for (const auto& [id, d] : documents()) {
            if (d["status"] == "ready") {
                EXPECT_EQ(get("/d/" + std::to_string(id)).status, 200);
            }
        }
        const auto r = http_request(port_, "POST", "/api/documents?name=late.txt", document_text(99));
        check_no_path(r, "an upload on the full disk");
        EXPECT_EQ(r.status, 507) << r.body;
        const auto page =
            http_request(port_, "POST", "/api/documents?name=late.txt&lang=en", document_text(98));
        check_no_path(page, "an upload on the full disk");
    }
    const std::string log = read_file(ctl_ / "serve.err");
    EXPECT_TRUE(contains(log, "low disk space")) << "no warning in the log";
    EXPECT_TRUE(contains(log, "goes back to the queue until the disk has space"))
        << "no conversion ran into the full disk: nothing was tested";

    // Space returns: every accepted document is converted, nothing failed, nothing left over.
    write_file(ctl_ / "free", "");
    const auto deadline = std::chrono::steady_clock::now() + 180s;
    std::map<std::int64_t, json> docs;
    for (bool done = false; !done && std::chrono::steady_clock::now() < deadline;) {
        docs = documents();
        done = true;
        for (const auto id : accepted) done = done && docs.contains(id) && docs[id]["status"] == "ready";
        if (!done) std::this_thread::sleep_for(200ms);
    }
    for (const auto id : accepted) {
        ASSERT_TRUE(docs.contains(id)) << "№" << id << " vanished";
        EXPECT_EQ(docs[id]["status"], "ready") << "№" << id << ": " << docs[id].dump();
    }
    const std::string metrics = get("/metrics").body;
    EXPECT_TRUE(contains(metrics, "\nwenku_storage_low 0\n"))
        << metrics.substr(metrics.find("wenku_storage"));
    std::printf("%zu accepted (%d waited for space), %d refused with 507\n", accepted.size(), waiting,
                refused);

    stop_and_verify(serve_pid);
}

TEST_F(DiskFullTest, AnUploadThatFillsTheDiskMidBodyIsAnswered507AndLeavesNothing) {
    const pid_t serve_pid = start();
    ASSERT_EQ(http_request(port_, "POST", "/api/documents?name=first.txt", document_text(1)).status, 201);
    // 2 MiB above the floor: a chunked upload (no length to judge it by) is admitted, and its
    // 8 MiB body runs into the full disk on the way.
    write_file(ctl_ / "fill", std::to_string(floor_bytes + (2ull << 20)));
    ASSERT_TRUE(wait_for_file(ctl_ / "filled", 30s));
    HttpConnection c(port_, 60s);
    c.send("POST /api/documents?name=big.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    std::thread sender([&c] {
        const std::string chunk = "10000\r\n" + std::string(0x10000, 'a') + "\r\n";
        try {
            for (int i = 0; i < 128; ++i) c.send(chunk);
            c.send("0\r\n\r\n");
        } catch (const std::runtime_error&) {
            // the server stopped reading: its answer is on the way
        }
    });
    HttpResponse r;
    try {
        r = c.read_response();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "no answer to the upload that filled the disk: " << e.what();
    }
    sender.join();
    EXPECT_EQ(r.status, 507) << r.body;
    EXPECT_FALSE(r.header("retry-after").empty());
    check_no_path(r, "the upload that filled the disk");
    // The cut part is gone (the tmpfs has its 2 MiB again, so a small upload fits above the
    // floor) and the server goes on: the earlier document is still there.
    const auto after = http_request(port_, "POST", "/api/documents?name=second.txt", document_text(2));
    EXPECT_EQ(after.status, 201) << "the cut upload's part was left behind: " << after.body;
    EXPECT_EQ(documents().size(), 2u);
    EXPECT_TRUE(contains(read_file(ctl_ / "serve.err"), "an upload from 127.0.0.1 was cut"));
    stop_and_verify(serve_pid);
}

}  // namespace
