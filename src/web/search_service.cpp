#include "web/search_service.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "core/utf8.h"
#include "web/errors.h"

namespace wenku::web {
using Clock = std::chrono::steady_clock;

SearchService::SearchService(const std::filesystem::path& index_dir,
                             const std::filesystem::path& blocklist_file, Repository& repository,
                             DocumentCache& documents, const PreviewAccess& access,
                             const ContentGeneration& generation, const Limits& limits)
    : index_dir_(index_dir),
      repository_(repository),
      documents_(documents),
      access_(access),
      related_searches_(limits.related_searches),
      options_(limits.search),
      cache_(generation, limits.max_age, limits.max_entries),
      all_text_public_(limits.all_text_public),
      budget_(limits.searches_per_hour, limits.budget_addresses),
      blocklist_(blocklist_file),
      log_(limits.search, &blocklist_) {}

std::shared_ptr<const SearchOutcome> SearchService::search(const Request& req,
                                                           const search::SearchRequest& request) {
    // The index's revision is part of the key: a document becomes searchable (or its text public
    // or locked) when the index is committed and this thread's reader reopened, which may be after
    // the change that bumped the generation; results found before then must not be kept for after.
    const std::string key =
        fmt::format("{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}", index_revision(), request.query,
                    request.offset, request.limit, static_cast<int>(request.sort), request.facets,
                    request.category_id.value_or(0), request.format);
    auto outcome = cache_.get(key, [&] {
        budget_.charge(req.remote_ip, request.query);
        auto made = std::make_shared<SearchOutcome>();
        made->results = run(req, request);
        made->related =
            search::related_searches(repository_, index(), made->results, related_searches_, &blocklist_);
        return std::shared_ptr<const SearchOutcome>(std::move(made));
    });
    return outcome;
}

void SearchService::log(const Request& req, const search::SearchRequest& request,
                        const SearchOutcome& outcome) {
    if (request.offset == 0) log_.add(outcome.results, req.remote_ip);
}

const search::IndexReader& SearchService::index() {
    MemoryOnly::forbid_work();
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
        std::lock_guard lock(revision_mutex_);
        newest_revision_ = slot.reader->revision();
    }
    return *slot.reader;
}

std::string SearchService::index_revision() {
    if (!MemoryOnly::active()) return index().revision();
    std::lock_guard lock(revision_mutex_);
    if (newest_revision_.empty()) throw NeedsWork();
    return newest_revision_;
}

void SearchService::flush_log() { log_.flush(repository_); }

std::vector<std::string> SearchService::document_searches(std::int64_t document_id, std::size_t count) {
    std::vector<std::string> out;
    auto add = [&](const std::string& q) {
        if (out.size() < count && decode_utf8(q).size() >= 2 && !blocklist_.blocks(q) &&
            std::find(out.begin(), out.end(), q) == out.end()) {
            out.push_back(q);
        }
    };
    for (const auto& q : repository_.searches_leading_to({document_id}, static_cast<int>(count),
                                                         search::suggestion_bar(options_))) {
        if (search::suggestible(q, true, options_.suggest_max_chars, &blocklist_)) add(q);
    }
    for (const auto& [term, weight] : index().key_terms(document_id, 2 * count)) add(term);
    return out;
}

void SearchBudget::charge(const std::string& address, const std::string& query) {
    if (per_hour_ == 0) return;
    const std::uint64_t query_hash = std::hash<std::string>{}(query);
    constexpr auto hour = std::chrono::hours(1);
    const auto now = Clock::now();
    std::lock_guard lock(mutex_);
    auto it = windows_.find(address);
    if (it == windows_.end()) {
        if (windows_.size() >= max_addresses_) {
            std::erase_if(windows_, [&](const auto& kv) { return now - kv.second.start >= hour; });
            if (windows_.size() >= max_addresses_) windows_.clear();
        }
        it = windows_.emplace(address, Window{now, {}}).first;
    }
    Window& w = it->second;
    if (now - w.start >= hour) w = Window{now, {}};
    if (std::find(w.queries.begin(), w.queries.end(), query_hash) != w.queries.end()) return;
    if (w.queries.size() >= per_hour_) {
        const auto left = std::chrono::ceil<std::chrono::seconds>(w.start + hour - now).count();
        throw TooManyRequestsError(
            fmt::format("too many searches from this address: {} an hour (search.distinct_queries_per_hour); "
                        "try again in {} s",
                        per_hour_, left),
            std::max<long long>(1, left));
    }
    w.queries.push_back(query_hash);
}

search::SearchResults SearchService::run(const Request& req, const search::SearchRequest& request) {
    auto results = index().search(request, [this](std::int64_t doc, int page) -> std::optional<std::string> {
        auto found = repository_.page(doc, page);
        if (!found) return std::nullopt;
        return std::move(found->text);
    });
    for (auto& hit : results.hits) {
        if (all_text_public_) continue;  // every page's text is public then
        auto doc = documents_.find(hit.document_id);
        if (!doc || !access_.may_read(req, *doc, hit.page)) hit.snippet.clear();
    }
    return results;
}

}  // namespace wenku::web
