#pragma once
// Documents as the pages see them: looked up by id through a cache, and who may see which of their
// pages (the free-preview limit).
#include <chrono>
#include <cstdint>
#include <memory>

#include "core/document.h"
#include "store/repository.h"
#include "web/cache.h"
#include "web/http.h"

namespace wenku::web {

/// Documents by id, kept like rendered pages: until this process sees documents change or the
/// cache's age passes (another process, such as `wenku rm`, may change them too).
class DocumentCache {
  public:
    DocumentCache(Repository& repository, const ContentGeneration& generation, std::chrono::seconds max_age,
                  std::size_t max_entries);

    /// The document in whatever status, or null when there is none. Errors of the repository
    /// propagate (EnvironmentError).
    std::shared_ptr<const Document> find(std::int64_t id);
    /// A ready document; NotFoundError ("no document №12") when there is none or it is not ready.
    std::shared_ptr<const Document> ready(std::int64_t id);

  private:
    Repository& repository_;
    ExpiringCache<std::int64_t, std::shared_ptr<const Document>> cache_;
};

/// The free-preview limit: anyone may see a document's first pages (its own free_pages, else
/// preview.free_pages); nobody the pages after them until accounts exist.
class PreviewAccess {
  public:
    explicit PreviewAccess(int default_free_pages) : default_free_pages_(default_free_pages) {}

    /// The document's free pages as set (which may exceed its page count).
    int free_pages(const Document& doc) const { return doc.free_pages.value_or(default_free_pages_); }
    /// Whether the reader may see page `number` of the document (false for pages it does not have).
    bool may_read(const Request& req, const Document& doc, int number) const;

  private:
    int default_free_pages_;
};

}  // namespace wenku::web
