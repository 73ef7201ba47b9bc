// `wenku backup` while `wenku serve` answers readers and takes uploads, then `wenku restore` into an
// empty folder: the restored library passes `wenku verify`, serves, and holds exactly what the
// backup's snapshot held (its manifest): every document, page, text and count; documents that
// were still converting at the snapshot are converted by the restore, those uploaded after it are
// absent. A second backup into the same folder copies only what changed.
#include <atomic>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "web_fixture.h"

using namespace web_fixture;

namespace {

/// Every document of a library by id (`wenku ls --json`).
std::map<std::int64_t, json> documents_by_id(const fs::path& data) {
    const auto r = run_wenku(data, {"ls", "--json", "--limit", "100000"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::int64_t, json> docs;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
        json d = json::parse(line);
        docs[d.at("id").get<std::int64_t>()] = d;
    }
    return docs;
}

/// The hashes named by the two-level folders below `dir` (blobs/ or pages/ of a backup).
std::set<std::string> stored_hashes(const fs::path& dir) {
    std::set<std::string> out;
    for (const auto& prefix : fs::directory_iterator(dir))
        for (const auto& entry : fs::directory_iterator(prefix.path()))
            out.insert(entry.path().filename().string());
    return out;
}

struct BackupSummary {
    long documents = -1, copied = -1, present = -1, removed = -1;
};

/// The numbers of `wenku backup`'s summary line.
BackupSummary backup_summary(const CommandResult& r) {
    std::smatch m;
    const std::regex line(
        R"(backup: (\d+) documents; (\d+) files copied \([^)]*\), (\d+) already there, (\d+) removed)");
    BackupSummary s;
    if (std::regex_search(r.out, m, line)) {
        s.documents = std::stol(m[1]);
        s.copied = std::stol(m[2]);
        s.present = std::stol(m[3]);
        s.removed = std::stol(m[4]);
    }
    return s;
}

/// Page `page`'s preview of the document whose original has hash `sha`.
fs::path preview_path(const fs::path& data, const std::string& sha, int page) {
    char file[32];
    std::snprintf(file, sizeof file, "p%04d.webp", page);
    return data / "pages" / sha.substr(0, 2) / sha / file;
}

class BackupTest : public ::testing::Test {
  protected:
    TempDir dir;
    fs::path data = dir.path() / "data";
    fs::path backup = dir.path() / "backup";
    fs::path restored = dir.path() / "restored";
    fs::path inbox = dir.path() / "inbox";
};

}  // namespace

TEST_F(BackupTest, BackupUnderLoadAndUploadsRestoresWhatTheSnapshotHeld) {
    fs::create_directories(inbox);
    std::vector<std::int64_t> added;
    for (int i = 0; i < 4; ++i) {
        const fs::path file = inbox / ("文档" + std::to_string(i) + ".txt");
        write_file(file, long_text("备份文档" + std::to_string(i), "春风" + std::to_string(i), 120, {}));
        added.push_back(added_id(run_wenku(data, {"add", file.string(), "--uploader", "张三"})));
    }
    const std::string conf = "http.rate_per_ip = 0\nhttp.access_log = 0\nhttp.flush_seconds = 1\n";
    auto server = std::make_unique<ServedLibrary>(data, conf);
    const unsigned short port = server->port();

    // Readers: document pages (views), downloads, previews and searches, until the end.
    std::atomic<bool> stop{false};
    std::atomic<long> answered{0}, failed{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 3; ++t) {
        readers.emplace_back([&, t] {
            for (long n = 0; !stop; ++n) {
                const std::string id = std::to_string(added[static_cast<std::size_t>((n + t) % 4)]);
                const std::string targets[] = {"/d/" + id, "/d/" + id + "/download",
                                               "/d/" + id + "/page/1.webp",
                                               "/search?q=" + url_encode("春风")};
                try {
                    const auto r = http_request(port, "GET", targets[n % 4]);
                    (r.status == 200 ? answered : failed) += 1;
                } catch (const std::exception&) {
                    failed += 1;
                }
                std::this_thread::sleep_for(2ms);  // a steady load that leaves the uploads CPU
            }
        });
    }
    // Wait until counts have reached the database (flushed every second).
    for (int i = 0; i < 100; ++i) {
        long views = 0;
        for (const auto& [id, d] : documents_by_id(data)) views += d.at("views").get<long>();
        if (views > 0) break;
        std::this_thread::sleep_for(100ms);
    }

    // Uploads from two clients, arriving before, during and after the backup.
    std::mutex mutex;
    std::vector<std::int64_t> uploaded;
    std::atomic<int> uploads_done{0};
    std::vector<std::thread> uploaders;
    for (int c = 0; c < 2; ++c) {
        uploaders.emplace_back([&, c] {
            for (int i = 0; i < 4; ++i) {
                const std::string name = "上传" + std::to_string(c) + "-" + std::to_string(i);
                const auto r = http_request(port, "POST", "/api/documents?name=" + url_encode(name + ".txt"),
                                            long_text(name, "秋月" + name, 120, {}));
                if (r.status == 201) {
                    std::lock_guard lock(mutex);
                    uploaded.push_back(json::parse(r.body).at("id").get<std::int64_t>());
                }
                ++uploads_done;
                std::this_thread::sleep_for(150ms);
            }
        });
    }
    while (uploads_done < 2) std::this_thread::sleep_for(10ms);
    const auto first = run_wenku(data, {"backup", backup.string()});
    for (auto& t : uploaders) t.join();
    ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
    ASSERT_EQ(uploaded.size(), 8u);
    for (const auto id : uploaded) {
        std::string status;
        for (int i = 0; i < 1200 && status != "ready"; ++i) {
            status = json_of(http_request(port, "GET", "/api/documents/" + std::to_string(id) + "/status"))
                         .value("status", "");
            if (status != "ready") std::this_thread::sleep_for(50ms);
        }
        ASSERT_EQ(status, "ready") << "upload №" << id << ": " << server->log();
    }
    stop = true;
    for (auto& t : readers) t.join();
    EXPECT_GT(answered.load(), 0);
    EXPECT_EQ(failed.load(), 0);
    EXPECT_EQ(server->stop(30s), 0) << server->log();
    server.reset();

    // The backup holds its snapshot's documents and only their files.
    const json manifest = json::parse(read_file(backup / "manifest.json"));
    const json& snapshot = manifest.at("documents");
    EXPECT_EQ(backup_summary(first).documents, static_cast<long>(snapshot.size())) << first.out;
    ASSERT_GE(snapshot.size(), 4u);
    std::set<std::string> snapshot_originals, snapshot_pages;
    long snapshot_views = 0, snapshot_downloads = 0;
    for (const auto& m : snapshot) {
        snapshot_originals.insert(m.at("sha256").get<std::string>());
        if (m.at("status") == "ready") snapshot_pages.insert(m.at("sha256").get<std::string>());
        snapshot_views += m.at("views").get<long>();
        snapshot_downloads += m.at("downloads").get<long>();
    }
    EXPECT_GT(snapshot_views, 0) << "the snapshot holds the views counted before it";
    EXPECT_EQ(stored_hashes(backup / "blobs"), snapshot_originals);
    EXPECT_EQ(stored_hashes(backup / "pages"), snapshot_pages);
    std::printf(
        "snapshot: %zu documents (%zu ready) of %zu; %ld views, %ld downloads; %ld requests answered\n",
        snapshot.size(), snapshot_pages.size(), 4 + uploaded.size(), snapshot_views, snapshot_downloads,
        answered.load());

    // Restore refuses a folder that is not empty, and a folder that holds no backup.
    write_file(dir.path() / "busy" / "file", "x");
    EXPECT_EQ(run_wenku(dir.path() / "busy", {"restore", backup.string()}).exit_code, 2);
    EXPECT_EQ(run_wenku(restored, {"restore", inbox.string()}).exit_code, 2);
    fs::remove_all(restored);

    const auto restore = run_wenku(restored, {"restore", backup.string()});
    ASSERT_EQ(restore.exit_code, 0) << restore.out << restore.err;
    EXPECT_TRUE(contains(restore.out, "restore: " + std::to_string(snapshot.size()) + " documents"))
        << restore.out;
    const auto verify = run_wenku(restored, {"verify"});
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
    EXPECT_EQ(read_file(restored / "wenku.conf"), conf);

    // Exactly the snapshot's documents: the same originals, counts, pages and text; those still
    // converting at the snapshot converted now, those uploaded after it absent.
    const auto live = documents_by_id(data);
    const auto back = documents_by_id(restored);
    EXPECT_EQ(back.size(), snapshot.size());
    for (const auto& m : snapshot) {
        const std::int64_t id = m.at("id");
        ASSERT_TRUE(back.contains(id)) << "№" << id << " is missing";
        const json& r = back.at(id);
        EXPECT_EQ(r.at("sha256"), m.at("sha256")) << id;
        EXPECT_EQ(r.at("views"), m.at("views")) << id;
        EXPECT_EQ(r.at("downloads"), m.at("downloads")) << id;
        EXPECT_EQ(r.at("status"), "ready") << id << " was " << m.at("status");
        EXPECT_EQ(r.at("page_count"), live.at(id).at("page_count")) << id;
        if (m.at("status") == "ready") {
            EXPECT_EQ(r.at("page_count"), m.at("page_count")) << id;
        }
        EXPECT_EQ(page_texts(restored, id), page_texts(data, id)) << id;
        const std::string sha = m.at("sha256");
        EXPECT_EQ(read_file(restored / "blobs" / sha.substr(0, 2) / sha),
                  read_file(data / "blobs" / sha.substr(0, 2) / sha));
        if (m.at("status") == "ready") {
            for (int p = 1; p <= m.at("page_count").get<int>(); ++p) {
                EXPECT_EQ(read_file(preview_path(restored, sha, p)), read_file(preview_path(data, sha, p)))
                    << id << " page " << p;
            }
        }
    }

    // The restored library serves: its search index was rebuilt.
    {
        ServedLibrary again(restored, conf);
        const std::string id = std::to_string(added[0]);
        EXPECT_EQ(http_request(again.port(), "GET", "/d/" + id).status, 200);
        EXPECT_EQ(http_request(again.port(), "GET", "/d/" + id + "/page/1.webp").status, 200);
        const json found = json_of(http_request(again.port(), "GET", "/api/search?q=" + url_encode("春风0")));
        EXPECT_GE(found.value("total", 0), 1) << found.dump();
        EXPECT_EQ(again.stop(30s), 0);
    }

    // Incremental: after a removal the next backup copies what is new and removes the removed
    // document's files; with nothing changed, only the database is copied.
    ASSERT_EQ(run_wenku(data, {"rm", std::to_string(added[1])}).exit_code, 0);
    const auto second = backup_summary(run_wenku(data, {"backup", backup.string()}));
    EXPECT_EQ(second.documents, static_cast<long>(3 + uploaded.size()));
    EXPECT_EQ(second.removed, 2) << "the original and the previews of the removed document";
    EXPECT_GT(second.present, 0);
    const auto third = backup_summary(run_wenku(data, {"backup", backup.string()}));
    EXPECT_EQ(third.copied, 1) << "only the database";
    EXPECT_EQ(third.removed, 0);
    EXPECT_EQ(third.present, second.present + second.copied - 1);
}
