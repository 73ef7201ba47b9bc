// What a conversion takes from the settings (ConversionOptions), and the ConversionService's hold
// on the queue lock: one holder at a time, nothing converted without it or before start().
// Converting itself is exercised through the real binary (tests/integration/).
#include "ingest/conversion_service.h"

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "core/errors.h"
#include "support/test_support.h"

namespace wenku::test {
namespace {

using namespace std::chrono_literals;

/// Defaults, with the basic sandbox: no bubblewrap probe in a unit test.
Settings basic_settings() {
    Settings settings;
    settings.set("convert.sandbox", "basic");
    return settings;
}

TEST(ConversionOptions, DefaultsKeepTheFormerLimits) {
    const ConversionOptions options = ConversionOptions::from(Config::from(basic_settings()));
    EXPECT_GE(options.workers, 1);  // convert.jobs = 0: one per core
    EXPECT_EQ(options.worker.sandbox, Sandbox::basic);
    EXPECT_EQ(options.publish.max_page_text_bytes, std::size_t{1} << 20);
    EXPECT_EQ(options.publish.near_duplicate.action, NearDuplicateAction::flag);
    EXPECT_EQ(options.publish.request.preview_width, 1000);
    EXPECT_EQ(options.publish.request.max_pages, 2000);
    EXPECT_EQ(options.index_commit_documents, 200);
    EXPECT_EQ(options.index_commit_interval, 2s);
    EXPECT_EQ(options.queue_poll_interval, 200ms);
}

TEST(ConversionOptions, ReadsEverySettingItUses) {
    Settings settings = basic_settings();
    settings.set("convert.jobs", "3");
    settings.set("convert.timeout_seconds", "30");
    settings.set("convert.max_pages", "40");
    settings.set("preview.width", "640");
    settings.set("preview.watermark", "wenku文库");
    settings.set("convert.ocr", "0");
    settings.set("ingest.near_duplicate", "refuse");
    settings.set("ingest.max_page_text_kb", "1");
    settings.set("ingest.index_commit_documents", "1");
    settings.set("ingest.index_commit_seconds", "0");
    settings.set("ingest.queue_poll_ms", "10");
    const ConversionOptions options = ConversionOptions::from(Config::from(settings));
    EXPECT_EQ(options.workers, 3);
    EXPECT_EQ(options.worker.timeout, 30s);
    EXPECT_EQ(options.publish.request.max_pages, 40);
    EXPECT_EQ(options.publish.request.preview_width, 640);
    EXPECT_EQ(options.publish.request.watermark, "wenku文库");
    EXPECT_FALSE(options.publish.request.ocr);
    EXPECT_EQ(options.publish.near_duplicate.action, NearDuplicateAction::refuse);
    EXPECT_EQ(options.publish.max_page_text_bytes, 1024u);
    EXPECT_EQ(options.index_commit_documents, 1);
    EXPECT_EQ(options.index_commit_interval, 0s);
    EXPECT_EQ(options.queue_poll_interval, 10ms);
}

TEST(ConversionOptions, RefusesValuesOutOfRangeNamingTheKey) {
    const struct {
        const char* key;
        const char* value;
    } refused[] = {
        {"ingest.max_page_text_kb", "0"},
        {"ingest.max_page_text_kb", "65537"},
        {"ingest.index_commit_documents", "0"},
        {"ingest.index_commit_documents", "-5"},
        {"ingest.index_commit_seconds", "3601"},
        {"ingest.index_commit_seconds", "-1"},
        {"ingest.queue_poll_ms", "9"},
        {"ingest.queue_poll_ms", "60001"},
        {"ingest.queue_poll_ms", "fast"},
        {"ingest.near_duplicate", "maybe"},
        {"ingest.near_duplicate_similarity", "40"},
        {"convert.sandbox", "none"},
    };
    for (const auto& [key, value] : refused) {
        Settings settings = basic_settings();
        settings.set(key, value);
        try {
            ConversionOptions::from(Config::from(settings));
            ADD_FAILURE() << key << " = " << value << " was accepted";
        } catch (const UsageError& e) {
            EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
        }
    }
}

class ConversionServiceTest : public ::testing::Test {
  protected:
    TempDir dir;
    Library library{dir.path() / "data", basic_settings()};

    /// Queues a document (no file behind it: nothing here converts it).
    std::int64_t queue_document() {
        Document doc;
        doc.original_name = "报告.pdf";
        doc.sha256 = std::string(64, 'a');
        return library.repository().add_queued_document(doc);
    }
};

TEST_F(ConversionServiceTest, OneServiceHoldsTheQueueLockAtATime) {
    auto first = std::make_unique<ConversionService>(library);
    EXPECT_TRUE(first->holds_queue_lock());
    {
        ConversionService second(library);
        EXPECT_FALSE(second.holds_queue_lock());
    }
    first.reset();  // released with its holder
    const ConversionService third(library);
    EXPECT_TRUE(third.holds_queue_lock());
}

TEST_F(ConversionServiceTest, WithoutTheLockNothingIsConverted) {
    const std::int64_t id = queue_document();
    const ConversionService holder(library);
    ConversionService other(library);
    bool told = false;
    other.start([&told](const ConversionOutcome&) { told = true; });
    other.wake();
    other.finish();
    other.stop();
    EXPECT_FALSE(told);
    EXPECT_EQ(other.peak_worker_rss_kb(), 0);
    EXPECT_EQ(library.repository().find_document(id)->status, DocumentStatus::queued);
    EXPECT_EQ(library.repository().count_queued_jobs(), 1);
}

TEST_F(ConversionServiceTest, BeforeStartNothingIsConverted) {
    const std::int64_t id = queue_document();
    ConversionService service(library);
    ASSERT_TRUE(service.holds_queue_lock());
    service.wake();
    service.finish();
    service.stop();
    EXPECT_EQ(library.repository().find_document(id)->status, DocumentStatus::queued);
}

TEST_F(ConversionServiceTest, BadSettingsRefuseToOpenTheLibraryAndTouchNothing) {
    Settings settings = basic_settings();
    settings.set("ingest.queue_poll_ms", "0");
    const std::int64_t id = queue_document();
    // A job left running by a process that died: only a started service puts it back in the queue.
    ASSERT_TRUE(library.repository().claim_job());
    EXPECT_THROW(Library(dir.path() / "data", settings), UsageError);
    EXPECT_EQ(library.repository().find_document(id)->status, DocumentStatus::converting);
}

}  // namespace
}  // namespace wenku::test
