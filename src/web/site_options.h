#pragma once
// The site's settings, read once when it starts: site.* (name, address, footer, uploads, list
// lengths), the http.* caches and batched writes, preview.free_pages, description.chars_per_page,
// convert.max_file_mb. Nothing else in src/web reads Settings for the site.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/settings.h"

namespace wenku::web {

struct SiteOptions {
    /// Reads every option; throws UsageError for a value that is not a number where one is needed
    /// or is below its minimum.
    static SiteOptions read(const Settings& settings);

    // site.*
    std::string name, url, copyright, icp;  // url without a trailing '/'
    bool uploads_enabled = true;
    std::uint64_t max_upload_bytes = 0;
    int default_free_pages = 0;
    std::size_t description_chars = 0;

    // list lengths
    int home_documents = 0;
    int related_documents = 0;
    int guess_documents = 0;
    int related_searches = 0;
    int category_page_size = 0;
    int search_page_size = 0;
    int sitemap_documents = 0;

    // caches and files
    std::chrono::seconds cache_seconds{0};
    std::size_t page_cache_entries = 0;
    std::size_t document_cache_entries = 0;
    std::size_t search_cache_entries = 0;
    std::size_t open_files = 0;

    // batched writes
    std::chrono::seconds flush_interval{0};
    std::size_t count_backlog_entries = 0;
};

}  // namespace wenku::web
