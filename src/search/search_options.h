#pragma once
// What an operator may tune in search: the `search.` settings (core/settings.cpp), read in one
// place. Callers fill the options once (a server at start-up, a command when it runs) and hand
// them to what they construct: IndexReader (query limits, snippets, related documents) and
// SearchLog (its bound).
#include <chrono>
#include <cstddef>
#include <string>

#include "search/query.h"

namespace wenku {
struct Config;
struct Document;
struct SearchConfig;
}  // namespace wenku

namespace wenku::search {

/// The defaults here are the settings' defaults.
struct SearchOptions {
    QueryLimits query;                              // search.query_max_chars, _parts, _part_tokens
    std::size_t snippet_chars = 120;                // search.snippet_chars
    std::size_t related_list_size = 12;             // search.related_list_size
    int related_refresh_percent = 10;               // search.related_refresh_percent
    std::size_t log_max_pending = 10'000;           // search.log_max_pending
    std::chrono::milliseconds reader_reopen{1000};  // search.reader_reopen_ms
    std::size_t suggest_min_addresses = 3;          // search.suggest_min_addresses
    int suggest_min_days = 2;                       // search.suggest_min_days
    std::size_t suggest_max_chars = 24;             // search.suggest_max_chars
    int log_max_days = 90;                          // search.log_max_days
    std::size_t log_max_queries = 100'000;          // search.log_max_queries

    /// From the `search.` settings, validated when the library opened (core/config.h).
    static SearchOptions from(const SearchConfig& config);
};

/// What of a document's text the index makes searchable, and so what a search can tell about it
/// (site.public_text, preview.free_pages, search.key_terms). The defaults here are the settings'.
struct TextPolicy {
    bool all_public = false;     // site.public_text = all: every page; else the free pages only
    int default_free_pages = 5;  // preview.free_pages, for a document without its own
    std::size_t key_terms = 20;  // search.key_terms: the whole text's terms anyone may match

    /// How many leading pages of `doc`, which has `page_count` pages, have public text: all of
    /// them, or its free pages.
    int public_pages(const Document& doc, int page_count) const;
    /// The policy in one line, recorded in the index (e.g. "free 5 20").
    std::string fingerprint() const;
    /// Every page public: for tools and tests that search whole texts.
    static TextPolicy everything() { return {true, 0, 20}; }
    /// From the settings, validated when the library opened.
    static TextPolicy from(const Config& config);
};

}  // namespace wenku::search
