#include "web/documents.h"

#include "core/errors.h"

namespace wenku::web {

DocumentCache::DocumentCache(Repository& repository, const ContentGeneration& generation,
                             std::chrono::seconds max_age, std::size_t max_entries)
    : repository_(repository), cache_(generation, max_age, max_entries) {}

std::shared_ptr<const Document> DocumentCache::find(std::int64_t id) {
    return cache_.get(id, [&]() -> std::shared_ptr<const Document> {
        auto found = repository_.find_document(id);
        return found ? std::make_shared<const Document>(std::move(*found)) : nullptr;
    });
}

std::shared_ptr<const Document> DocumentCache::ready(std::int64_t id) {
    auto doc = find(id);
    if (!doc || doc->status != DocumentStatus::ready)
        throw NotFoundError("no document №" + std::to_string(id));
    return doc;
}

bool PreviewAccess::may_read(const Request&, const Document& doc, int number) const {
    return number >= 1 && number <= doc.page_count && number <= free_pages(doc);
}

}  // namespace wenku::web
