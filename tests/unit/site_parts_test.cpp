// The site's parts that need no server: the route table and its matcher, errors mapped to
// statuses, the expiring cache and the batched view counts (failures included).
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/errors.h"
#include "web/cache.h"
#include "web/errors.h"
#include "web/router.h"
#include "web/search_service.h"
#include "web/view_counts.h"

namespace wenku::web {
namespace {

using namespace std::chrono_literals;

// --- routes ---

TEST(Routes, EveryRouteHasAPatternAndAHandler) {
    std::set<std::string_view> patterns;
    ASSERT_FALSE(routes().empty());
    for (const Route& r : routes()) {
        EXPECT_TRUE(r.pattern.starts_with('/')) << r.pattern;
        EXPECT_TRUE(r.get || r.post) << r.pattern << " takes no method";
        EXPECT_TRUE(patterns.insert(r.pattern).second) << r.pattern << " twice";
    }
}

TEST(Routes, NameTheirMethods) {
    Params p;
    const auto methods = [&](std::string_view path) {
        for (const Route& r : routes()) {
            if (match_route(r.pattern, path, p)) return std::string(r.methods());
        }
        return std::string("none");
    };
    EXPECT_EQ(methods("/d/1"), "GET, HEAD");
    EXPECT_EQ(methods("/d/1/report"), "GET, HEAD, POST");
    EXPECT_EQ(methods("/d/1/favorite"), "POST");
    EXPECT_EQ(methods("/api/documents"), "GET, HEAD, POST");
    EXPECT_EQ(methods("/nothing"), "none");
}

TEST(MatchRoute, LiteralSegmentsAndParameters) {
    Params p;
    EXPECT_TRUE(match_route("/", "/", p));
    EXPECT_TRUE(p.empty());
    EXPECT_FALSE(match_route("/", "/d", p));
    EXPECT_FALSE(match_route("/search", "/search/", p));
    EXPECT_FALSE(match_route("/search", "/searches", p));

    EXPECT_TRUE(match_route("/d/{id}", "/d/12", p));
    EXPECT_EQ(p, (Params{{"id", "12"}}));
    EXPECT_TRUE(match_route("/d/{id}/page/{n}.webp", "/d/12/page/3.webp", p));
    EXPECT_EQ(p, (Params{{"id", "12"}, {"n", "3"}}));
    EXPECT_TRUE(match_route("/d/{id}", "/d/abc", p)) << "parameters are checked by their handlers";
    EXPECT_EQ(p.at("id"), "abc");
}

TEST(MatchRoute, ParametersAreNeverEmptyNorCrossSegments) {
    Params p{{"stale", "x"}};
    EXPECT_FALSE(match_route("/d/{id}/page/{n}.webp", "/d/12/page/.webp", p));
    EXPECT_FALSE(match_route("/d/{id}/page/{n}.webp", "/d/12/page/3.txt", p));
    EXPECT_FALSE(match_route("/d/{id}/page/{n}.webp", "/d//page/3.webp", p));
    EXPECT_FALSE(match_route("/d/{id}", "/d/", p));
    EXPECT_FALSE(match_route("/d/{id}", "/d", p));
    EXPECT_FALSE(match_route("/d/{id}", "/d/12/", p));
    EXPECT_FALSE(match_route("/static/{name}", "/static/a/b", p));
    EXPECT_FALSE(match_route("/d/{id}", "", p));
    EXPECT_FALSE(p.contains("stale")) << "parameters are cleared first";
}

TEST(FindHandler, ChoosesByPathAndMethod) {
    Params p;
    const Handler document = find_handler("GET", "/d/12", p);
    EXPECT_EQ(find_handler("HEAD", "/d/12", p), document) << "HEAD is answered like GET";
    EXPECT_EQ(p.at("id"), "12");
    EXPECT_NE(find_handler("GET", "/d/12/report", p), find_handler("POST", "/d/12/report", p));
    EXPECT_EQ(find_handler("POST", "/d/12/favorite", p), find_handler("POST", "/d/12/tip", p));
}

TEST(FindHandler, UnknownPathsAreNotFound) {
    Params p;
    try {
        find_handler("GET", "/nothing", p);
        FAIL() << "found";
    } catch (const NotFoundError& e) {
        EXPECT_STREQ(e.what(), "no page at /nothing");
    }
    try {
        find_handler("GET", "/api/nothing", p);
        FAIL() << "found";
    } catch (const NotFoundError& e) {
        EXPECT_STREQ(e.what(), "no API at /api/nothing");
    }
    EXPECT_THROW(find_handler("DELETE", "/nothing", p), NotFoundError) << "no route: 404 whatever the method";
    EXPECT_THROW(find_handler("GET", "/d/12/", p), NotFoundError);
}

TEST(FindHandler, OtherMethodsAreNotAllowed) {
    Params p;
    try {
        find_handler("DELETE", "/d/12", p);
        FAIL() << "allowed";
    } catch (const MethodNotAllowedError& e) {
        EXPECT_STREQ(e.what(), "DELETE is not allowed on /d/12");
        EXPECT_EQ(e.allow(), "GET, HEAD");
    }
    try {
        find_handler("GET", "/d/12/favorite", p);
        FAIL() << "allowed";
    } catch (const MethodNotAllowedError& e) {
        EXPECT_EQ(e.allow(), "POST");
    }
    EXPECT_THROW(find_handler("POST", "/", p), MethodNotAllowedError);
    EXPECT_THROW(find_handler("PUT", "/api/documents", p), MethodNotAllowedError);
    EXPECT_THROW(find_handler("get", "/", p), MethodNotAllowedError) << "methods are case-sensitive";
}

// --- errors ---

TEST(ErrorStatus, OneStatusAndCodeForEachKind) {
    const auto status = [](const std::exception& e) {
        const ErrorStatus s = error_status(e);
        return std::to_string(s.status) + " " + s.code;
    };
    EXPECT_EQ(status(NotFoundError("x")), "404 not_found");
    EXPECT_EQ(status(BadRequestError("x")), "400 bad_request");
    EXPECT_EQ(status(UsageError("x")), "400 bad_request");
    EXPECT_EQ(status(LoginRequiredError("x")), "401 login_required");
    EXPECT_EQ(status(PaymentRequiredError("x")), "402 payment_required");
    EXPECT_EQ(status(ForbiddenError("beyond_free_pages", "x")), "403 beyond_free_pages");
    EXPECT_EQ(status(ForbiddenError("uploads_closed", "x")), "403 uploads_closed");
    EXPECT_EQ(status(MethodNotAllowedError("x", "GET, HEAD")), "405 method_not_allowed");
    EXPECT_EQ(status(DuplicateError(3)), "409 duplicate");
    EXPECT_EQ(status(NearDuplicateError(3, "t", 95)), "409 duplicate");
    EXPECT_EQ(status(InputError("too_large", "x")), "413 too_large");
    EXPECT_EQ(status(InputError("unsupported", "x")), "415 unsupported");
    EXPECT_EQ(status(InputError("empty", "x")), "400 empty");
    EXPECT_EQ(status(InputError("corrupt", "x")), "422 corrupt");
    EXPECT_EQ(status(EnvironmentError("x")), "503 unavailable");
    EXPECT_EQ(status(std::runtime_error("x")), "500 internal");
    EXPECT_EQ(status(std::logic_error("x")), "500 internal");
}

// --- the cache ---

TEST(ExpiringCache, KeepsWhatItMadeUntilTheContentChanges) {
    ContentGeneration generation;
    ExpiringCache<std::string, int> cache(generation, 60s, 10);
    int made = 0;
    const auto make = [&] { return ++made; };
    EXPECT_EQ(cache.get("a", make), 1);
    EXPECT_EQ(cache.get("a", make), 1);
    EXPECT_EQ(cache.get("b", make), 2);
    generation.advance();
    EXPECT_EQ(cache.get("a", make), 3) << "stale after the content changed";
    EXPECT_EQ(cache.get("a", make), 3);
}

TEST(ExpiringCache, EntriesExpire) {
    ContentGeneration generation;
    ExpiringCache<int, int> never_fresh(generation, 0s, 10);
    int made = 0;
    EXPECT_EQ(never_fresh.get(1, [&] { return ++made; }), 1);
    EXPECT_EQ(never_fresh.get(1, [&] { return ++made; }), 2);

    ExpiringCache<int, int> one_second(generation, 1s, 10);
    EXPECT_EQ(one_second.get(1, [&] { return ++made; }), 3);
    EXPECT_EQ(one_second.get(1, [&] { return ++made; }), 3);
    std::this_thread::sleep_for(1100ms);
    EXPECT_EQ(one_second.get(1, [&] { return ++made; }), 4);
}

TEST(ExpiringCache, HoldsAtMostItsEntriesStaleOnesGoingFirst) {
    ContentGeneration generation;
    ExpiringCache<int, int> cache(generation, 60s, 4);
    for (int k = 0; k < 4; ++k) cache.get(k, [k] { return k; });
    EXPECT_EQ(cache.size(), 4u);
    cache.get(0, [] { return 0; });
    EXPECT_EQ(cache.size(), 4u) << "a hit adds nothing";
    cache.get(4, [] { return 4; });
    EXPECT_EQ(cache.size(), 3u) << "full and all fresh: the older half goes";
    int made = 0;
    const auto count = [&] { return ++made, -1; };
    for (int k : {2, 3, 4}) EXPECT_EQ(cache.get(k, count), k) << "the newer half stays";
    EXPECT_EQ(made, 0);
    EXPECT_EQ(cache.get(0, count), -1) << "the older half went";
    generation.advance();
    cache.get(5, [] { return 5; });
    EXPECT_EQ(cache.size(), 1u) << "full of stale entries: they all went, and nothing fresh";
    EXPECT_EQ(cache.get(5, count), 5);

    ExpiringCache<int, int> keeps_nothing(generation, 60s, 0);
    keeps_nothing.get(1, [] { return 1; });
    EXPECT_EQ(keeps_nothing.size(), 0u);
}

TEST(ExpiringCache, UnderMemoryOnlyAMissNeedsWorkAndAHitIsAnswered) {
    ContentGeneration generation;
    ExpiringCache<int, int> cache(generation, 60s, 10);
    cache.get(1, [] { return 1; });
    MemoryOnly only;
    bool made = false;
    EXPECT_EQ(cache.get(1, [&] { return made = true, 0; }), 1);
    EXPECT_THROW(cache.get(2, [&] { return made = true, 0; }), NeedsWork);
    EXPECT_FALSE(made) << "nothing is made on a network thread";
}

TEST(ExpiringCache, KeepsNothingWhenMakingFails) {
    ContentGeneration generation;
    ExpiringCache<int, int> cache(generation, 60s, 10);
    EXPECT_THROW(cache.get(1, []() -> int { throw EnvironmentError("database gone"); }), EnvironmentError);
    EXPECT_EQ(cache.size(), 0u);
    EXPECT_EQ(cache.get(1, [] { return 5; }), 5);
}

// --- the search budget ---

TEST(SearchBudget, CountsDistinctQueriesPerAddress) {
    SearchBudget budget(3, 100);
    for (const char* q : {"青龙", "白虎", "朱雀"}) EXPECT_NO_THROW(budget.charge("192.0.2.1", q));
    EXPECT_NO_THROW(budget.charge("192.0.2.1", "青龙")) << "a query asked already costs nothing more";
    try {
        budget.charge("192.0.2.1", "玄武");
        ADD_FAILURE() << "a fourth distinct query was allowed";
    } catch (const TooManyRequestsError& e) {
        EXPECT_GT(e.retry_after_seconds(), 3500);
    }
    EXPECT_NO_THROW(budget.charge("192.0.2.2", "玄武")) << "another address has its own budget";
    SearchBudget unlimited(0, 100);
    for (int i = 0; i < 1000; ++i) EXPECT_NO_THROW(unlimited.charge("192.0.2.1", std::to_string(i)));
}

// --- view counts ---

struct Written {
    std::int64_t id, views, downloads;
    bool operator==(const Written&) const = default;
};

TEST(ViewCounts, AddsUpAndWritesOncePerDocument) {
    ViewCounts counts(100);
    counts.add(7, 1, 0);
    counts.add(3, 0, 1);
    counts.add(7, 1, 0);
    counts.add(7, 0, 1);
    std::vector<Written> written;
    counts.flush([&](std::int64_t id, std::int64_t v, std::int64_t d) { written.push_back({id, v, d}); });
    EXPECT_EQ(written, (std::vector<Written>{{7, 2, 1}, {3, 0, 1}})) << "oldest first";
    EXPECT_EQ(counts.pending(), 0u);
    written.clear();
    counts.flush([&](std::int64_t id, std::int64_t v, std::int64_t d) { written.push_back({id, v, d}); });
    EXPECT_TRUE(written.empty());
}

TEST(ViewCounts, KeepsWhatTheDatabaseRefusedForTheNextFlush) {
    ViewCounts counts(100);
    counts.add(1, 1, 0);
    counts.add(2, 1, 0);
    counts.add(3, 1, 0);
    std::vector<Written> written;
    const auto refuse_2 = [&](std::int64_t id, std::int64_t v, std::int64_t d) {
        if (id == 2) throw EnvironmentError("database is locked");
        written.push_back({id, v, d});
    };
    EXPECT_THROW(counts.flush(refuse_2), EnvironmentError);
    EXPECT_EQ(written, (std::vector<Written>{{1, 1, 0}}));
    EXPECT_EQ(counts.pending(), 2u) << "2 and 3 are kept";

    counts.add(3, 0, 1);  // counted meanwhile
    counts.add(4, 1, 0);
    written.clear();
    counts.flush([&](std::int64_t id, std::int64_t v, std::int64_t d) { written.push_back({id, v, d}); });
    EXPECT_EQ(written, (std::vector<Written>{{2, 1, 0}, {3, 1, 1}, {4, 1, 0}}))
        << "nothing lost, nothing written twice, the oldest first";
}

TEST(ViewCounts, DropsTheOldestBeyondTheBacklogLimit) {
    ViewCounts counts(2);
    for (std::int64_t id = 1; id <= 4; ++id) counts.add(id, 1, 0);
    EXPECT_THROW(
        counts.flush([](std::int64_t, std::int64_t, std::int64_t) { throw EnvironmentError("disk full"); }),
        EnvironmentError);
    EXPECT_EQ(counts.pending(), 2u);
    std::vector<Written> written;
    counts.flush([&](std::int64_t id, std::int64_t v, std::int64_t d) { written.push_back({id, v, d}); });
    EXPECT_EQ(written, (std::vector<Written>{{3, 1, 0}, {4, 1, 0}})) << "documents 1 and 2 were the oldest";
}

}  // namespace
}  // namespace wenku::web
