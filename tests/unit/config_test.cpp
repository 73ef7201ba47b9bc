// The typed settings: every key has its field, defaults pass validation, and a bad value is refused
// with a message that names the key, the value and what is allowed.
#include "core/config.h"

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include "core/errors.h"

namespace wenku {

namespace {

/// The message of the UsageError that Config::from throws for `key` = `value`, or "" if none.
std::string refusal(const std::string& key, const std::string& value) {
    Settings s;
    s.set(key, value);
    try {
        Config::from(s);
    } catch (const UsageError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(Config, EverySettingIsReadByExactlyOneField) {
    std::vector<std::string> read;
    Config::from(Settings(), &read);
    std::vector<std::string> keys;
    for (const auto& spec : Settings::specs()) keys.push_back(spec.key);
    std::sort(read.begin(), read.end());
    std::sort(keys.begin(), keys.end());
    EXPECT_EQ(std::adjacent_find(read.begin(), read.end()), read.end()) << "a key is read twice";
    EXPECT_EQ(read, keys);
}

TEST(Config, DefaultsBecomeTypedValues) {
    const Config c = Config::from(Settings());
    EXPECT_EQ(c.http.port, 8080);
    EXPECT_EQ(c.http.max_body_bytes, 64u << 10);
    EXPECT_EQ(c.convert.max_file_bytes, 200ull << 20);
    EXPECT_EQ(c.convert.timeout, std::chrono::seconds(120));
    EXPECT_EQ(c.convert.sandbox, SandboxMode::automatic);
    EXPECT_TRUE(c.convert.ocr);
    EXPECT_EQ(c.ingest.near_duplicate, NearDuplicateAction::flag);
    EXPECT_EQ(c.preview.free_pages, 5);
    EXPECT_TRUE(c.site.uploads);
    EXPECT_FALSE(c.site.url.ends_with('/'));
}

TEST(Config, ValuesAreReadAsGiven) {
    Settings s;
    s.set("site.url", "https://wenku.example/");
    s.set("convert.sandbox", "basic");
    s.set("http.access_log", "0");
    s.set("convert.worker_memory_mb", "64");
    const Config c = Config::from(s);
    EXPECT_EQ(c.site.url, "https://wenku.example");
    EXPECT_EQ(c.convert.sandbox, SandboxMode::basic);
    EXPECT_FALSE(c.http.access_log);
    EXPECT_EQ(c.convert.worker_memory_mb, 64);
}

TEST(Config, BadValuesNameTheKeyTheValueAndWhatIsAllowed) {
    EXPECT_EQ(refusal("http.port", "99999"),
              "setting http.port must be a whole number from 0 to 65535, not '99999'");
    EXPECT_EQ(refusal("http.port", "80x"),
              "setting http.port must be a whole number from 0 to 65535, not '80x'");
    EXPECT_EQ(refusal("convert.sandbox", "maybe"),
              "setting convert.sandbox must be auto, bwrap or basic, not 'maybe'");
    EXPECT_EQ(refusal("ingest.near_duplicate", "sometimes"),
              "setting ingest.near_duplicate must be flag, refuse or off, not 'sometimes'");
    EXPECT_EQ(refusal("site.uploads", "yes"), "setting site.uploads must be 1 or 0, not 'yes'");
    EXPECT_EQ(refusal("site.public_text", "some"),
              "setting site.public_text must be free or all, not 'some'");
    EXPECT_EQ(refusal("search.suggest_min_days", "0"),
              "setting search.suggest_min_days must be a whole number from 1 to 3650, not '0'");
    EXPECT_EQ(refusal("preview.webp_quality", "101"),
              "setting preview.webp_quality must be a whole number from 0 to 100, not '101'");
    EXPECT_EQ(refusal("ingest.near_duplicate_similarity", "40"),
              "setting ingest.near_duplicate_similarity must be a whole number from 50 to 100, not '40'");
    EXPECT_NE(refusal("site.url", "wenku.example").find("site.url"), std::string::npos);
    EXPECT_NE(refusal("convert.ocr_languages", "chi_sim; rm").find("convert.ocr_languages"),
              std::string::npos);
    EXPECT_EQ(refusal("preview.width", "640"), "");
    EXPECT_EQ(refusal("http.trusted_proxies", "10.0.0.0/8, proxy.example"),
              "setting http.trusted_proxies must be addresses or networks (192.0.2.1, 10.0.0.0/8, "
              "2001:db8::/32) separated by commas, not '10.0.0.0/8, proxy.example'");
    EXPECT_EQ(refusal("http.search_queue", "0"),
              "setting http.search_queue must be a whole number from 1 to 1000000, not '0'");
}

TEST(Config, TrustedProxiesAndPoolsAreTyped) {
    Settings s;
    EXPECT_TRUE(Config::from(s).http.trusted_proxies.empty()) << "no proxy is trusted by default";
    s.set("http.trusted_proxies", "127.0.0.1, 10.0.0.0/8 2001:db8::/32");
    s.set("http.search_threads", "3");
    const Config c = Config::from(s);
    EXPECT_EQ(c.http.trusted_proxies.size(), 3u);
    EXPECT_EQ(c.http.search_pool.threads, 3);
    EXPECT_EQ(c.http.search_pool.queue, 64);
}

}  // namespace wenku
