#include "web/site_options.h"

#include "core/errors.h"

namespace wenku::web {

namespace {

/// The setting as a number of at least `min`.
int count(const Settings& settings, const std::string& key, long long min = 0) {
    const long long n = settings.get_int(key);
    if (n < min) throw UsageError(key + " must be " + std::to_string(min) + " or more");
    return static_cast<int>(n);
}

}  // namespace

SiteOptions SiteOptions::read(const Settings& s) {
    SiteOptions o;
    o.name = s.get("site.name");
    o.url = s.get("site.url");
    while (o.url.ends_with('/')) o.url.pop_back();
    o.copyright = s.get("site.copyright");
    o.icp = s.get("site.icp");
    o.uploads_enabled = s.get_int("site.uploads") != 0;
    o.max_upload_bytes = static_cast<std::uint64_t>(s.get_int("convert.max_file_mb")) << 20;
    o.default_free_pages = count(s, "preview.free_pages");
    o.description_chars = static_cast<std::size_t>(s.get_int("description.chars_per_page"));

    o.home_documents = 12;
    o.related_documents = 8;
    o.guess_documents = 8;
    o.related_searches = 8;
    o.category_page_size = 20;
    o.search_page_size = 10;
    o.sitemap_documents = 49000;  // a sitemap holds at most 50,000 addresses

    o.cache_seconds = std::chrono::seconds(s.get_int("http.page_cache_seconds"));
    o.page_cache_entries = 20000;
    o.document_cache_entries = 100000;
    o.search_cache_entries = 20000;
    o.open_files = static_cast<std::size_t>(s.get_int("http.open_files"));

    o.flush_interval = std::chrono::seconds(5);
    return o;
}

}  // namespace wenku::web
