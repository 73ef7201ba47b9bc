// Storage bounded: the per-address daily upload quota (with a clock of the test's own, kept in the
// database across a restart), the
// library's admission of an upload (free-space floor, total size, quota) as the site answers it
// before any body byte is read, the refusals' statuses and words, and the removal of failed
// documents past ingest.failed_retention_days (the clock moved forward, never slept). Real SQLite
// and real files in a temporary folder.
#include <chrono>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "core/errors.h"
#include "ingest/enqueue.h"
#include "ingest/library.h"
#include "ingest/retention.h"
#include "support/test_support.h"
#include "web/errors.h"
#include "web/site.h"

namespace wenku::test {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t day = 86400;
constexpr std::int64_t noon = 20'000 * day + day / 2;  // a UTC noon

Settings settings_with(std::initializer_list<std::pair<const char*, const char*>> values) {
    Settings settings;
    settings.set("convert.sandbox", "basic");
    settings.set("storage.min_free_mb", "0");
    for (const auto& [key, value] : values) settings.set(key, value);
    return settings;
}

/// A file of `bytes` bytes whose content is its name repeated (so every name gives other bytes).
fs::path make_file(const fs::path& dir, const std::string& name, std::size_t bytes) {
    std::string content;
    while (content.size() < bytes) content += name + " ";
    content.resize(bytes);
    write_file(dir / name, content);
    return dir / name;
}

TEST(UploadQuota, CountsDocumentsAndBytesPerAddressAndDay) {
    StorageConfig config;
    config.address_documents_per_day = 2;
    config.address_bytes_per_day = 10 << 20;
    TempDir dir;
    auto repository = open_sqlite_repository((dir.path() / "wenku.db").string());
    UploadQuota quota(config, *repository);
    EXPECT_FALSE(quota.check("192.0.2.1", 1 << 20, noon));
    quota.record("192.0.2.1", 1 << 20, noon);
    quota.record("192.0.2.1", 1 << 20, noon + 60);
    const auto third = quota.check("192.0.2.1", 1 << 20, noon + 120);
    ASSERT_TRUE(third);
    EXPECT_EQ(third->code(), "quota_exceeded");
    EXPECT_EQ(third->retry_after_seconds(), day / 2 - 120) << "until the next UTC day";
    EXPECT_FALSE(quota.check("192.0.2.2", 1 << 20, noon)) << "another address has its own quota";
    EXPECT_FALSE(quota.check("192.0.2.1", 1 << 20, noon + day)) << "a new day starts afresh";

    // The counts live in the database: another process (or a restart) sees them.
    auto reopened = open_sqlite_repository((dir.path() / "wenku.db").string());
    EXPECT_TRUE(UploadQuota(config, *reopened).check("192.0.2.1", 1 << 20, noon + 180));
    quota.record("192.0.2.2", 1 << 20, noon + day);
    EXPECT_EQ(reopened->upload_usage("192.0.2.1", noon / day).documents, 0) << "yesterday is forgotten";
    EXPECT_EQ(reopened->upload_usage("192.0.2.2", noon / day + 1).documents, 1);
}

TEST(UploadQuota, RefusesAnUploadThatWouldPassTheBytes) {
    StorageConfig config;
    config.address_bytes_per_day = 3 << 20;
    TempDir dir;
    auto repository = open_sqlite_repository((dir.path() / "wenku.db").string());
    UploadQuota quota(config, *repository);
    EXPECT_FALSE(quota.check("2001:db8::1", 3 << 20, noon)) << "exactly at the limit";
    EXPECT_TRUE(quota.check("2001:db8::1", (3 << 20) + 1, noon));
    quota.record("2001:db8::1", 2 << 20, noon);
    EXPECT_FALSE(quota.check("2001:db8::1", 1 << 20, noon));
    const auto over = quota.check("2001:db8::1", (1 << 20) + 1, noon);
    ASSERT_TRUE(over);
    EXPECT_EQ(over->code(), "quota_exceeded");
    EXPECT_EQ(std::string(over->what()).find('/'), std::string::npos) << over->what();
}

TEST(UploadAdmission, RefusesBelowTheFreeSpaceFloorAndStoresNothing) {
    TempDir dir;
    // More free space than any disk has: every upload would leave too little.
    Library library(dir.path() / "data", settings_with({{"storage.min_free_mb", "1073741824"}}));
    const auto refusal = library.upload_refusal("192.0.2.1", 1000);
    ASSERT_TRUE(refusal);
    EXPECT_EQ(refusal->code(), "insufficient_storage");
    EXPECT_EQ(std::string(refusal->what()).find(library.data_dir().string()), std::string::npos);
    EXPECT_TRUE(library.storage().was_low());

    const fs::path file = make_file(dir.path(), "报告.txt", 2000);
    EXPECT_THROW(enqueue_file(library, file, {}), StorageRefusal);
    EXPECT_EQ(library.repository().count_documents({}), 0);
    EXPECT_TRUE(library.blobs().list_originals().empty());
}

TEST(UploadAdmission, RefusesWhatWouldPassTheLibrarySize) {
    TempDir dir;
    Library library(dir.path() / "data", settings_with({{"storage.max_library_mb", "1"}}));
    enqueue_file(library, make_file(dir.path(), "a.txt", 700 << 10), {});
    EXPECT_EQ(library.repository().stored_bytes(), 700 << 10);
    EXPECT_FALSE(library.upload_refusal("192.0.2.1", 324 << 10)) << "exactly up to the limit";
    const auto refusal = library.upload_refusal("192.0.2.1", (324 << 10) + 1);
    ASSERT_TRUE(refusal);
    EXPECT_EQ(refusal->code(), "library_full");
}

TEST(UploadAdmission, CountsWhatAnAddressUploaded) {
    TempDir dir;
    Library library(dir.path() / "data", settings_with({{"storage.address_documents_per_day", "1"}}));
    EXPECT_FALSE(library.upload_refusal("192.0.2.1", 100));
    library.count_upload("192.0.2.1", 100);
    const auto refusal = library.upload_refusal("192.0.2.1", 100);
    ASSERT_TRUE(refusal);
    EXPECT_EQ(refusal->code(), "quota_exceeded");
    EXPECT_FALSE(library.upload_refusal("192.0.2.9", 100));
}

TEST(UploadAdmission, TheSiteAnswersFromTheHeaderInThePageLanguage) {
    TempDir dir;
    Library library(dir.path() / "data", settings_with({{"storage.address_mb_per_day", "1"}}));
    web::Site site(library, web::default_web_dir(), {});
    web::Request req;
    req.method = "POST";
    req.target = req.path = "/api/documents";
    req.remote_ip = "192.0.2.1";
    req.headers["content-length"] = std::to_string(1 << 20);
    EXPECT_FALSE(site.admit_upload(req)) << "exactly the day's quota";

    req.headers["content-length"] = std::to_string((1 << 20) + 1);
    const auto refused = site.admit_upload(req);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 429);
    const std::string body = *refused->body;
    EXPECT_NE(body.find("quota_exceeded"), std::string::npos) << body;
    EXPECT_NE(body.find("上传已达到上限"), std::string::npos) << body;
    bool retry_after = false;
    for (const auto& [name, value] : refused->headers) retry_after = retry_after || name == "Retry-After";
    EXPECT_TRUE(retry_after);

    req.query["lang"] = "en";
    const auto english = site.admit_upload(req);
    ASSERT_TRUE(english);
    EXPECT_NE(english->body->find("upload limit"), std::string::npos) << *english->body;
}

TEST(UploadAdmission, ClosedUploadsAreRefusedFromTheHeader) {
    TempDir dir;
    Library library(dir.path() / "data", settings_with({{"site.uploads", "0"}}));
    web::Site site(library, web::default_web_dir(), {});
    web::Request req;
    req.method = "POST";
    req.target = req.path = "/api/documents";
    req.remote_ip = "192.0.2.1";
    req.headers["content-length"] = "10";
    const auto refused = site.admit_upload(req);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 403);
}

TEST(ErrorStatus, StorageFailuresAre507AndShowNoPath) {
    const auto quota = web::error_status(StorageRefusal("quota_exceeded", "over"));
    EXPECT_EQ(quota.status, 429);
    const auto space = web::error_status(StorageRefusal("insufficient_storage", "full"));
    EXPECT_EQ(space.status, 507);
    EXPECT_EQ(space.message_key, "insufficient_storage");
    EXPECT_EQ(web::error_status(StorageRefusal("library_full", "full")).status, 507);

    const auto full = web::error_status(StorageFullError("cannot write /srv/wenku/blobs/ab: No space left"));
    EXPECT_EQ(full.status, 507);
    EXPECT_FALSE(full.message_key.empty()) << "the text names a path: it is not shown";
    const fs::filesystem_error no_space("cannot copy", "/srv/wenku/x",
                                        std::make_error_code(std::errc::no_space_on_device));
    EXPECT_EQ(web::error_status(no_space).status, 507);
    const auto other = web::error_status(EnvironmentError("cannot open /srv/wenku/wenku.db: damaged"));
    EXPECT_EQ(other.status, 503);
    EXPECT_FALSE(other.message_key.empty());
    EXPECT_FALSE(web::error_status(std::runtime_error("/srv/wenku")).message_key.empty());
}

/// A library whose document `failed` failed and whose document `waiting` is still queued.
struct FailedLibrary {
    explicit FailedLibrary(const fs::path& dir, const char* retention_days = "7")
        : library(dir / "data", settings_with({{"ingest.failed_retention_days", retention_days}})) {
        failed = enqueue_file(library, make_file(dir, "bad.bin", 5000), {});
        waiting = enqueue_file(library, make_file(dir, "good.txt", 5000), {});
        const auto job = library.repository().claim_job();
        EXPECT_EQ(job->document_id, failed);
        library.repository().fail_job(*job, "unsupported: not a document");
        failed_sha = library.repository().find_document(failed)->sha256;
    }
    Library library;
    std::int64_t failed = 0, waiting = 0;
    std::string failed_sha;
};

TEST(FailedRetention, FailedDocumentsGoWithTheirOriginalsAfterTheirDays) {
    TempDir dir;
    FailedLibrary lib(dir.path());
    Library& library = lib.library;
    const std::int64_t now = unix_seconds_now();
    EXPECT_EQ(remove_expired_failures(library, now), 0) << "the uploader still sees its error";
    EXPECT_EQ(remove_expired_failures(library, now + 7 * day - 60), 0);
    EXPECT_TRUE(library.repository().find_document(lib.failed));

    EXPECT_EQ(remove_expired_failures(library, now + 7 * day + 60), 1);
    EXPECT_FALSE(library.repository().find_document(lib.failed));
    EXPECT_FALSE(library.blobs().has_original(lib.failed_sha));
    const auto waiting = library.repository().find_document(lib.waiting);
    ASSERT_TRUE(waiting) << "only failed documents go";
    EXPECT_TRUE(library.blobs().has_original(waiting->sha256));
    EXPECT_EQ(library.blobs().list_originals().size(), 1u);

    // The same bytes may be uploaded again: they are no longer in the library.
    EXPECT_NO_THROW(enqueue_file(library, dir.path() / "bad.bin", {}));
}

TEST(FailedRetention, ZeroDaysKeepsThemForever) {
    TempDir dir;
    FailedLibrary lib(dir.path(), "0");
    EXPECT_EQ(remove_expired_failures(lib.library, unix_seconds_now() + 3650 * day), 0);
    EXPECT_TRUE(lib.library.repository().find_document(lib.failed));
    EXPECT_TRUE(lib.library.blobs().has_original(lib.failed_sha));
}

TEST(FailedRetention, TheRepositoryListsFailuresByWhenTheyFailed) {
    TempDir dir;
    FailedLibrary lib(dir.path());
    Repository& repo = lib.library.repository();
    const std::int64_t now = unix_seconds_now();
    EXPECT_TRUE(repo.failed_documents_before(now - 60, 10).empty());
    const auto failed = repo.failed_documents_before(now + 60, 10);
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_EQ(failed[0].id, lib.failed);
    EXPECT_TRUE(repo.failed_documents_before(now + 60, 0).empty());
}

}  // namespace
}  // namespace wenku::test
