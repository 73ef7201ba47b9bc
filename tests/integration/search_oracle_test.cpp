// Locked text stays locked: a real `wenku serve` over a library with one long document whose locked
// page 9 holds a secret, attacked through /api/search as a security review did. Each query asks
// one yes/no question (does the document match? does a hit name page 9?): a quoted phrase extended
// one character at a time, and character pairs chained, from one address and from fifty
// (127.0.0.2-127.0.0.51), 20,000 queries at most per attack.
#include <algorithm>
#include <functional>
#include <random>

#include <gtest/gtest.h>

#include "core/utf8.h"
#include "web_fixture.h"

using namespace web_fixture;
using wenku::decode_utf8;
using wenku::encode_utf8;

namespace {

const std::u32string secret = U"秘密口令是青龙白虎";
constexpr int secret_page = 9;
constexpr int free_pages = 2;
constexpr std::size_t max_queries = 20'000;
constexpr int addresses = 50;

constexpr int text_lines = 480;

/// The library: one document of about 12 pages; 麒麟 every fourth line on locked pages 5-8 only (a
/// key term), the secret once on page 9. `first_line[p]` is the number of the first line of page
/// p + 1 as the unmarked text is laid out (first_lines()), so the marks follow the layout.
std::string library_text(const std::vector<int>& first_line) {
    std::map<int, std::string> marks;
    for (int line = first_line[4] + 1; line < first_line[8] - 1; line += 4) marks[line] = "麒麟";
    marks[first_line[8] + 3] = encode_utf8(secret) + "。";
    return long_text("保密文件测试", "春天的故事", text_lines, marks);
}

/// The first line ("第N行") of every page of the unmarked text, converted in its own library.
std::vector<int> first_lines(const fs::path& folder) {
    write_file(folder / "probe.txt", long_text("保密文件测试", "春天的故事", text_lines, {}));
    const auto id = added_id(run_wenku(folder / "data", {"add", (folder / "probe.txt").string()}));
    std::vector<int> first;
    for (const std::string& page : page_texts(folder / "data", id)) {
        const auto at = page.find("第");
        first.push_back(at == std::string::npos ? -1 : std::stoi(page.substr(at + std::string("第").size())));
    }
    return first;
}

/// The characters an attacker tries at each step: the secret's among a thousand others, shuffled.
std::vector<std::string> alphabet() {
    std::vector<std::string> chars;
    for (char32_t c = 0x4E00; chars.size() < 1000; c += 7) chars.push_back(encode_utf8(std::u32string(1, c)));
    for (const char32_t c : secret) chars.push_back(encode_utf8(std::u32string(1, c)));
    std::sort(chars.begin(), chars.end());
    chars.erase(std::unique(chars.begin(), chars.end()), chars.end());
    std::shuffle(chars.begin(), chars.end(), std::mt19937(20260));
    return chars;
}

/// Asks /api/search questions, spreading them over clients with their own source addresses.
class Oracle {
  public:
    Oracle(unsigned short port, std::int64_t document, int clients) : document_(document) {
        for (int i = 0; i < clients; ++i) {
            const std::string source = clients == 1 ? "127.0.0.1" : "127.0.0." + std::to_string(i + 2);
            sources_.push_back(source);
        }
        port_ = port;
    }

    /// Whether the document matches `query` (`page_9`: and a hit names page 9). A refusal (429)
    /// answers no.
    bool matches(const std::string& query, bool page_9 = false) {
        ++asked_;
        const std::size_t at = asked_ % sources_.size();
        const std::string target = "/api/search?per_page=50&q=" + url_encode(query);
        // A connection per question, from the client's own address.
        HttpConnection connection(port_, std::chrono::seconds(20), sources_[at]);
        const HttpResponse r = connection.request("GET", target);
        if (r.status == 429) {
            ++refused_;
            if (r.header("retry-after").empty()) ADD_FAILURE() << "429 without Retry-After";
            return false;
        }
        if (r.status != 200) {
            ADD_FAILURE() << query << ": HTTP " << r.status << " " << r.body.substr(0, 200);
            return false;
        }
        const json answer = json::parse(r.body);
        for (const auto& hit : answer.at("hits")) {
            if (hit.at("id") != document_) continue;
            const auto& pages = hit.at("pages");
            if (!page_9 || std::find(pages.begin(), pages.end(), secret_page) != pages.end()) return true;
        }
        return false;
    }

    std::size_t asked() const { return asked_; }
    std::size_t refused() const { return refused_; }

  private:
    unsigned short port_ = 0;
    std::int64_t document_;
    std::vector<std::string> sources_;
    std::size_t asked_ = 0;
    std::size_t refused_ = 0;
};

/// How many characters of the secret, in their order, an attack recovered: the longest run of
/// the secret in what it recovered.
std::size_t secret_chars_in(const std::u32string& recovered) {
    std::size_t best = 0;
    for (std::size_t i = 0; i < recovered.size(); ++i) {
        for (std::size_t j = 0; j < secret.size(); ++j) {
            std::size_t n = 0;
            while (i + n < recovered.size() && j + n < secret.size() && recovered[i + n] == secret[j + n])
                ++n;
            best = std::max(best, n);
        }
    }
    return best;
}

/// What a query extending `known` by `c` is: the quoted phrase, or the pair of its last character
/// and `c` (a query of two characters, which a pair index answers exactly).
enum class Attack { phrase, pairs };
std::string query_of(Attack attack, const std::u32string& known, const std::string& c) {
    if (attack == Attack::phrase) return "\"" + encode_utf8(known) + c + "\"";
    return encode_utf8(known.substr(known.size() - 1)) + c;
}

/// The attack, helped: it is given one character of the secret as a start (each in turn, as the
/// queries last) and extends what it knows with the first character of the alphabet for which the
/// oracle says yes, until none does. Returns the most characters of the secret it confirmed, and
/// what it recovered then in `best`.
std::size_t attack(Oracle& oracle, Attack kind, bool page_9, std::u32string& best) {
    const auto chars = alphabet();
    std::size_t most = 0;
    for (std::size_t start = 0; start < secret.size() && oracle.asked() < max_queries; ++start) {
        std::u32string known(1, secret[start]);
        while (oracle.asked() < max_queries && known.size() <= secret.size()) {
            bool extended = false;
            for (const auto& c : chars) {
                if (oracle.asked() >= max_queries) break;
                if (oracle.matches(query_of(kind, known, c), page_9)) {
                    known += decode_utf8(c);
                    extended = true;
                    break;
                }
            }
            if (!extended) break;
        }
        // Confirmed: the secret's characters it extended the given one with, and that one.
        const std::size_t confirmed = known.size() > 1 ? secret_chars_in(known) : 0;
        if (confirmed > most) {
            most = confirmed;
            best = known;
        }
        if (most == secret.size()) break;
    }
    return most;
}

class SearchOracleTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const std::vector<int> first_line = first_lines(files_.path());
        ASSERT_GE(first_line.size(), 10u);
        write_file(files_.path() / "secret.txt", library_text(first_line));
        write_file(data_.path() / "wenku.conf", config("free", 300));
        id_ = added_id(run_wenku(data_.path(), {"add", (files_.path() / "secret.txt").string()}));
        const auto pages = page_texts(data_.path(), id_);
        ASSERT_GE(pages.size(), 10u);
        const std::string s = encode_utf8(secret);
        for (std::size_t p = 1; p <= pages.size(); ++p) {  // the test's premises
            ASSERT_EQ(contains(pages[p - 1], s), p == secret_page) << "the secret belongs on page 9 only";
            ASSERT_EQ(contains(pages[p - 1], "麒麟"), p >= 5 && p <= 8)
                << "麒麟 belongs on pages 5-8, page " << p;
        }
    }

    static std::string config(const std::string& public_text, int searches_per_hour) {
        return "preview.free_pages = " + std::to_string(free_pages) + "\nsite.public_text = " + public_text +
               "\nsearch.distinct_queries_per_hour = " + std::to_string(searches_per_hour) +
               "\nhttp.access_log = 0\nhttp.rate_per_ip = 0\n"
               // Every answer from the index as it is now (a re-indexed library keeps its size, and
               // results cached before would be kept for the cache's lifetime).
               "http.page_cache_seconds = 0\n";
    }

    TempDir data_, files_;
    std::int64_t id_ = 0;
};

TEST_F(SearchOracleTest, LockedTextCannotBeRecoveredThroughSearch) {
    {
        // One address, the default budget: refused long before the attack could finish.
        ServedLibrary served(data_.path(), config("free", 300));
        Oracle one(served.port(), id_, 1);
        std::u32string recovered;
        EXPECT_LE(attack(one, Attack::phrase, false, recovered), 2u)
            << "recovered " << encode_utf8(recovered);
        EXPECT_GT(one.refused(), 0u) << "one address made " << one.asked() << " searches unrefused";
        EXPECT_EQ(served.stop(10s), 0);
    }
    // Fifty addresses and no budget: what the index itself answers.
    ServedLibrary served(data_.path(), config("free", 0));
    Oracle many(served.port(), id_, addresses);
    std::u32string recovered;
    EXPECT_LE(attack(many, Attack::phrase, false, recovered), 2u) << "recovered " << encode_utf8(recovered);
    Oracle pairs(served.port(), id_, addresses);
    EXPECT_LE(attack(pairs, Attack::pairs, false, recovered), 2u) << "recovered " << encode_utf8(recovered);
    EXPECT_EQ(many.refused() + pairs.refused(), 0u);
    EXPECT_FALSE(many.matches("\"" + encode_utf8(secret) + "\"")) << "the whole secret as a phrase";
    EXPECT_FALSE(many.matches("青龙")) << "a pair of the secret";

    // A key term that occurs only on locked pages still finds the document, naming no page.
    const json found = json_of(http_request(served.port(), "GET", "/api/search?q=" + url_encode("麒麟")));
    ASSERT_EQ(found["total"], 1) << found.dump();
    EXPECT_EQ(found["hits"][0]["id"], id_);
    EXPECT_EQ(found["hits"][0]["pages"], json::array());
    const auto page = http_request(served.port(), "GET", "/d/" + std::to_string(id_));
    EXPECT_TRUE(contains(page.body, ">麒麟</a>")) << "the key term is not shown on the document page";
    EXPECT_FALSE(contains(page.body, "青龙"));
    // Hits never name a locked page, whatever matched.
    for (const char* q : {"春天", "文库预览", "alpha", "麒麟", "第300行"}) {
        const json j = json_of(http_request(served.port(), "GET", "/api/search?q=" + url_encode(q)));
        for (const auto& hit : j["hits"]) {
            for (const auto& p : hit["pages"]) EXPECT_LE(p.get<int>(), free_pages) << q;
            EXPECT_LE(hit["page"].get<int>(), free_pages) << q;
        }
    }
    EXPECT_EQ(served.stop(10s), 0);
}

TEST_F(SearchOracleTest, WithTheWholeTextPublicThePhraseFindsItsPage) {
    // The same library re-indexed under site.public_text = all when the server starts.
    ServedLibrary served(data_.path(), config("all", 0));
    Oracle oracle(served.port(), id_, 1);
    // Re-indexing runs as the server starts, and its readers reopen every second.
    const std::string phrase = "\"" + encode_utf8(secret) + "\"";
    bool found = false;
    for (int i = 0; i < 300 && !(found = oracle.matches(phrase, true)); ++i)
        std::this_thread::sleep_for(100ms);
    ASSERT_TRUE(found)
        << "the whole secret as a phrase, with every page public; the server said:\n"
        << served.log() << "\nand answered: "
        << http_request(served.port(), "GET", "/api/search?q=" + url_encode(phrase)).body.substr(0, 400);
    // And the attack that fails above recovers the whole secret here: the test can tell.
    std::u32string recovered;
    EXPECT_EQ(attack(oracle, Attack::phrase, true, recovered), secret.size()) << encode_utf8(recovered);
    EXPECT_EQ(served.stop(10s), 0);
}

}  // namespace
