#include "ingest/enqueue.h"

#include <mutex>

#include <spdlog/spdlog.h>

#include "core/conversion.h"
#include "core/errors.h"

namespace wenku {
namespace fs = std::filesystem;

std::int64_t enqueue_file(Library& library, const fs::path& file, const AddOptions& options) {
    const std::string name = options.original_name.empty() ? file.filename().string() : options.original_name;
    std::error_code ec;
    const auto status = fs::status(file, ec);
    if (ec || !fs::exists(status)) throw InputError(error_code::unsupported, name + " does not exist");
    if (!fs::is_regular_file(status)) {
        throw InputError(error_code::unsupported, name + " is not a regular file");
    }
    const std::uint64_t size = fs::file_size(file);
    if (size == 0) throw InputError(error_code::empty, name + " is empty (0 bytes)");
    const std::uint64_t limit = library.config().convert.max_file_bytes;
    if (size > limit) {
        throw InputError(error_code::too_large, name + " is " + std::to_string(size >> 20) +
                                                    " MiB; the limit is " + std::to_string(limit >> 20) +
                                                    " MiB (convert.max_file_mb)");
    }
    if (library.storage().measure().free_bytes < library.storage().min_free_bytes() + size) {
        throw StorageRefusal("insufficient_storage",
                             "the library's disk is too full to store " + name + " (storage.min_free_mb)");
    }
    const std::string sha = BlobStore::sha256_file(file);
    std::lock_guard lock(library.original_mutex(sha));
    if (auto existing = library.repository().find_document_by_sha256(sha)) {
        throw DuplicateError(existing->id);
    }
    const bool had_original = library.blobs().has_original(sha);
    library.blobs().put_original(file, sha);

    Document doc;
    doc.title = options.title;
    doc.original_name = name;
    doc.size_bytes = size;
    doc.sha256 = sha;
    doc.uploader = options.uploader;
    doc.uploader_id = options.uploader_id;
    doc.price = options.price;
    doc.free_pages = options.free_pages;
    try {
        if (!options.category.empty()) {
            doc.category_id = library.repository().ensure_category_path(options.category);
        }
        return library.repository().add_queued_document(doc);
    } catch (const std::exception&) {
        // No document owns the original stored above: it goes again (an original that was there
        // before belongs to whoever stored it).
        if (!had_original) remove_unowned_original(library, sha);
        throw;
    }
}

void remove_unowned_original(Library& library, const std::string& sha256) {
    try {
        if (!library.repository().find_document_by_sha256(sha256)) library.blobs().remove_original(sha256);
    } catch (const std::exception& e) {
        spdlog::warn("cannot remove the original {} no document owns (`wenku verify --repair` will): {}",
                     sha256, e.what());
    }
}

}  // namespace wenku
