#include "search/suggest.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "core/errors.h"

namespace wenku::search {

namespace {

std::int64_t ready_documents(Repository& repository) {
    DocumentFilter filter;
    filter.status = DocumentStatus::ready;
    return repository.count_documents(filter);
}

/// Whether a list computed when the library held `then` documents still stands now that it
/// holds `now`: the library has grown by no more than `refresh_percent` percent.
bool still_fresh(std::int64_t then, std::int64_t now, int refresh_percent) {
    return now * 100 <= then * (100 + refresh_percent);
}

}  // namespace

SuggestionBar suggestion_bar(const SearchOptions& options) {
    return {static_cast<int>(options.suggest_min_addresses), options.suggest_min_days};
}

std::vector<std::string> related_searches(Repository& repository, const IndexReader& index,
                                          const SearchResults& results, std::size_t count,
                                          const SearchBlocklist* blocklist) {
    std::vector<std::int64_t> ids;
    for (const auto& h : results.hits) {
        if (ids.size() == logged_results) break;
        ids.push_back(h.document_id);
    }
    if (ids.empty()) return {};
    std::vector<std::string> out;
    auto offer = [&](const std::string& s) {
        if (out.size() < count && s != results.canonical_query &&
            std::find(out.begin(), out.end(), s) == out.end() &&
            results.canonical_query.find(s) == std::string::npos && !(blocklist && blocklist->blocks(s))) {
            out.push_back(s);
        }
    };
    const auto& options = index.options();
    for (const auto& q :
         repository.searches_leading_to(ids, static_cast<int>(count) + 1, suggestion_bar(options))) {
        if (suggestible(q, true, options.suggest_max_chars, blocklist)) offer(q);
    }
    for (std::size_t i = 0; i < ids.size() && out.size() < count; ++i) {
        for (const auto& [term, weight] : index.key_terms(ids[i], count)) offer(term);
    }
    return out;
}

std::vector<std::int64_t> related_documents(Repository& repository, const IndexReader& index,
                                            std::int64_t document_id, std::size_t count) {
    const SearchOptions& options = index.options();
    const std::int64_t size = ready_documents(repository);
    if (const auto stored = repository.related_list(document_id)) {
        const bool fresh = still_fresh(stored->library_size, size, options.related_refresh_percent);
        const bool enough = stored->ids.size() >= count ||
                            static_cast<std::int64_t>(stored->ids.size()) >= stored->library_size - 1;
        if (fresh && enough) {
            std::vector<std::int64_t> ids = stored->ids;
            // Documents removed since are left out.
            ids.erase(std::remove_if(ids.begin(), ids.end(),
                                     [&](std::int64_t id) { return !repository.find_document(id); }),
                      ids.end());
            if (ids.size() > count) ids.resize(count);
            return ids;
        }
    }
    RelatedList list;
    list.library_size = size;
    list.ids = index.related(document_id, std::max(count, options.related_list_size));
    try {
        repository.store_related_list(document_id, list);
    } catch (const EnvironmentError& e) {
        spdlog::warn("related documents of №{} not stored (computed again next time): {}", document_id,
                     e.what());
    }
    if (list.ids.size() > count) list.ids.resize(count);
    return list.ids;
}

}  // namespace wenku::search
