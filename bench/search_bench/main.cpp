// bench/search: wenku's search (Xapian, CJK characters + pairs, Traditional/Simplified folding)
// against SQLite FTS5 with its trigram tokenizer, on the same poems of the chinese-poetry package,
// in one run: index time and size, top-10-with-snippets latency single-threaded and with
// concurrent clients, and recall against a brute-force scan. See bench/search for the command.
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/utf8.h"
#include "search/fold.h"
#include "search/query.h"
#include "search/search_index.h"
#include "search_bench/poetry.h"

namespace fs = std::filesystem;
using namespace wenku;
using Clock = std::chrono::steady_clock;

namespace {

struct Query {
    std::string kind;
    std::string text;                  // as typed (Simplified)
    std::vector<std::string> needles;  // brute force: all must occur in the folded text
};

// The fixed query set: 1-, 2-, 3- and 4-character words, phrases, two words; all typed in
// Simplified characters while most poems are in Traditional ones.
const std::vector<Query> queries = {
    {"1 char", "月", {"月"}},
    {"1 char", "鹤", {"鹤"}},
    {"1 char", "泪", {"泪"}},
    {"2 chars", "春风", {"春风"}},
    {"2 chars", "长安", {"长安"}},
    {"2 chars", "归来", {"归来"}},
    {"2 chars", "江南", {"江南"}},
    {"3 chars", "黄鹤楼", {"黄鹤楼"}},
    {"3 chars", "少年时", {"少年时"}},
    {"4 chars", "春风得意", {"春风得意"}},
    {"4 chars", "万里长城", {"万里长城"}},
    {"4 chars", "明月几时", {"明月几时"}},
    {"phrase", "\"床前明月光\"", {"床前明月光"}},
    {"phrase", "\"白日依山尽\"", {"白日依山尽"}},
    {"two words", "春风 明月", {"春风", "明月"}},
    {"two words", "故乡 归来", {"故乡", "归来"}},
    // Typed in Traditional characters, 3 or more: what FTS5's trigrams can find.
    {"Traditional 3+", "黃鶴樓", {"黄鹤楼"}},
    {"Traditional 3+", "\"春風得意\"", {"春风得意"}},
};

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

std::uintmax_t folder_size(const fs::path& dir) {
    std::uintmax_t total = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (e.is_regular_file()) total += e.file_size();
    }
    return total;
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void check(int rc, sqlite3* db, const char* what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        throw std::runtime_error(std::string(what) + ": " + sqlite3_errmsg(db));
    }
}

/// SQLite FTS5 with the trigram tokenizer: the embedded search existing systems could use.
class Fts5 {
  public:
    explicit Fts5(const fs::path& file) {
        check(sqlite3_open(file.c_str(), &db_), db_, "open");
        sqlite3_exec(db_, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
    }
    ~Fts5() {
        sqlite3_finalize(top_);
        sqlite3_finalize(count_);
        sqlite3_close(db_);
    }
    Fts5(const Fts5&) = delete;
    Fts5& operator=(const Fts5&) = delete;

    void build(const std::vector<bench::Poem>& poems) {
        check(sqlite3_exec(db_, "CREATE VIRTUAL TABLE poems USING fts5(title, body, tokenize='trigram')",
                           nullptr, nullptr, nullptr),
              db_, "create");
        check(sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr), db_, "begin");
        sqlite3_stmt* st = nullptr;
        check(sqlite3_prepare_v2(db_, "INSERT INTO poems(rowid, title, body) VALUES(?, ?, ?)", -1, &st,
                                 nullptr),
              db_, "prepare");
        for (std::size_t i = 0; i < poems.size(); ++i) {
            const std::string text = poems[i].text();
            sqlite3_bind_int64(st, 1, static_cast<sqlite3_int64>(i + 1));
            sqlite3_bind_text(st, 2, poems[i].title.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 3, text.c_str(), -1, SQLITE_TRANSIENT);
            check(sqlite3_step(st), db_, "insert");
            sqlite3_reset(st);
        }
        sqlite3_finalize(st);
        check(sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr), db_, "commit");
        check(sqlite3_exec(db_, "INSERT INTO poems(poems) VALUES('optimize')", nullptr, nullptr, nullptr),
              db_, "optimize");
        sqlite3_exec(db_, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
    }

    /// FTS5 syntax for a query as typed: each word quoted (a phrase of its characters).
    static std::string match_of(const Query& q) {
        std::string m;
        std::string word;
        for (const char c : q.text + " ") {
            if (c == ' ') {
                if (!word.empty()) m += (m.empty() ? "" : " ") + ("\"" + word + "\"");
                word.clear();
            } else if (c != '"') {
                word += c;
            }
        }
        return m;
    }

    /// Top 10 with snippets, and the number of matches (a results page shows both); returns the
    /// number of matches.
    std::int64_t top10(const Query& q) {
        const std::string match = match_of(q);
        if (!top_) {
            sqlite3_prepare_v2(
                db_,
                "SELECT rowid, snippet(poems, 1, '【', '】', '…', 24) FROM poems WHERE poems MATCH ? "
                "ORDER BY rank LIMIT 10",
                -1, &top_, nullptr);
            sqlite3_prepare_v2(db_, "SELECT count(*) FROM poems WHERE poems MATCH ?", -1, &count_, nullptr);
        }
        sqlite3_bind_text(top_, 1, match.c_str(), -1, SQLITE_TRANSIENT);
        while (sqlite3_step(top_) == SQLITE_ROW)
            snippet_bytes_ += static_cast<std::size_t>(sqlite3_column_bytes(top_, 1));
        sqlite3_reset(top_);
        std::int64_t n = 0;
        sqlite3_bind_text(count_, 1, match.c_str(), -1, SQLITE_TRANSIENT);
        if (sqlite3_step(count_) == SQLITE_ROW) n = sqlite3_column_int64(count_, 0);
        sqlite3_reset(count_);
        return n;
    }

    std::set<std::int64_t> all_matches(const Query& q) {
        std::set<std::int64_t> ids;
        sqlite3_stmt* st = nullptr;
        sqlite3_prepare_v2(db_, "SELECT rowid FROM poems WHERE poems MATCH ?", -1, &st, nullptr);
        const std::string match = match_of(q);
        sqlite3_bind_text(st, 1, match.c_str(), -1, SQLITE_TRANSIENT);
        while (sqlite3_step(st) == SQLITE_ROW) ids.insert(sqlite3_column_int64(st, 0));
        sqlite3_finalize(st);
        return ids;
    }

  private:
    sqlite3* db_ = nullptr;
    sqlite3_stmt* top_ = nullptr;
    sqlite3_stmt* count_ = nullptr;
    std::size_t snippet_bytes_ = 0;
};

}  // namespace

namespace {

struct Latency {
    std::vector<double> ms;
    std::map<std::string, std::vector<double>> by_kind;
    double wall = 0;
};

/// Runs every query `rounds` times on `clients` threads, each with its own engine from `open`.
template <typename Open, typename Run>
Latency measure(int clients, int rounds, Open open, Run run) {
    std::vector<std::vector<double>> per(static_cast<std::size_t>(clients));
    std::vector<std::vector<std::string>> kinds(static_cast<std::size_t>(clients));
    const auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
        threads.emplace_back([&, c] {
            auto engine = open();
            for (int r = 0; r < rounds; ++r) {
                for (std::size_t i = 0; i < queries.size(); ++i) {
                    const auto& q = queries[(i + static_cast<std::size_t>(c)) % queries.size()];
                    const auto t = Clock::now();
                    run(*engine, q);
                    per[static_cast<std::size_t>(c)].push_back(seconds_since(t) * 1000);
                    kinds[static_cast<std::size_t>(c)].push_back(q.kind);
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    Latency out;
    out.wall = seconds_since(start);
    for (std::size_t c = 0; c < per.size(); ++c) {
        out.ms.insert(out.ms.end(), per[c].begin(), per[c].end());
        for (std::size_t i = 0; i < per[c].size(); ++i) out.by_kind[kinds[c][i]].push_back(per[c][i]);
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"wenku search benchmark: wenku (Xapian) against SQLite FTS5 trigram on chinese-poetry"};
    std::string poetry;
    std::size_t docs = 300'000;
    int threads = 2;
    int clients = 8;
    int rounds = 20;
    std::string work = "/tmp/wenku-bench-search";
    bool keep = false;
    app.add_option("--poetry", poetry, "chinese-poetry's dist folder (bench/fetch-poetry prints it)")
        ->required();
    app.add_option("--docs", docs, "Poems to index")->capture_default_str();
    app.add_option("--threads", threads, "Threads building wenku's index")->capture_default_str();
    app.add_option("--clients", clients, "Concurrent clients in the second latency run")
        ->capture_default_str();
    app.add_option("--rounds", rounds, "Times each query runs per client")->capture_default_str();
    app.add_option("--work", work, "Scratch folder (emptied)")->capture_default_str();
    app.add_flag("--keep", keep, "Keep the indexes in the scratch folder");
    CLI11_PARSE(app, argc, argv);

    const auto poems = bench::load_poems(poetry, docs);
    std::size_t raw_bytes = 0;
    std::vector<std::string> texts;
    std::vector<std::u32string> folded;  // title + text, for the brute-force scan
    for (const auto& p : poems) {
        texts.push_back(p.text());
        raw_bytes += p.title.size() + texts.back().size();
        folded.push_back(search::fold(decode_utf8(p.title + "\n" + texts.back())));
    }
    std::printf("%zu poems, %.1f MB of text (UTF-8), %u cores\n\n", poems.size(), raw_bytes / 1e6,
                std::thread::hardware_concurrency());
    fs::remove_all(work);
    fs::create_directories(work);
    const fs::path index_dir = fs::path(work) / "xapian";
    const fs::path fts_file = fs::path(work) / "fts5.db";

    // --- indexing
    auto t = Clock::now();
    std::size_t next = 0;
    search::build_index(index_dir, search::TextPolicy{}, threads, [&]() -> std::optional<search::IndexInput> {
        if (next >= poems.size()) return std::nullopt;
        search::IndexInput in;
        in.document.id = static_cast<std::int64_t>(next + 1);
        in.document.title = poems[next].title;
        in.document.format = "txt";
        in.document.status = DocumentStatus::ready;
        in.document.created_at = static_cast<std::int64_t>(next);
        Page page;
        page.document_id = in.document.id;
        page.number = 1;
        page.text = texts[next];
        in.pages.push_back(std::move(page));
        ++next;
        return in;
    });
    const double wenku_build = seconds_since(t);
    const auto wenku_size = folder_size(index_dir);
    t = Clock::now();
    {
        Fts5 fts(fts_file);
        fts.build(poems);
    }
    const double fts_build = seconds_since(t);
    const auto fts_size = fs::file_size(fts_file);

    const search::PageTextSource page_text = [&texts](std::int64_t id, int) -> std::optional<std::string> {
        return texts[static_cast<std::size_t>(id - 1)];
    };

    // --- recall against a brute-force scan of the folded texts
    std::printf(
        "| query | kind | brute force | wenku matches | wenku recall | FTS5 matches | FTS5 recall |\n");
    std::printf("|---|---|---:|---:|---:|---:|---:|\n");
    std::map<std::string, std::pair<std::size_t, std::size_t>> recall_by_kind[2];  // found, relevant
    {
        search::IndexReader reader(index_dir);
        Fts5 fts(fts_file);
        for (const auto& q : queries) {
            std::set<std::int64_t> relevant;
            std::vector<std::u32string> needles;
            for (const auto& n : q.needles) needles.push_back(search::fold(decode_utf8(n)));
            for (std::size_t i = 0; i < folded.size(); ++i) {
                if (std::all_of(needles.begin(), needles.end(),
                                [&](const auto& n) { return folded[i].find(n) != std::u32string::npos; })) {
                    relevant.insert(static_cast<std::int64_t>(i + 1));
                }
            }
            search::SearchRequest all;
            all.query = q.text;
            all.limit = poems.size();
            const auto ours = reader.search(all, page_text);
            std::size_t ours_found = 0;
            for (const auto& h : ours.hits) ours_found += relevant.count(h.document_id);
            const auto theirs = fts.all_matches(q);
            std::size_t theirs_found = 0;
            for (auto id : theirs) theirs_found += relevant.count(id);
            auto pct = [&](std::size_t f) { return relevant.empty() ? 100.0 : 100.0 * f / relevant.size(); };
            std::printf("| %s | %s | %zu | %zu | %.1f%% | %zu | %.1f%% |\n", q.text.c_str(), q.kind.c_str(),
                        relevant.size(), ours.hits.size(), pct(ours_found), theirs.size(), pct(theirs_found));
            recall_by_kind[0][q.kind].first += ours_found;
            recall_by_kind[0][q.kind].second += relevant.size();
            recall_by_kind[1][q.kind].first += theirs_found;
            recall_by_kind[1][q.kind].second += relevant.size();
        }
    }

    // --- latency: top 10 with snippets and the exact number of matches
    auto wenku_open = [&] { return std::make_unique<search::IndexReader>(index_dir); };
    auto wenku_run = [&](search::IndexReader& r, const Query& q) {
        search::SearchRequest request;
        request.query = q.text;
        const auto results = r.search(request, page_text);
        if (results.hits.size() > 10) std::abort();
    };
    auto fts_open = [&] { return std::make_unique<Fts5>(fts_file); };
    auto fts_run = [](Fts5& f, const Query& q) { (void)f.top10(q); };
    const Latency wenku_1 = measure(1, rounds, wenku_open, wenku_run);
    const Latency fts_1 = measure(1, rounds, fts_open, fts_run);
    const Latency wenku_n = measure(clients, rounds, wenku_open, wenku_run);
    const Latency fts_n = measure(clients, rounds, fts_open, fts_run);

    std::printf(
        "\n| engine | build s | index MB | × raw text | 1 client p50 ms | p99 ms | %d clients p50 ms | p99 "
        "ms | queries/s |\n",
        clients);
    std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    auto row = [&](const char* name, double build, std::uintmax_t size, const Latency& one,
                   const Latency& many) {
        std::printf("| %s | %.1f | %.1f | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f |\n", name, build,
                    size / 1e6, static_cast<double>(size) / static_cast<double>(raw_bytes),
                    percentile(one.ms, 0.5), percentile(one.ms, 0.99), percentile(many.ms, 0.5),
                    percentile(many.ms, 0.99), static_cast<double>(many.ms.size()) / many.wall);
    };
    row("wenku (Xapian, characters + pairs, folding)", wenku_build, wenku_size, wenku_1, wenku_n);
    row("SQLite FTS5 trigram", fts_build, fts_size, fts_1, fts_n);

    std::printf(
        "\n| by kind (1 client) | wenku recall | wenku p50 ms | p99 ms | FTS5 recall | FTS5 p50 ms | p99 ms "
        "|\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|\n");
    for (const auto& [kind, v] : recall_by_kind[0]) {
        const auto& f = recall_by_kind[1][kind];
        std::printf("| %s | %.1f%% | %.2f | %.2f | %.1f%% | %.2f | %.2f |\n", kind.c_str(),
                    v.second ? 100.0 * v.first / v.second : 100.0, percentile(wenku_1.by_kind.at(kind), 0.5),
                    percentile(wenku_1.by_kind.at(kind), 0.99), f.second ? 100.0 * f.first / f.second : 100.0,
                    percentile(fts_1.by_kind.at(kind), 0.5), percentile(fts_1.by_kind.at(kind), 0.99));
    }
    std::printf(
        "\n(%zu queries × %d rounds per client; latency = top 10 with snippets and the exact total)\n",
        queries.size(), rounds);
    if (!keep) fs::remove_all(work);
    return 0;
}
