#include "web/site_options.h"

#include "core/errors.h"

namespace wenku::web {

namespace {

/// The setting as a number of at least `min`.
long long number(const Settings& settings, const std::string& key, long long min) {
    const long long n = settings.get_int(key);
    if (n < min) throw UsageError(key + " must be " + std::to_string(min) + " or more");
    return n;
}

int count(const Settings& settings, const std::string& key, long long min = 0) {
    return static_cast<int>(number(settings, key, min));
}

std::size_t size(const Settings& settings, const std::string& key) {
    return static_cast<std::size_t>(number(settings, key, 0));
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

    o.home_documents = count(s, "site.home_documents");
    o.related_documents = count(s, "site.related_documents");
    o.guess_documents = count(s, "site.guess_documents");
    o.related_searches = count(s, "site.related_searches");
    o.category_page_size = count(s, "site.category_page_size", 1);
    o.search_page_size = count(s, "site.search_page_size", 1);
    o.sitemap_documents = count(s, "site.sitemap_documents");

    o.cache_seconds = std::chrono::seconds(s.get_int("http.page_cache_seconds"));
    o.page_cache_entries = size(s, "http.page_cache_entries");
    o.document_cache_entries = size(s, "http.document_cache_entries");
    o.search_cache_entries = size(s, "http.search_cache_entries");
    o.open_files = static_cast<std::size_t>(s.get_int("http.open_files"));

    o.flush_interval = std::chrono::seconds(number(s, "http.flush_seconds", 1));
    o.count_backlog_entries = size(s, "http.count_backlog_entries");
    return o;
}

}  // namespace wenku::web
