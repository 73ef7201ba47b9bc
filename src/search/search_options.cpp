#include "search/search_options.h"

#include <algorithm>

#include "core/config.h"
#include "core/document.h"

namespace wenku::search {

SearchOptions SearchOptions::from(const SearchConfig& config) {
    SearchOptions o;
    o.query.max_chars = config.query_max_chars;
    o.query.max_parts = config.query_max_parts;
    o.query.max_part_tokens = config.query_max_part_tokens;
    o.snippet_chars = config.snippet_chars;
    o.related_list_size = config.related_list_size;
    o.related_refresh_percent = config.related_refresh_percent;
    o.log_max_pending = config.log_max_pending;
    o.reader_reopen = config.reader_reopen;
    o.suggest_min_addresses = config.suggest_min_addresses;
    o.suggest_min_days = config.suggest_min_days;
    o.suggest_max_chars = config.suggest_max_chars;
    o.log_max_days = config.log_max_days;
    o.log_max_queries = config.log_max_queries;
    return o;
}

int TextPolicy::public_pages(const Document& doc, int page_count) const {
    if (all_public) return page_count;
    return std::clamp(doc.free_pages.value_or(default_free_pages), 0, page_count);
}

std::string TextPolicy::fingerprint() const {
    return (all_public ? "all " : "free " + std::to_string(default_free_pages) + " ") +
           std::to_string(key_terms);
}

TextPolicy TextPolicy::from(const Config& config) {
    return {config.site.public_text_all, config.preview.free_pages, config.search.key_terms};
}

}  // namespace wenku::search
