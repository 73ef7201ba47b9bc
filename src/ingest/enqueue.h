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
    std::optional<int> free_pages;  // pages readers may preview; none = the site's preview.free_pages
    std::string original_name;      // the name it was uploaded under; empty = the file's own name
};

/// Stores `file` durably as an original and queues its conversion; returns the document number.
/// Throws DuplicateError ("already in the library as №N"), InputError "empty", "too_large"
/// (convert.max_file_mb) or "unsupported" (not a regular file); UsageError for a category path
/// that names no category; EnvironmentError for disk/database failures. Nothing is queued when it throws; an
/// original stored before a database failure is left for `wenku verify --repair` to remove.
std::int64_t enqueue_file(Library& library, const std::filesystem::path& file, const AddOptions& options);

}  // namespace wenku
