#pragma once
// What an operator may tune in search: the `search.` settings (core/settings.cpp), read in one
// place. Callers fill the options once (a server at start-up, a command when it runs) and hand
// them to what they construct: IndexReader (query limits, snippets, related documents) and
// SearchLog (its bound).
#include <chrono>
#include <cstddef>

#include "search/query.h"

namespace wenku {
struct SearchConfig;
}

namespace wenku::search {

/// The defaults here are the settings' defaults.
struct SearchOptions {
    QueryLimits query;                              // search.query_max_chars, _parts, _part_tokens
    std::size_t snippet_chars = 120;                // search.snippet_chars
    std::size_t related_list_size = 12;             // search.related_list_size
    int related_refresh_percent = 10;               // search.related_refresh_percent
    std::size_t log_max_pending = 10'000;           // search.log_max_pending
    std::chrono::milliseconds reader_reopen{1000};  // search.reader_reopen_ms

    /// From the `search.` settings, validated when the library opened (core/config.h).
    static SearchOptions from(const SearchConfig& config);
};

}  // namespace wenku::search
