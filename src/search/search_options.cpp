#include "search/search_options.h"

#include "core/config.h"

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
    return o;
}

}  // namespace wenku::search
