#include "search/index_schema.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/utf8.h"
#include "search/fold.h"
#include "search/tokens.h"

namespace wenku::search::detail {

namespace {

Xapian::termpos index_text(Xapian::Document& doc, std::u32string_view folded, const std::string& prefix,
                           std::optional<Xapian::termpos> pos);

}  // namespace

Xapian::Document make_document(const Document& d, const std::vector<Page>& all_pages,
                               const std::vector<Category>& chain, const TextPolicy& policy) {
    Xapian::Document doc;
    // Titles without positions (a quarter of the index for short documents): a "phrase" in a
    // title matches its character pairs.
    index_text(doc, fold(decode_utf8(d.title)), title_prefix, std::nullopt);
    const int public_count = policy.public_pages(d, static_cast<int>(all_pages.size()));
    const std::vector<Page> pages(all_pages.begin(), all_pages.begin() + public_count);
    std::vector<Xapian::termpos> starts;
    if (pages.size() == 1 && all_pages.size() == 1) {
        // One page: no positions. They would be a third of the index of a library of short
        // documents (one B-tree entry per character and document), and a single page needs none
        // to name its page; phrases are checked on its text instead (PhraseCheck).
        index_text(doc, fold(decode_utf8(pages[0].text)), "", std::nullopt);
        doc.add_boolean_term(single_page_term);
        doc.add_value(single_page_slot, "1");
    } else if (!pages.empty()) {
        Xapian::termpos pos = 0;
        for (const auto& page : pages) {
            starts.push_back(pos + 1);
            pos = index_text(doc, fold(decode_utf8(page.text)), "", pos) + page_gap;
        }
    }
    doc.add_boolean_term(id_term(d.id));
    if (!d.format.empty()) doc.add_boolean_term(format_prefix + d.format);
    for (const auto& c : chain) doc.add_boolean_term(category_prefix + std::to_string(c.id));
    if (const std::string uploader = uploader_prefix + fold_utf8(d.uploader);
        !d.uploader.empty() && indexable(uploader)) {
        doc.add_boolean_term(uploader);
    }
    doc.add_value(created_slot, Xapian::sortable_serialise(static_cast<double>(d.created_at)));
    doc.add_value(downloads_slot, Xapian::sortable_serialise(static_cast<double>(d.downloads)));
    doc.add_value(views_slot, Xapian::sortable_serialise(static_cast<double>(d.views)));
    doc.add_value(favorites_slot, Xapian::sortable_serialise(static_cast<double>(d.favorites)));
    if (d.category_id) doc.add_value(category_slot, std::to_string(*d.category_id));
    doc.add_value(format_slot, d.format);
    doc.add_value(public_pages_slot, std::to_string(public_count));
    std::vector<std::string> keys;
    for (auto& [term, times] : key_terms_of(all_pages, policy.key_terms)) {
        doc.add_term(key_prefix + term, static_cast<Xapian::termcount>(times));
        keys.push_back(std::move(term));
    }
    doc.set_data(nlohmann::json{{"title", d.title}, {"starts", starts}, {"keys", keys}}.dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace));
    return doc;
}

std::vector<std::pair<std::string, int>> key_terms_of(const std::vector<Page>& pages, std::size_t count) {
    constexpr int min_key_term_times = 2;
    // Characters too common to say anything about a topic: a pair with one is no key term.
    static const std::u32string common =
        U"的了是在和与及或也就都而这那之其我你他她它们个一不有为以于上中等被把着从到对";
    // English words too common to be a topic.
    static const std::set<std::string> common_words = {
        "the",  "and",  "for", "that", "with", "this", "are",   "was",   "from", "not",  "but",
        "have", "you",  "all", "can",  "has",  "its",  "their", "which", "will", "been", "were",
        "they", "more", "one", "his",  "her",  "our",  "these", "there", "into", "than", "also"};
    struct Seen {
        int times = 0;
        std::size_t first = 0;
    };
    std::map<std::string, Seen> seen;
    std::size_t order = 0;
    auto count_term = [&](std::string term) {
        auto& s = seen[std::move(term)];
        if (s.times++ == 0) s.first = order++;
    };
    for (const auto& page : pages) {
        const std::u32string folded = fold(decode_utf8(page.text));
        const auto tokens = tokenize(folded);
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            const Token& t = tokens[i];
            if (!t.cjk && t.end - t.begin >= 3 &&
                !std::all_of(folded.begin() + static_cast<std::ptrdiff_t>(t.begin),
                             folded.begin() + static_cast<std::ptrdiff_t>(t.end),
                             [](char32_t c) { return c >= U'0' && c <= U'9'; })) {
                if (std::string term = term_of(folded, t);
                    indexable(key_prefix + term) && !common_words.contains(term))
                    count_term(std::move(term));
            }
            if (i > 0 && forms_pair(tokens[i - 1], t) &&
                common.find(folded[tokens[i - 1].begin]) == std::u32string::npos &&
                common.find(folded[t.begin]) == std::u32string::npos) {
                count_term(pair_term_of(folded, tokens[i - 1], t));
            }
        }
    }
    // A term the text uses once is no topic of it, and would let one sentence of a locked page be
    // searched for.
    std::vector<std::pair<std::string, Seen>> ranked;
    for (auto& [term, s] : seen) {
        if (s.times >= min_key_term_times) ranked.emplace_back(term, s);
    }
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
        return a.second.times != b.second.times ? a.second.times > b.second.times
                                                : a.second.first < b.second.first;
    });
    if (ranked.size() > count) ranked.resize(count);
    std::vector<std::pair<std::string, int>> out;
    for (auto& [term, s] : ranked) out.emplace_back(std::move(term), s.times);
    return out;
}

StoredData stored_data(const Xapian::Document& doc) {
    const auto data = nlohmann::json::parse(doc.get_data(), nullptr, false);
    if (!data.is_object()) return {};
    return {data.value("title", std::string()), data.value("starts", std::vector<Xapian::termpos>{}),
            data.value("keys", std::vector<std::string>{})};
}

bool indexable(const std::string& term) {
    return term.size() <= max_term_bytes && term.find('\0') == std::string::npos;
}

std::string id_term(std::int64_t id) { return id_prefix + std::to_string(id); }

Xapian::docid docid_of(std::int64_t id) {
    if (id <= 0 || id > std::numeric_limits<Xapian::docid>::max()) {
        throw UsageError("document id out of the index's range: " + std::to_string(id));
    }
    return static_cast<Xapian::docid>(id);
}

namespace {

/// Indexes folded text: characters and words (with positions when `pos` is given), character
/// pairs (never with positions: phrases are matched on characters). Returns the last position.
Xapian::termpos index_text(Xapian::Document& doc, std::u32string_view folded, const std::string& prefix,
                           std::optional<Xapian::termpos> pos) {
    const auto tokens = tokenize(folded);
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (pos) *pos += tokens[i].joined ? 1 : 2;
        // Only a word can be too long (64 code points of four bytes each): it keeps its position.
        if (std::string term = prefix + term_of(folded, tokens[i]); tokens[i].cjk || indexable(term)) {
            if (pos) {
                doc.add_posting(std::move(term), *pos);
            } else {
                doc.add_term(std::move(term));
            }
        }
        if (i > 0 && forms_pair(tokens[i - 1], tokens[i])) {
            doc.add_term(prefix + pair_term_of(folded, tokens[i - 1], tokens[i]));
        }
    }
    return pos.value_or(0);
}

}  // namespace

}  // namespace wenku::search::detail
