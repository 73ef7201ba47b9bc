#include "search/highlight.h"

#include <algorithm>
#include <unordered_map>

#include "core/utf8.h"
#include "search/fold.h"

namespace wenku::search {

namespace {

/// A sequence of tokens to find: each step must be a token equal to `text` (folded) placed right
/// after the previous one (joined) when `joined` says so.
struct Needle {
    std::vector<std::u32string> texts;
    std::vector<bool> joined;  // for steps after the first
};

std::u32string token_text(std::u32string_view folded, const Token& t) {
    return std::u32string(folded.substr(t.begin, t.end - t.begin));
}

/// What a query part asks to be highlighted (see match_spans).
std::vector<Needle> needles_of(const QueryPart& part) {
    std::vector<Needle> needles;
    for (const auto& run : token_runs(part, /*whole_phrase=*/true)) {
        Needle n;
        for (std::size_t k = 0; k < run.size(); ++k) {
            n.texts.push_back(token_text(part.folded, part.tokens[run[k]]));
            if (k > 0) n.joined.push_back(part.tokens[run[k]].joined);
        }
        needles.push_back(std::move(n));
    }
    return needles;
}

bool matches_at(std::u32string_view folded, const std::vector<Token>& tokens, std::size_t at,
                const Needle& needle) {
    if (at + needle.texts.size() > tokens.size()) return false;
    for (std::size_t k = 0; k < needle.texts.size(); ++k) {
        const Token& t = tokens[at + k];
        if (k > 0 && needle.joined[k - 1] && !t.joined) return false;
        if (folded.substr(t.begin, t.end - t.begin) != needle.texts[k]) return false;
    }
    return true;
}

std::u32string flatten_line_breaks(std::u32string_view text) {
    std::u32string out(text);
    for (auto& c : out) {
        if (c == U'\n' || c == U'\r' || c == U'\t') c = U' ';
    }
    return out;
}

std::vector<Fragment> fragments_of(std::u32string_view text, const std::vector<Span>& spans, std::size_t from,
                                   std::size_t to) {
    std::vector<Fragment> out;
    std::size_t at = from;
    for (const auto& span : spans) {
        if (span.end <= from || span.begin >= to) continue;
        const std::size_t b = std::max(span.begin, from);
        const std::size_t e = std::min(span.end, to);
        if (b > at) out.push_back({encode_utf8(text.substr(at, b - at)), false});
        out.push_back({encode_utf8(text.substr(b, e - b)), true});
        at = e;
    }
    if (to > at) out.push_back({encode_utf8(text.substr(at, to - at)), false});
    return out;
}

}  // namespace

std::vector<Span> match_spans(std::u32string_view text, const ParsedQuery& query, bool is_title) {
    const std::u32string folded = fold(text);
    const std::vector<Token> tokens = tokenize(folded);
    // Needles by their first token, so the text is read once whatever the query's length.
    std::vector<Needle> needles;
    for (const auto& part : query.parts) {
        if (part.exclude || (part.title_only && !is_title)) continue;
        for (auto& needle : needles_of(part)) needles.push_back(std::move(needle));
    }
    std::unordered_map<std::u32string, std::vector<std::size_t>> by_first;
    for (std::size_t n = 0; n < needles.size(); ++n) by_first[needles[n].texts[0]].push_back(n);
    std::vector<Span> spans;
    for (std::size_t i = 0; i < tokens.size() && !by_first.empty(); ++i) {
        const auto it = by_first.find(token_text(folded, tokens[i]));
        if (it == by_first.end()) continue;
        for (const std::size_t n : it->second) {
            if (matches_at(folded, tokens, i, needles[n])) {
                spans.push_back({tokens[i].begin, tokens[i + needles[n].texts.size() - 1].end});
            }
        }
    }
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
    std::vector<Span> merged;
    for (const auto& s : spans) {
        if (!merged.empty() && s.begin <= merged.back().end) {
            merged.back().end = std::max(merged.back().end, s.end);
        } else {
            merged.push_back(s);
        }
    }
    return merged;
}

bool occurs_in(std::string_view text, const QueryPart& part) {
    const std::u32string folded = fold(decode_utf8(text));
    const std::vector<Token> tokens = tokenize(folded);
    for (const auto& needle : needles_of(part)) {
        bool found = false;
        for (std::size_t i = 0; i < tokens.size() && !found; ++i)
            found = matches_at(folded, tokens, i, needle);
        if (!found) return false;
    }
    return true;
}

std::vector<Fragment> highlight(std::string_view text, const ParsedQuery& query, bool is_title) {
    const std::u32string chars = decode_utf8(text);
    return fragments_of(chars, match_spans(chars, query, is_title), 0, chars.size());
}

std::vector<Fragment> snippet(std::string_view text, const ParsedQuery& query, std::size_t width) {
    const std::u32string chars = flatten_line_breaks(decode_utf8(text));
    const std::vector<Span> spans = match_spans(chars, query);
    std::size_t from = 0;
    if (!spans.empty() && chars.size() > width) {
        // The window starting a little before some span that covers the most spans.
        const std::size_t lead = width / 6;
        std::size_t best = 0;
        std::size_t best_count = 0;
        for (std::size_t i = 0; i < spans.size(); ++i) {
            const std::size_t start = spans[i].begin > lead ? spans[i].begin - lead : 0;
            std::size_t count = 0;
            for (std::size_t k = i; k < spans.size() && spans[k].end <= start + width; ++k) ++count;
            if (count > best_count) {
                best_count = count;
                best = start;
            }
        }
        from = std::min(best, chars.size() - width);
    }
    const std::size_t to = std::min(chars.size(), from + width);
    // Trim white space at the cut edges.
    while (from < to && chars[from] == U' ') ++from;
    std::vector<Fragment> out = fragments_of(chars, spans, from, to);
    if (from > 0) out.insert(out.begin(), Fragment{"…", false});
    if (to < chars.size()) out.push_back({"…", false});
    return out;
}

std::string bracketed(const std::vector<Fragment>& fragments) {
    std::string out;
    for (const auto& f : fragments) out += f.hit ? "【" + f.text + "】" : f.text;
    return out;
}

}  // namespace wenku::search
