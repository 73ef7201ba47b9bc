#pragma once
// Which characters of a text a query matched, and the passage of a page shown under a result.
// Both work on the document's own characters: matching happens on the folded text, whose offsets
// are the original's (fold.h), so 春风 highlights 春風 in a Traditional text, exactly those two.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "search/query.h"

namespace wenku::search {

struct Span {
    std::size_t begin = 0;  // code point offsets, end exclusive
    std::size_t end = 0;
};

/// A piece of displayed text; `hit` pieces are what the query matched. The web layer escapes them.
struct Fragment {
    std::string text;
    bool hit = false;
};

/// The spans of `text` the query's parts match, sorted and merged: every occurrence of a word, of
/// a single character searched alone, of each character pair of a longer Chinese word (so a word
/// found only in pieces shows its pieces), and of a whole "phrase". Excluded parts never match;
/// title-only parts match only when `is_title`.
std::vector<Span> match_spans(std::u32string_view text, const ParsedQuery& query, bool is_title = false);

/// True when `part` occurs in `text` as match_spans() would find it: a phrase as the whole
/// sequence, other parts every one of their characters, pairs and words.
bool occurs_in(std::string_view text, const QueryPart& part);

/// All of `text` as fragments, matched spans as hits.
std::vector<Fragment> highlight(std::string_view text, const ParsedQuery& query, bool is_title = false);

/// A passage of about `width` characters of `text` around the densest cluster of matches (the
/// start when there is none), line breaks as spaces, "…" where it was cut.
std::vector<Fragment> snippet(std::string_view text, const ParsedQuery& query, std::size_t width);

/// Fragments as plain text with hits in 【】 (for the command line).
std::string bracketed(const std::vector<Fragment>& fragments);

}  // namespace wenku::search
