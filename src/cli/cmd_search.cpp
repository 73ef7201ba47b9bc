// wenku search / related / reindex : the full-text index from the command line.
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "core/errors.h"
#include "search/search_index.h"
#include "search/search_options.h"
#include "search/suggest.h"
#include "store/repository.h"

namespace wenku::cli {

namespace {

nlohmann::json fragments_json(const std::vector<search::Fragment>& fragments) {
    auto out = nlohmann::json::array();
    for (const auto& f : fragments) out.push_back({{"text", f.text}, {"hit", f.hit}});
    return out;
}

search::PageTextSource page_texts(Library& library) {
    return [&library](std::int64_t id, int number) -> std::optional<std::string> {
        if (auto page = library.repository().page(id, number)) return page->text;
        return std::nullopt;
    };
}

}  // namespace

void add_search_command(CLI::App& app, Context& ctx) {
    struct Options {
        std::string query;
        bool json = false;
        int page = 1;
        int per_page = 10;
        std::string sort = "relevance";
        std::string format;
        bool facets = false;
        bool log = false;
    };
    auto opt = std::make_shared<Options>();
    auto* cmd = app.add_subcommand(
        "search",
        "Search the documents' text. Words must all occur (Chinese without spaces is fine); \"a phrase\" "
        "exactly; -word excludes; format:pdf, category:N, uploader:NAME and title:WORD filter. Traditional "
        "and Simplified characters find each other.");
    cmd->add_option("query", opt->query, "What to search for")->required();
    cmd->add_option("--page", opt->page, "Page of results (1 = the first)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_option("--per-page", opt->per_page, "Results per page")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000));
    cmd->add_option("--sort", opt->sort, "relevance, newest, downloads, views or favorites")
        ->capture_default_str();
    cmd->add_option("--format", opt->format, "Only documents of this format (pdf, docx, ...)");
    cmd->add_flag("--facets", opt->facets, "Also count the matches per category and format");
    cmd->add_flag("--json", opt->json, "One JSON object instead of text");
    cmd->add_flag(
        "--log", opt->log,
        "Count this search in the search log that suggests related searches (相关搜索), as readers' "
        "searches are: the query's text only");
    cmd->callback([&ctx, opt] {
        Library& library = ctx.library();
        search::SearchRequest request;
        request.query = opt->query;
        request.limit = static_cast<std::size_t>(opt->per_page);
        request.offset = static_cast<std::size_t>(opt->page - 1) * request.limit;
        request.sort = search::search_sort_from_string(opt->sort);
        request.format = opt->format;
        request.facets = opt->facets;
        {
            // After a crash the index may lag the database: put it right, unless a conversion
            // (which does that itself when it starts) holds the library.
            const QueueLock lock(library.data_dir(), /*wait=*/false);
            if (lock.held())
                search::reconcile_index(library.repository(), library.index_dir(),
                                        search::TextPolicy::from(library.config()));
        }
        const search::IndexReader reader(library.index_dir(),
                                         search::SearchOptions::from(library.config().search));
        const auto results = reader.search(request, page_texts(library));
        const search::SearchBlocklist blocklist(library.data_dir() / search::blocklist_file_name);
        if (opt->log)
            search::record_search(library.repository(), results, "local", reader.options(), &blocklist);
        const auto suggestions =
            search::related_searches(library.repository(), reader, results, 8, &blocklist);
        if (opt->json) {
            nlohmann::json out{{"query", results.canonical_query},
                               {"total", results.total},
                               {"total_exact", results.total_exact},
                               {"page", opt->page}};
            auto hits = nlohmann::json::array();
            for (const auto& h : results.hits) {
                hits.push_back({{"id", h.document_id},
                                {"title", h.title},
                                {"title_fragments", fragments_json(h.title_fragments)},
                                {"page", h.page},
                                {"pages", h.pages},
                                {"snippet", fragments_json(h.snippet)},
                                {"weight", h.weight}});
            }
            out["hits"] = hits;
            out["related_searches"] = suggestions;
            if (opt->facets) {
                nlohmann::json categories = nlohmann::json::object();
                for (const auto& [id, n] : results.categories) categories[std::to_string(id)] = n;
                out["facets"] = {{"categories", categories}, {"formats", results.formats}};
            }
            std::printf("%s\n", terminal_safe_json(out).c_str());
            return;
        }
        std::printf("%s%lld documents match \"%s\"\n", results.total_exact ? "" : "about ",
                    static_cast<long long>(results.total), terminal_safe(opt->query).c_str());
        std::size_t rank = request.offset;
        for (const auto& h : results.hits) {
            std::string pages;
            for (std::size_t i = 0; i < h.pages.size() && i < 12; ++i)
                pages += (i ? "," : "") + std::to_string(h.pages[i]);
            if (h.pages.size() > 12) pages += ",…";
            std::printf("\n%zu. №%lld %s\n", ++rank, static_cast<long long>(h.document_id),
                        terminal_safe(search::bracketed(h.title_fragments)).c_str());
            std::printf("   第%d页%s  %s\n", h.page, pages.empty() ? "" : (" (pages " + pages + ")").c_str(),
                        terminal_safe(search::bracketed(h.snippet)).c_str());
        }
        if (!suggestions.empty()) {
            std::printf("\n相关搜索:");
            for (const auto& s : suggestions) std::printf("  %s", terminal_safe(s).c_str());
            std::printf("\n");
        }
        if (opt->facets) {
            std::printf("\nformats:");
            for (const auto& [f, n] : results.formats)
                std::printf(" %s %lld", terminal_safe(f).c_str(), static_cast<long long>(n));
            std::printf("\n");
        }
    });
}

void add_related_command(CLI::App& app, Context& ctx) {
    struct Options {
        std::string number;
        int count = 8;
    };
    auto opt = std::make_shared<Options>();
    auto* cmd =
        app.add_subcommand("related", "Documents most like one document (相关资源), and its key terms");
    cmd->add_option("number", opt->number, "Document number (文档编号)")->required();
    cmd->add_option("--count", opt->count, "How many")->capture_default_str()->check(CLI::Range(1, 100));
    cmd->callback([&ctx, opt] {
        Library& library = ctx.library();
        const Document doc = require_document(library, parse_document_number(opt->number));
        const search::IndexReader reader(library.index_dir(),
                                         search::SearchOptions::from(library.config().search));
        std::string terms;
        for (const auto& [term, weight] : reader.key_terms(doc.id, 12))
            terms += (terms.empty() ? "" : " ") + term;
        std::printf("№%lld %s\nkey terms: %s\n", static_cast<long long>(doc.id),
                    terminal_safe(doc.title).c_str(), terminal_safe(terms).c_str());
        for (const auto id : search::related_documents(library.repository(), reader, doc.id,
                                                       static_cast<std::size_t>(opt->count))) {
            const auto other = library.repository().find_document(id);
            std::printf("  №%lld %s\n", static_cast<long long>(id),
                        other ? terminal_safe(other->title).c_str() : "");
        }
    });
}

void add_reindex_command(CLI::App& app, Context& ctx) {
    struct Options {
        int threads = 0;
    };
    auto opt = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("reindex", "Rebuild the search index from the database");
    cmd->add_option("--threads", opt->threads, "Threads (0 = one per core)")->capture_default_str();
    cmd->callback([&ctx, opt] {
        Library& library = ctx.library();
        const QueueLock lock(library.data_dir(), /*wait=*/false);
        if (!lock.held()) {
            throw EnvironmentError("a wenku process is converting in " + library.data_dir().string() +
                                   ": reindex when it has finished");
        }
        const int threads = opt->threads > 0
                                ? opt->threads
                                : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        const auto db_path = library.data_dir() / "wenku.db";
        const auto n = search::rebuild_index(
            [db_path] { return open_sqlite_repository(db_path.string()); }, library.index_dir(),
            search::TextPolicy::from(library.config()), threads,
            [](std::int64_t done) {
                std::fprintf(stderr, "\rindexed %lld documents", static_cast<long long>(done));
            });
        std::fprintf(stderr, "\n");
        std::printf("search index rebuilt: %lld documents\n", static_cast<long long>(n));
    });
}

}  // namespace wenku::cli
