#include "search/index_query.h"

#include "search/index_schema.h"
#include "search/tokens.h"

namespace wenku::search::detail {

namespace {

constexpr double title_weight = 3.0;

Xapian::Query part_query(const QueryPart& part, const std::string& prefix, bool exclusion = false);
Xapian::Query filter_any(const std::string& prefix, const std::vector<std::string>& values);
Xapian::Query key_term_query(const QueryPart& part);

}  // namespace

Xapian::Query build_query(const ParsedQuery& parsed, const SearchRequest& request) {
    std::vector<Xapian::Query> positive;
    std::vector<Xapian::Query> negative;
    for (const auto& part : parsed.parts) {
        Xapian::Query title = part_query(part, title_prefix);
        // The text means the public pages' text, or a key term of the whole text (never a phrase,
        // pair or position of a locked page).
        Xapian::Query q = title;
        if (!part.title_only) {
            const std::vector<Xapian::Query> fields = {
                part_query(part, "", part.exclude),
                Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, title, title_weight), key_term_query(part)};
            q = Xapian::Query(Xapian::Query::OP_OR, fields.begin(), fields.end());
        }
        (part.exclude ? negative : positive).push_back(q);
    }
    Xapian::Query q = positive.empty()
                          ? Xapian::Query::MatchAll
                          : Xapian::Query(Xapian::Query::OP_AND, positive.begin(), positive.end());
    if (!negative.empty()) {
        q = Xapian::Query(Xapian::Query::OP_AND_NOT, q,
                          Xapian::Query(Xapian::Query::OP_OR, negative.begin(), negative.end()));
    }
    std::vector<std::string> formats = parsed.formats;
    if (!request.format.empty()) formats.push_back(request.format);
    std::vector<std::string> categories = parsed.categories;
    if (request.category_id) categories.push_back(std::to_string(*request.category_id));
    if (!formats.empty()) q = Xapian::Query(Xapian::Query::OP_FILTER, q, filter_any(format_prefix, formats));
    if (!categories.empty()) {
        q = Xapian::Query(Xapian::Query::OP_FILTER, q, filter_any(category_prefix, categories));
    }
    if (!parsed.uploaders.empty()) {
        q = Xapian::Query(Xapian::Query::OP_FILTER, q, filter_any(uploader_prefix, parsed.uploaders));
    }
    return q;
}

std::vector<Sequence> sequences_of(const QueryPart& part) {
    std::vector<Sequence> out;
    for (const auto& run : token_runs(part, /*whole_phrase=*/true)) {
        Sequence s;
        Xapian::termpos offset = 0;
        for (std::size_t k = 0; k < run.size(); ++k) {
            const Token& token = part.tokens[run[k]];
            if (k > 0) offset += token.joined ? 1 : 2;
            s.terms.push_back(term_of(part.folded, token));
            s.offsets.push_back(offset);
        }
        out.push_back(std::move(s));
    }
    return out;
}

namespace {

/// A term of the query: one the index cannot hold (indexable()) matches nothing.
Xapian::Query term_query(const std::string& term) {
    return indexable(term) ? Xapian::Query(term) : Xapian::Query(Xapian::Query::MatchNothing);
}

/// The index query for one part in one field (prefix "" = text, "S" = title). A phrase in the
/// text of a single-page document (no positions) matches on its pairs here and is checked on the
/// text by PhraseCheck; an excluded phrase excludes only where positions prove it (`exclusion`).
Xapian::Query part_query(const QueryPart& part, const std::string& prefix, bool exclusion) {
    // Every character pair (or lone character, or word) must occur: exact for words of one or two
    // characters, and the usual reading of a longer Chinese word without spaces.
    const auto& t = part.tokens;
    std::vector<Xapian::Query> required;
    for (const auto& run : token_runs(part, /*whole_phrase=*/false)) {
        required.push_back(
            term_query(prefix + (run.size() == 2 ? pair_term_of(part.folded, t[run[0]], t[run[1]])
                                                 : term_of(part.folded, t[run[0]]))));
    }
    Xapian::Query q(Xapian::Query::OP_AND, required.begin(), required.end());
    if (part.phrase && t.size() > 1 && prefix.empty()) {
        // The exact sequence: positions of characters and words, checked after the pairs matched.
        std::vector<Xapian::Query> steps;
        Xapian::termpos span = 1;
        for (std::size_t i = 0; i < t.size(); ++i) {
            if (i > 0) span += t[i].joined ? 1 : 2;
            steps.push_back(term_query(prefix + term_of(part.folded, t[i])));
        }
        const Xapian::Query positional(
            Xapian::Query::OP_AND, q,
            Xapian::Query(Xapian::Query::OP_PHRASE, steps.begin(), steps.end(), span));
        if (exclusion) return positional;
        q = Xapian::Query(Xapian::Query::OP_OR, positional,
                          Xapian::Query(Xapian::Query::OP_FILTER, q, Xapian::Query(single_page_term)));
    }
    return q;
}

/// A part that is exactly one key term (a word, or a pair of joined Chinese characters) matches
/// the documents with that key term; any other part matches none that way.
Xapian::Query key_term_query(const QueryPart& part) {
    const auto& t = part.tokens;
    if (t.size() == 1 && !t[0].cjk) return term_query(key_prefix + term_of(part.folded, t[0]));
    if (t.size() == 2 && forms_pair(t[0], t[1]))
        return term_query(key_prefix + pair_term_of(part.folded, t[0], t[1]));
    return Xapian::Query(Xapian::Query::MatchNothing);
}

Xapian::Query filter_any(const std::string& prefix, const std::vector<std::string>& values) {
    std::vector<Xapian::Query> terms;
    for (const auto& v : values) terms.push_back(term_query(prefix + v));
    return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
}

}  // namespace

}  // namespace wenku::search::detail
