// wenku ls / info / text / rm / reports : look at and remove documents. Whatever users wrote is
// printed through terminal_safe() (cli/terminal.h).
#include <unistd.h>

#include <cstdio>
#include <optional>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "core/description.h"
#include "core/errors.h"
#include "search/near_duplicate.h"
#include "search/search_index.h"

namespace wenku::cli {

namespace {

std::string category_path(Library& library, const std::optional<std::int64_t>& id) {
    if (!id) return "";
    std::string path;
    for (const auto& c : library.repository().category_chain(*id)) path += (path.empty() ? "" : "/") + c.name;
    return path;
}

nlohmann::json document_json(Library& library, const Document& d) {
    return {
        {"id", d.id},
        {"title", d.title},
        {"original_name", d.original_name},
        {"format", d.format},
        {"size_bytes", d.size_bytes},
        {"sha256", d.sha256},
        {"page_count", d.page_count},
        {"status", to_string(d.status)},
        {"error", d.error},
        {"uploader", d.uploader},
        {"category", category_path(library, d.category_id)},
        {"price", d.price},
        {"created_at", d.created_at},
        {"views", d.views},
        {"downloads", d.downloads},
        {"favorites", d.favorites},
        {"near_duplicate_of", d.near_duplicate_of ? nlohmann::json(*d.near_duplicate_of) : nlohmann::json()},
        {"near_duplicate_similarity",
         d.near_duplicate_of ? nlohmann::json(d.near_duplicate_similarity) : nlohmann::json()}};
}

/// "near-duplicate of №3 (93% the same)", or "" when the document is not flagged.
std::string near_duplicate_note(const Document& d) {
    if (!d.near_duplicate_of) return "";
    return "near-duplicate of №" + std::to_string(*d.near_duplicate_of) + " (" +
           std::to_string(search::similarity_percent(d.near_duplicate_similarity)) + "% the same)";
}

/// The status column of `ls`: a flagged document is "ready ≈№3".
std::string status_cell(const Document& d) {
    std::string cell = to_string(d.status);
    if (d.near_duplicate_of) cell += " ≈№" + std::to_string(*d.near_duplicate_of);
    return cell;
}

}  // namespace

void add_ls_command(CLI::App& app, Context& ctx) {
    struct Options {
        std::string status;
        bool json = false;
        int limit = 1000;
    };
    auto opt = std::make_shared<Options>();
    auto* cmd =
        app.add_subcommand("ls",
                           "List the documents in the library, newest first; a near-duplicate of an earlier "
                           "document shows it in its status (ready ≈№3)");
    cmd->add_option("--status", opt->status,
                    "Only documents in this state: queued, converting, ready, failed");
    cmd->add_option("--limit", opt->limit, "At most this many")->capture_default_str();
    cmd->add_flag("--json", opt->json, "JSON lines instead of a table");
    cmd->callback([&ctx, opt] {
        Library& library = ctx.library();
        DocumentFilter filter;
        filter.limit = opt->limit;
        if (!opt->status.empty()) filter.status = document_status_from_string(opt->status);
        const auto docs = library.repository().list_documents(filter);
        if (opt->json) {
            for (const auto& d : docs)
                std::printf("%s\n", terminal_safe_json(document_json(library, d)).c_str());
            return;
        }
        Table table({"№", "标题 title", "格式", "页数", "大小", "状态", "上传时间"});
        for (const auto& d : docs) {
            table.add({std::to_string(d.id), d.title.empty() ? d.original_name : d.title, d.format,
                       std::to_string(d.page_count), human_size(d.size_bytes), status_cell(d),
                       format_time(d.created_at)});
        }
        table.print(stdout, {0, 3, 4});
        std::printf("%lld documents\n", static_cast<long long>(library.repository().count_documents(filter)));
    });
}

void add_info_command(CLI::App& app, Context& ctx) {
    struct Options {
        std::string number;
        bool json = false;
    };
    auto opt = std::make_shared<Options>();
    auto* cmd =
        app.add_subcommand("info",
                           "Show one document: metadata, whether it is a near-duplicate of an earlier "
                           "document, and its description (资源描述)");
    cmd->add_option("number", opt->number, "Document number (文档编号)")->required();
    cmd->add_flag("--json", opt->json, "Print JSON");
    cmd->callback([&ctx, opt] {
        Library& library = ctx.library();
        const Document d = require_document(library, parse_document_number(opt->number));
        const auto segments =
            describe(library.repository().pages(d.id), library.config().description.chars_per_page);
        if (opt->json) {
            auto j = document_json(library, d);
            j["description"] = nlohmann::json::array();
            for (const auto& s : segments) j["description"].push_back({{"page", s.page}, {"text", s.text}});
            std::printf("%s\n", terminal_safe_json(j, 2).c_str());
            return;
        }
        std::printf("%s\n\n", terminal_safe(d.title).c_str());
        std::printf("文档编号: %lld   格式: %s   页数: %d   大小: %s   上传时间: %s\n",
                    static_cast<long long>(d.id), terminal_safe(d.format).c_str(), d.page_count,
                    human_size(d.size_bytes).c_str(), format_time(d.created_at).c_str());
        std::printf("状态: %s%s%s\n", to_string(d.status), d.error.empty() ? "" : " — ",
                    terminal_safe(d.error).c_str());
        std::printf("文件: %s   sha256: %s\n", terminal_safe(d.original_name).c_str(), d.sha256.c_str());
        if (const auto note = near_duplicate_note(d); !note.empty())
            std::printf("疑似重复: %s\n", note.c_str());
        if (const auto cat = category_path(library, d.category_id); !cat.empty())
            std::printf("分类: %s\n", terminal_safe(cat).c_str());
        if (!d.uploader.empty()) std::printf("上传人: %s\n", terminal_safe(d.uploader).c_str());
        if (d.price > 0) std::printf("价格: %d\n", d.price);
        if (!segments.empty()) {
            std::printf("\n资源描述\n");
            for (const auto& s : segments) std::printf("%d、%s\n", s.page, terminal_safe(s.text).c_str());
        }
    });
}

void add_text_command(CLI::App& app, Context& ctx) {
    struct Options {
        std::string number;
        int page = 0;
    };
    auto opt = std::make_shared<Options>();
    auto* cmd = app.add_subcommand(
        "text",
        "Print a document's text, page by page (pages end with a form feed), as it is for piping; on a "
        "terminal, control characters in it are shown escaped (\\x1b, \\u202e) instead");
    cmd->add_option("number", opt->number, "Document number")->required();
    cmd->add_option("--page", opt->page, "Only this page (1-based)");
    cmd->callback([&ctx, opt] {
        Library& library = ctx.library();
        const Document d = require_document(library, parse_document_number(opt->number));
        const bool terminal = ::isatty(::fileno(stdout)) != 0;
        auto shown = [terminal](const std::string& text) {
            return terminal ? terminal_safe(text, Lines::multiple) : text;
        };
        if (opt->page > 0) {
            const auto p = library.repository().page(d.id, opt->page);
            if (!p) {
                throw NotFoundError("document №" + std::to_string(d.id) + " has no page " +
                                    std::to_string(opt->page) + " (it has " + std::to_string(d.page_count) +
                                    ")");
            }
            std::printf("%s\n", shown(p->text).c_str());
            return;
        }
        for (const auto& p : library.repository().pages(d.id)) std::printf("%s\n\f", shown(p.text).c_str());
    });
}

void add_rm_command(CLI::App& app, Context& ctx) {
    auto number = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand("rm", "Remove a document, its original and its previews");
    cmd->add_option("number", *number, "Document number")->required();
    cmd->callback([&ctx, number] {
        Library& library = ctx.library();
        // Never pull a document from under a conversion: wait for the process converting.
        std::optional<QueueLock> lock;
        lock.emplace(library.data_dir(), /*wait=*/false);
        if (!lock->held()) {
            std::fprintf(stderr,
                         "waiting for the process converting this library (wenku import, add or serve)...\n");
            lock.emplace(library.data_dir(), /*wait=*/true);
        }
        const Document d = require_document(library, parse_document_number(*number));
        library.repository().remove_document(d.id);
        // Files go after the commit; a crash in between leaves orphans that `verify --repair` removes.
        library.blobs().remove_pages(d.sha256);
        library.blobs().remove_original(d.sha256);
        try {
            search::IndexWriter index(library.index_dir(), search::TextPolicy::from(library.config()));
            index.remove(d.id);
        } catch (const EnvironmentError& e) {
            std::fprintf(stderr, "%s (the index drops it when the next conversion starts)\n", e.what());
        }
        std::printf("removed №%lld %s\n", static_cast<long long>(d.id), terminal_safe(d.title).c_str());
    });
}

void add_reports_command(CLI::App& app, Context& ctx) {
    auto limit = std::make_shared<int>(50);
    auto* cmd = app.add_subcommand("reports", "Readers' reports (举报) of documents, newest first");
    cmd->add_option("--limit", *limit, "At most this many")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->callback([&ctx, limit] {
        Library& library = ctx.library();
        const auto reports = library.repository().reports(*limit);
        if (reports.empty()) std::printf("no reports\n");
        for (const Report& r : reports) {
            const auto d = library.repository().find_document(r.document_id);
            std::printf("#%lld  %s  №%lld %s  %s%s%s\n", static_cast<long long>(r.id),
                        format_time(r.created_at).c_str(), static_cast<long long>(r.document_id),
                        d ? terminal_safe(d->title).c_str() : "", terminal_safe(r.reason).c_str(),
                        r.detail.empty() ? "" : ": ", terminal_safe(r.detail).c_str());
        }
    });
}

}  // namespace wenku::cli
