#pragma once
// Bringing a file into the library: its original stored durably and its conversion queued, in one
// database transaction. Whichever process holds the queue (ingest/conversion_service.h) converts
// it afterwards; a crash before the commit leaves at most an original no document owns, which
// `wenku verify --repair` removes.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "ingest/library.h"

namespace wenku {

struct AddOptions {
    std::string title;     // empty = from the document
    std::string category;  // "实用范文/写作指导"; empty = none
    int price = 0;
    std::string uploader;
    std::optional<std::int64_t> uploader_id;  // the account uploading it, if any
    std::optional<int> free_pages;  // pages readers may preview; none = the site's preview.free_pages
    std::string original_name;      // the name it was uploaded under; empty = the file's own name
};

/// Stores `file` durably as an original and queues its conversion; returns the document number.
/// Throws DuplicateError ("already in the library as №N"), InputError "empty", "too_large"
/// (convert.max_file_mb) or "unsupported" (not a regular file); StorageRefusal
/// "insufficient_storage" when storing it would leave less than storage.min_free_mb free;
/// UsageError for a category path that names no category; EnvironmentError for disk/database
/// failures (StorageFullError when the disk is full). Nothing is kept when it throws: an original
/// stored before the database refused its document is removed again.
std::int64_t enqueue_file(Library& library, const std::filesystem::path& file, const AddOptions& options);

/// Removes the original with this SHA-256 unless a document owns it; a failure is logged (the
/// orphan is then left for `wenku verify --repair`). The caller holds library.original_mutex(sha256).
void remove_unowned_original(Library& library, const std::string& sha256);

}  // namespace wenku
