#pragma once
// The search box's syntax: words, "phrases", -exclusions and field:value filters
// (format:pdf, category:12, uploader:name, title:word). Pure parsing; index_query.cpp turns
// the result into an index query.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "search/tokens.h"

namespace wenku::search {

struct QueryPart {
    std::u32string folded;      // the part's text, folded
    std::vector<Token> tokens;  // tokenize(folded)
    bool phrase = false;        // "quoted": these tokens in this order, nothing between
    bool exclude = false;       // -part: documents containing it are left out
    bool title_only = false;    // title:part
};

struct ParsedQuery {
    std::vector<QueryPart> parts;         // parts with at least one token
    std::vector<std::string> formats;     // format:pdf (several: any of them)
    std::vector<std::string> categories;  // category:<id>, the category and its subtree
    std::vector<std::string> uploaders;   // uploader:<name>

    bool has_positive_part() const;
    /// The query in one canonical spelling (folded, parts in order, single spaces), for the query
    /// log and suggestions: "春風  又綠" and "春风 又绿" are the same query.
    std::string canonical() const;
};

/// What a part asks for, as runs of its tokens (indices into part.tokens, consecutive): with
/// `whole_phrase` and a phrase, one run of all of them; otherwise each Chinese pair (two joined
/// characters) is a run of two, and every character in no pair and every word a run of one.
std::vector<std::vector<std::size_t>> token_runs(const QueryPart& part, bool whole_phrase);

/// Bounds on what one query may ask, so that its cost stays small whatever is typed (settings
/// search.query_max_chars, search.query_max_parts, search.query_max_part_tokens).
struct QueryLimits {
    std::size_t max_chars = 1000;      // code points read; the rest is ignored
    std::size_t max_parts = 32;        // words, phrases and exclusions; later ones are ignored
    std::size_t max_part_tokens = 64;  // tokens of one part; the rest of the part is ignored
};

/// Parses what a reader typed. Never fails: unbalanced quotes run to the end, unknown fields are
/// searched as text, empty parts are dropped, and what lies beyond `limits` is ignored (filters
/// still count when the parts are full).
ParsedQuery parse_query(std::string_view utf8, const QueryLimits& limits = {});

}  // namespace wenku::search
