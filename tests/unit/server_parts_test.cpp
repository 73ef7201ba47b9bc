// The server's parts that are pure logic: IP networks and trusted proxies, the bounded rate
// table, the per-address counts, the work pools' admission, absolute-form targets and the access
// log's escaping.
#include <atomic>
#include <future>

#include <gtest/gtest.h>

#include "core/ip_network.h"
#include "web/access_log.h"
#include "web/client_address.h"
#include "web/connection_limits.h"
#include "web/http_parsing.h"
#include "web/rate_limiter.h"
#include "web/work_pools.h"

namespace wenku::web {

namespace {

std::vector<IpNetwork> networks(const std::string& text) {
    auto parsed = parse_ip_networks(text);
    if (!parsed) ADD_FAILURE() << "not networks: " << text;
    return parsed.value_or(std::vector<IpNetwork>{});
}

}  // namespace

TEST(IpNetwork, ParsesAddressesAndPrefixesOfBothFamilies) {
    EXPECT_TRUE(IpNetwork::parse("192.0.2.7"));
    EXPECT_TRUE(IpNetwork::parse("10.0.0.0/8"));
    EXPECT_TRUE(IpNetwork::parse("2001:db8::/32"));
    EXPECT_TRUE(IpNetwork::parse("::1"));
    for (const char* bad : {"", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8x", "300.1.1.1",
                            "example.com", "2001:db8::/129", "10.0.0.1/8/8"}) {
        EXPECT_FALSE(IpNetwork::parse(bad)) << bad;
    }
    EXPECT_TRUE(parse_ip_networks(""));
    EXPECT_EQ(parse_ip_networks(" 10.0.0.0/8, ::1 ,192.0.2.1")->size(), 3u);
    EXPECT_FALSE(parse_ip_networks("10.0.0.0/8, nonsense"));
}

TEST(IpNetwork, ContainsWhatItsPrefixCovers) {
    const auto net = *IpNetwork::parse("10.1.0.0/16");
    EXPECT_TRUE(net.contains(*parse_ip_address("10.1.200.3")));
    EXPECT_FALSE(net.contains(*parse_ip_address("10.2.0.1")));
    // An IPv4 network matches the address seen on an IPv6 socket too.
    EXPECT_TRUE(net.contains(*parse_ip_address("::ffff:10.1.0.9")));
    const auto v6 = *IpNetwork::parse("2001:db8::/32");
    EXPECT_TRUE(v6.contains(*parse_ip_address("2001:db8:1::5")));
    EXPECT_FALSE(v6.contains(*parse_ip_address("2001:db9::5")));
    const auto everything = *IpNetwork::parse("0.0.0.0/0");
    EXPECT_TRUE(everything.contains(*parse_ip_address("203.0.113.1")));
    EXPECT_FALSE(everything.contains(*parse_ip_address("2001:db8::1")));
}

TEST(TrustedProxies, BelieveForwardedAddressesOnlyFromTrustedPeers) {
    const TrustedProxies none(networks(""));
    EXPECT_EQ(none.client_address("198.51.100.1", "203.0.113.9", "203.0.113.8"), "198.51.100.1");

    const TrustedProxies proxies(networks("127.0.0.1, 10.0.0.0/8"));
    EXPECT_TRUE(proxies.trusts("10.9.9.9"));
    EXPECT_FALSE(proxies.trusts("11.0.0.1"));
    EXPECT_FALSE(proxies.trusts("not an address"));
    // From an untrusted peer nothing it claims counts.
    EXPECT_EQ(proxies.client_address("198.51.100.1", "203.0.113.9", "203.0.113.8"), "198.51.100.1");
    // The right-most address that is not a trusted proxy.
    EXPECT_EQ(proxies.client_address("127.0.0.1", "203.0.113.9", ""), "203.0.113.9");
    EXPECT_EQ(proxies.client_address("127.0.0.1", "1.1.1.1, 203.0.113.9, 10.0.0.5", ""), "203.0.113.9");
    // All trusted: the left-most.
    EXPECT_EQ(proxies.client_address("127.0.0.1", "10.0.0.7, 10.0.0.5", ""), "10.0.0.7");
    // A malformed entry ends the walk: what lies left of it is whatever the client wrote.
    EXPECT_EQ(proxies.client_address("127.0.0.1", "1.1.1.1, garbage, 10.0.0.5", ""), "10.0.0.5");
    EXPECT_EQ(proxies.client_address("127.0.0.1", "garbage", ""), "127.0.0.1");
    // X-Real-IP when there is no X-Forwarded-For.
    EXPECT_EQ(proxies.client_address("127.0.0.1", "", " 203.0.113.4 "), "203.0.113.4");
    EXPECT_EQ(proxies.client_address("127.0.0.1", "", "nonsense"), "127.0.0.1");
}

TEST(RateLimiter, RefusesPastTheBurstAndRefills) {
    RateLimiter limiter(2, 3, 100);
    const auto t0 = RateLimiter::Clock::now();
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.allow("a", t0)) << i;
    EXPECT_FALSE(limiter.allow("a", t0));
    EXPECT_TRUE(limiter.allow("b", t0)) << "another address has its own bucket";
    EXPECT_TRUE(limiter.allow("a", t0 + std::chrono::milliseconds(500)));  // one token back
    EXPECT_FALSE(limiter.allow("a", t0 + std::chrono::milliseconds(500)));
    RateLimiter unlimited(0, 1, 1);
    for (int i = 0; i < 100; ++i) EXPECT_TRUE(unlimited.allow("a", t0));
}

TEST(RateLimiter, AFullTableForgetsTheLeastRecentlySeenAddressOnly) {
    RateLimiter limiter(1, 1, 3);
    const auto t0 = RateLimiter::Clock::now();
    EXPECT_TRUE(limiter.allow("old", t0));
    EXPECT_TRUE(limiter.allow("busy", t0));
    EXPECT_TRUE(limiter.allow("other", t0));
    EXPECT_FALSE(limiter.allow("busy", t0));  // seen again: now the most recent
    // Spraying new addresses takes the least recently seen places, never the busy one's bucket.
    EXPECT_TRUE(limiter.allow("new1", t0));  // forgets "old"
    EXPECT_TRUE(limiter.allow("new2", t0));  // forgets "other"
    EXPECT_EQ(limiter.size(), 3u);
    EXPECT_FALSE(limiter.allow("busy", t0)) << "the busy address's empty bucket was reset";
    EXPECT_TRUE(limiter.allow("old", t0)) << "a forgotten address starts with a full bucket";
    EXPECT_EQ(limiter.size(), 3u);
}

TEST(AddressLimits, CapConnectionsAndRequestsPerAddress) {
    AddressLimits limits(2, 1);
    EXPECT_TRUE(limits.open_connection("a"));
    EXPECT_TRUE(limits.open_connection("a"));
    EXPECT_FALSE(limits.open_connection("a"));
    EXPECT_TRUE(limits.open_connection("b"));
    EXPECT_TRUE(limits.start_request("a"));
    EXPECT_FALSE(limits.start_request("a"));
    limits.end_request("a");
    EXPECT_TRUE(limits.start_request("a"));
    limits.end_request("a");
    limits.close_connection("a");
    EXPECT_TRUE(limits.open_connection("a"));
    limits.close_connection("a");
    limits.close_connection("a");
    limits.close_connection("b");
    EXPECT_EQ(limits.addresses(), 0u) << "addresses holding nothing are forgotten";
    limits.open_uncapped_connection("proxy");
    limits.open_uncapped_connection("proxy");
    limits.open_uncapped_connection("proxy");
    EXPECT_EQ(limits.addresses(), 1u);
}

TEST(WorkPools, AdmitUpToTheQueueAndRunInTheirOwnPool) {
    std::array<WorkPoolOptions, work_class_count> options{};
    for (auto& o : options) o = WorkPoolOptions{1, 2, 0};
    WorkPools pools(options);
    // The search pool's one thread is held; its queue takes two more, then refuses.
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::promise<void> running;
    ASSERT_TRUE(pools.admit(WorkClass::search));
    pools.run(WorkClass::search, [&] {
        running.set_value();
        released.wait();
    });
    running.get_future().wait();
    std::atomic<int> searches{0};
    EXPECT_TRUE(pools.admit(WorkClass::search));
    EXPECT_TRUE(pools.admit(WorkClass::search));
    EXPECT_FALSE(pools.admit(WorkClass::search));
    EXPECT_EQ(pools.waiting(WorkClass::search), 2);
    pools.cancel(WorkClass::search);  // one of them will not run after all
    pools.run(WorkClass::search, [&] { ++searches; });
    // Meanwhile the light pool answers.
    std::promise<int> light;
    ASSERT_TRUE(pools.admit(WorkClass::light));
    pools.run(WorkClass::light, [&] { light.set_value(7); });
    EXPECT_EQ(light.get_future().get(), 7);
    EXPECT_EQ(searches, 0);
    release.set_value();
    pools.shutdown();
    EXPECT_LE(searches, 1);
}

TEST(AbsoluteTarget, SplitsAuthorityAndOriginForm) {
    const auto a = split_absolute_target("http://example.com:8080/d/1?x=2");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->authority, "example.com:8080");
    EXPECT_EQ(a->origin, "/d/1?x=2");
    EXPECT_EQ(split_absolute_target("HTTPS://h")->origin, "/");
    EXPECT_EQ(split_absolute_target("http://h?q=1")->origin, "/?q=1");
    EXPECT_EQ(split_absolute_target("http://h/p#frag")->origin, "/p");
    EXPECT_FALSE(split_absolute_target("/d/1"));
    EXPECT_FALSE(split_absolute_target("ftp://h/x"));
    EXPECT_FALSE(split_absolute_target("http:///x"));
    EXPECT_FALSE(split_absolute_target("*"));
}

TEST(AccessLog, EscapesQuotesControlBytesAndBrokenUtf8) {
    EXPECT_EQ(log_escape("/d/1?q=ok"), "/d/1?q=ok");
    EXPECT_EQ(log_escape("a\"b"), "a\\x22b");
    EXPECT_EQ(log_escape("a\\b"), "a\\x5cb");
    EXPECT_EQ(log_escape("a\nb\rc\x7f"), "a\\x0ab\\x0dc\\x7f");
    EXPECT_EQ(log_escape("文库"), "文库");
    EXPECT_EQ(log_escape("\xff\xe6\x96"), "\\xff\\xe6\\x96");  // not UTF-8; a cut-off 文
    EXPECT_EQ(log_escape("\xc2\x85"), "\\xc2\\x85");           // U+0085, a C1 control
    EXPECT_EQ(log_escape("\xc0\xaf"), "\\xc0\\xaf");           // an overlong '/'
}

}  // namespace wenku::web
