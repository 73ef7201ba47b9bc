#include "search/search_options.h"

#include <string>

#include "core/errors.h"
#include "core/settings.h"

namespace wenku::search {

namespace {

/// The whole-number setting `key`; UsageError when it is not one or lies outside lo..hi.
long long whole(const Settings& settings, const std::string& key, long long lo, long long hi) {
    const long long value = settings.get_int(key);
    if (value < lo || value > hi) {
        throw UsageError("setting " + key + " must be a whole number from " + std::to_string(lo) + " to " +
                         std::to_string(hi) + ", not '" + settings.get(key) + "'");
    }
    return value;
}

std::size_t count(const Settings& settings, const std::string& key, long long hi) {
    return static_cast<std::size_t>(whole(settings, key, 1, hi));
}

}  // namespace

SearchOptions SearchOptions::from_settings(const Settings& settings) {
    SearchOptions o;
    o.query.max_chars = count(settings, "search.query_max_chars", 100'000);
    o.query.max_parts = count(settings, "search.query_max_parts", 1'000);
    o.query.max_part_tokens = count(settings, "search.query_max_part_tokens", 10'000);
    o.snippet_chars = count(settings, "search.snippet_chars", 10'000);
    o.related_list_size = count(settings, "search.related_list_size", 1'000);
    o.related_refresh_percent = static_cast<int>(whole(settings, "search.related_refresh_percent", 0, 1'000));
    o.log_max_pending = count(settings, "search.log_max_pending", 10'000'000);
    o.reader_reopen = std::chrono::milliseconds(whole(settings, "search.reader_reopen_ms", 0, 3'600'000));
    return o;
}

}  // namespace wenku::search
