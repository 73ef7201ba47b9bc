#include "web/search_service.h"

#include <optional>

#include <fmt/format.h>

namespace wenku::web {
using Clock = std::chrono::steady_clock;

SearchService::SearchService(const std::filesystem::path& index_dir, Repository& repository,
                             DocumentCache& documents, const PreviewAccess& access,
                             const ContentGeneration& generation, const Limits& limits)
    : index_dir_(index_dir),
      repository_(repository),
      documents_(documents),
      access_(access),
      related_searches_(limits.related_searches),
      options_(limits.search),
      cache_(generation, limits.max_age, limits.max_entries),
      log_(limits.search) {}

std::shared_ptr<const SearchOutcome> SearchService::search(const Request& req,
                                                           const search::SearchRequest& request) {
    // The index's size is part of the key: a document becomes searchable when the index is
    // committed and this thread's reader reopened, which may be after the change that bumped the
    // generation; results found before then must not be kept under the new generation.
    const std::string key =
        fmt::format("{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}", index().document_count(), request.query,
                    request.offset, request.limit, static_cast<int>(request.sort), request.facets,
                    request.category_id.value_or(0), request.format);
    auto outcome = cache_.get(key, [&] {
        auto made = std::make_shared<SearchOutcome>();
        made->results = run(req, request);
        made->related = search::related_searches(repository_, index(), made->results, related_searches_);
        return std::shared_ptr<const SearchOutcome>(std::move(made));
    });
    if (request.offset == 0) log_.add(outcome->results);
    return outcome;
}

const search::IndexReader& SearchService::index() {
    struct Slot {
        const SearchService* owner = nullptr;
        std::optional<search::IndexReader> reader;
        Clock::time_point opened;
    };
    thread_local Slot slot;
    const auto now = Clock::now();
    if (slot.owner != this || !slot.reader || now - slot.opened >= options_.reader_reopen) {
        slot.reader.emplace(index_dir_, options_);
        slot.owner = this;
        slot.opened = now;
    }
    return *slot.reader;
}

void SearchService::flush_log() { log_.flush(repository_); }

search::SearchResults SearchService::run(const Request& req, const search::SearchRequest& request) {
    auto results = index().search(request, [this](std::int64_t doc, int page) -> std::optional<std::string> {
        auto found = repository_.page(doc, page);
        if (!found) return std::nullopt;
        return std::move(found->text);
    });
    for (auto& hit : results.hits) {
        auto doc = documents_.find(hit.document_id);
        if (!doc || !access_.may_read(req, *doc, hit.page)) hit.snippet.clear();
    }
    return results;
}

}  // namespace wenku::web
