#include "ingest/retention.h"

#include <mutex>

#include <spdlog/spdlog.h>

#include "core/errors.h"

namespace wenku {

namespace {

constexpr int batch_documents = 500;  // documents listed at a time

}  // namespace

int remove_expired_failures(Library& library, std::int64_t now) {
    const auto retention = library.config().ingest.failed_retention;
    if (retention.count() == 0) return 0;
    Repository& repo = library.repository();
    int removed = 0;
    for (;;) {
        const auto expired = repo.failed_documents_before(now - retention.count(), batch_documents);
        for (const Document& doc : expired) {
            std::lock_guard lock(library.original_mutex(doc.sha256));
            // The rows first: a crash before the files go leaves files no document owns, which
            // `wenku verify --repair` removes, never a document without its original.
            try {
                repo.remove_document(doc.id);
            } catch (const NotFoundError&) {
                continue;  // removed meanwhile (`wenku rm`), with its files
            }
            if (!repo.find_document_by_sha256(doc.sha256)) {
                library.blobs().remove_pages(doc.sha256);
                library.blobs().remove_original(doc.sha256);
            }
            spdlog::info("removed failed document №{} ({}): failed over {} days ago", doc.id,
                         doc.original_name, retention.count() / 86400);
            ++removed;
        }
        if (static_cast<int>(expired.size()) < batch_documents) return removed;
    }
}

}  // namespace wenku
