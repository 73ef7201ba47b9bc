#include "search/search_index.h"

#include <xapian.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <iterator>
#include <limits>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "core/errors.h"
#include "core/utf8.h"
#include "search/fold.h"
#include "search/query.h"
#include "search/tokens.h"
#include "store/repository.h"

namespace fs = std::filesystem;

namespace wenku::search {

namespace {

// Term prefixes (Xapian's conventions: upper-case letters for fields and filters).
constexpr const char* title_prefix = "S";
constexpr const char* id_prefix = "Q";
constexpr const char* format_prefix = "F";
constexpr const char* category_prefix = "C";
constexpr const char* uploader_prefix = "U";
// Documents of one page, indexed without positions (see make_document).
constexpr const char* single_page_term = "XSINGLE";

// Value slots.
enum Slot : Xapian::valueno {
    created_slot = 0, downloads_slot, views_slot, favorites_slot, category_slot, format_slot, single_page_slot
};

// Positions: a page starts this many positions after the last token of the one before, so no
// phrase spans two pages; a token after punctuation is two positions on, so none spans that.
constexpr Xapian::termpos page_gap = 100;
constexpr double title_weight = 3.0;
constexpr std::size_t build_batch = 25'000;

std::string id_term(std::int64_t id) { return id_prefix + std::to_string(id); }

Xapian::docid docid_of(std::int64_t id) {
    if (id <= 0 || id > std::numeric_limits<Xapian::docid>::max()) {
        throw UsageError("document id out of the index's range: " + std::to_string(id));
    }
    return static_cast<Xapian::docid>(id);
}

/// Indexes folded text: characters and words (with positions when `pos` is given), character
/// pairs (never with positions: phrases are matched on characters). Returns the last position.
Xapian::termpos index_text(Xapian::Document& doc, std::u32string_view folded, const std::string& prefix,
                           std::optional<Xapian::termpos> pos) {
    const auto tokens = tokenize(folded);
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (pos) {
            *pos += tokens[i].joined ? 1 : 2;
            doc.add_posting(prefix + term_of(folded, tokens[i]), *pos);
        } else {
            doc.add_term(prefix + term_of(folded, tokens[i]));
        }
        if (i > 0 && forms_pair(tokens[i - 1], tokens[i])) doc.add_term(prefix + pair_term_of(folded, tokens[i - 1], tokens[i]));
    }
    return pos.value_or(0);
}

Xapian::Document make_document(const Document& d, const std::vector<Page>& pages, const std::vector<Category>& chain) {
    Xapian::Document doc;
    // Titles without positions (a quarter of the index for short documents): a "phrase" in a
    // title matches its character pairs.
    index_text(doc, fold(decode_utf8(d.title)), title_prefix, std::nullopt);
    std::vector<Xapian::termpos> starts;
    if (pages.size() == 1) {
        // One page: no positions. They would be a third of the index of a library of short
        // documents (one B-tree entry per character and document), and a single page needs none
        // to name its page; phrases are checked on its text instead (PhraseCheck).
        index_text(doc, fold(decode_utf8(pages[0].text)), "", std::nullopt);
        doc.add_boolean_term(single_page_term);
        doc.add_value(single_page_slot, "1");
    } else {
        Xapian::termpos pos = 0;
        for (const auto& page : pages) {
            starts.push_back(pos + 1);
            pos = index_text(doc, fold(decode_utf8(page.text)), "", pos) + page_gap;
        }
    }
    doc.add_boolean_term(id_term(d.id));
    if (!d.format.empty()) doc.add_boolean_term(format_prefix + d.format);
    for (const auto& c : chain) doc.add_boolean_term(category_prefix + std::to_string(c.id));
    if (!d.uploader.empty()) doc.add_boolean_term(uploader_prefix + fold_utf8(d.uploader));
    doc.add_value(created_slot, Xapian::sortable_serialise(static_cast<double>(d.created_at)));
    doc.add_value(downloads_slot, Xapian::sortable_serialise(static_cast<double>(d.downloads)));
    doc.add_value(views_slot, Xapian::sortable_serialise(static_cast<double>(d.views)));
    doc.add_value(favorites_slot, Xapian::sortable_serialise(static_cast<double>(d.favorites)));
    if (d.category_id) doc.add_value(category_slot, std::to_string(*d.category_id));
    doc.add_value(format_slot, d.format);
    doc.set_data(nlohmann::json{{"title", d.title}, {"starts", starts}}.dump(-1, ' ', false,
                                                                               nlohmann::json::error_handler_t::replace));
    return doc;
}

// ---------------------------------------------------------------------------------------------
// Queries.

/// One thing a query part requires: a token sequence (terms, each at the given position offset
/// from the first). Words and single characters are one step; pairs are two.
struct Sequence {
    std::vector<std::string> terms;
    std::vector<Xapian::termpos> offsets;
};

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

/// The index query for one part in one field (prefix "" = text, "S" = title). A phrase in the
/// text of a single-page document (no positions) matches on its pairs here and is checked on the
/// text by PhraseCheck; an excluded phrase excludes only where positions prove it (`exclusion`).
Xapian::Query part_query(const QueryPart& part, const std::string& prefix, bool exclusion = false) {
    // Every character pair (or lone character, or word) must occur: exact for words of one or two
    // characters, and the usual reading of a longer Chinese word without spaces.
    const auto& t = part.tokens;
    std::vector<Xapian::Query> required;
    for (const auto& run : token_runs(part, /*whole_phrase=*/false)) {
        required.emplace_back(prefix + (run.size() == 2 ? pair_term_of(part.folded, t[run[0]], t[run[1]])
                                                        : term_of(part.folded, t[run[0]])));
    }
    Xapian::Query q(Xapian::Query::OP_AND, required.begin(), required.end());
    if (part.phrase && t.size() > 1 && prefix.empty()) {
        // The exact sequence: positions of characters and words, checked after the pairs matched.
        std::vector<Xapian::Query> steps;
        Xapian::termpos span = 1;
        for (std::size_t i = 0; i < t.size(); ++i) {
            if (i > 0) span += t[i].joined ? 1 : 2;
            steps.emplace_back(prefix + term_of(part.folded, t[i]));
        }
        const Xapian::Query positional(Xapian::Query::OP_AND, q,
                                       Xapian::Query(Xapian::Query::OP_PHRASE, steps.begin(), steps.end(), span));
        if (exclusion) return positional;
        q = Xapian::Query(Xapian::Query::OP_OR, positional,
                          Xapian::Query(Xapian::Query::OP_FILTER, q, Xapian::Query(single_page_term)));
    }
    return q;
}

Xapian::Query filter_any(const std::string& prefix, const std::vector<std::string>& values) {
    std::vector<Xapian::Query> terms;
    for (const auto& v : values) terms.emplace_back(prefix + v);
    return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
}

Xapian::Query build_query(const ParsedQuery& parsed, const SearchRequest& request) {
    std::vector<Xapian::Query> positive;
    std::vector<Xapian::Query> negative;
    for (const auto& part : parsed.parts) {
        Xapian::Query title = part_query(part, title_prefix);
        Xapian::Query q = part.title_only
                              ? title
                              : Xapian::Query(Xapian::Query::OP_OR, part_query(part, "", part.exclude),
                                              Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, title, title_weight));
        (part.exclude ? negative : positive).push_back(q);
    }
    Xapian::Query q = positive.empty() ? Xapian::Query::MatchAll
                                       : Xapian::Query(Xapian::Query::OP_AND, positive.begin(), positive.end());
    if (!negative.empty()) {
        q = Xapian::Query(Xapian::Query::OP_AND_NOT, q, Xapian::Query(Xapian::Query::OP_OR, negative.begin(), negative.end()));
    }
    std::vector<std::string> formats = parsed.formats;
    if (!request.format.empty()) formats.push_back(request.format);
    std::vector<std::string> categories = parsed.categories;
    if (request.category_id) categories.push_back(std::to_string(*request.category_id));
    if (!formats.empty()) q = Xapian::Query(Xapian::Query::OP_FILTER, q, filter_any(format_prefix, formats));
    if (!categories.empty()) q = Xapian::Query(Xapian::Query::OP_FILTER, q, filter_any(category_prefix, categories));
    if (!parsed.uploaders.empty()) q = Xapian::Query(Xapian::Query::OP_FILTER, q, filter_any(uploader_prefix, parsed.uploaders));
    return q;
}

// ---------------------------------------------------------------------------------------------
// Pages of a hit.

std::vector<Xapian::termpos> positions(const Xapian::Database& db, Xapian::docid did, const std::string& term) {
    std::vector<Xapian::termpos> out;
    try {
        for (auto it = db.positionlist_begin(did, term); it != db.positionlist_end(did, term); ++it) out.push_back(*it);
    } catch (const Xapian::Error&) {
        // The term is not in the document (the sequence matched the title only).
    }
    return out;
}

/// First positions of each occurrence of `seq` in the document's text.
std::vector<Xapian::termpos> occurrences(const Xapian::Database& db, Xapian::docid did, const Sequence& seq) {
    std::vector<Xapian::termpos> found = positions(db, did, seq.terms[0]);
    for (std::size_t k = 1; k < seq.terms.size() && !found.empty(); ++k) {
        const auto next = positions(db, did, seq.terms[k]);
        std::vector<Xapian::termpos> kept;
        for (auto p : found) {
            if (std::binary_search(next.begin(), next.end(), p + seq.offsets[k])) kept.push_back(p);
        }
        found = std::move(kept);
    }
    return found;
}

/// The pages (1-based) the query's text parts occur on, with how often.
std::map<int, int> page_hits(const Xapian::Database& db, Xapian::docid did, const std::vector<Xapian::termpos>& starts,
                             const ParsedQuery& parsed) {
    std::map<int, int> hits;
    for (const auto& part : parsed.parts) {
        if (part.exclude || part.title_only) continue;
        for (const auto& seq : sequences_of(part)) {
            for (auto p : occurrences(db, did, seq)) {
                const auto it = std::upper_bound(starts.begin(), starts.end(), p);
                if (it != starts.begin()) ++hits[static_cast<int>(it - starts.begin())];
            }
        }
    }
    return hits;
}

/// Counts matching documents per value of a slot.
class ValueCounter : public Xapian::MatchSpy {
public:
    explicit ValueCounter(Xapian::valueno slot) : slot_(slot) {}
    void operator()(const Xapian::Document& doc, double) override { ++counts_[doc.get_value(slot_)]; }
    const std::map<std::string, std::int64_t>& counts() const { return counts_; }

private:
    Xapian::valueno slot_;
    std::map<std::string, std::int64_t> counts_;
};

/// Phrases in single-page documents (indexed without positions), checked on the page's text.
class PhraseCheck : public Xapian::MatchDecider {
public:
    PhraseCheck(const ParsedQuery& query, const PageTextSource& page_text) : page_text_(page_text) {
        for (const auto& part : query.parts) {
            if (part.phrase && part.tokens.size() > 1 && !part.title_only) phrases_.push_back(&part);
        }
    }
    bool needed() const { return !phrases_.empty() && page_text_; }

    bool operator()(const Xapian::Document& doc) const override {
        if (doc.get_value(single_page_slot).empty()) return true;  // positions decided
        const auto text = page_text_(doc.get_docid(), 1);
        if (!text) return true;
        for (const QueryPart* part : phrases_) {
            if (occurs_in(*text, *part) == part->exclude) {
                // A wanted phrase missing from the text may still be in the title.
                if (!part->exclude && occurs_in(title_of(doc), *part)) continue;
                return false;
            }
        }
        return true;
    }

private:
    static std::string title_of(const Xapian::Document& doc) {
        const auto data = nlohmann::json::parse(doc.get_data(), nullptr, false);
        return data.is_object() ? data.value("title", std::string()) : std::string();
    }

    const PageTextSource& page_text_;
    std::vector<const QueryPart*> phrases_;
};

Xapian::Database open_or_empty(const fs::path& dir) {
    if (fs::exists(dir / "iamglass")) return Xapian::Database(dir.string());
    return Xapian::Database();
}

}  // namespace

SearchSort search_sort_from_string(const std::string& s) {
    if (s == "relevance") return SearchSort::relevance;
    if (s == "newest") return SearchSort::newest;
    if (s == "downloads") return SearchSort::downloads;
    if (s == "views") return SearchSort::views;
    if (s == "favorites") return SearchSort::favorites;
    throw UsageError("unknown sort '" + s + "' (relevance, newest, downloads, views, favorites)");
}

// ---------------------------------------------------------------------------------------------
// IndexReader

struct IndexReader::State {
    fs::path dir;
    Xapian::Database db;
};

IndexReader::IndexReader(const fs::path& dir) : state_(std::make_unique<State>()) {
    state_->dir = dir;
    try {
        state_->db = open_or_empty(dir);
    } catch (const Xapian::Error& e) {
        throw EnvironmentError("cannot open the search index " + dir.string() + ": " + e.get_description());
    }
}

IndexReader::~IndexReader() = default;
IndexReader::IndexReader(IndexReader&&) noexcept = default;
IndexReader& IndexReader::operator=(IndexReader&&) noexcept = default;

std::int64_t IndexReader::document_count() const { return state_->db.get_doccount(); }

bool IndexReader::contains(std::int64_t document_id) const {
    return state_->db.size() > 0 && state_->db.term_exists(id_term(document_id));
}

std::vector<std::int64_t> IndexReader::document_ids() const {
    std::vector<std::int64_t> ids;
    for (auto it = state_->db.allterms_begin(id_prefix); it != state_->db.allterms_end(id_prefix); ++it) {
        ids.push_back(std::stoll((*it).substr(1)));
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

SearchResults IndexReader::search(const SearchRequest& request, const PageTextSource& page_text) const {
    const ParsedQuery parsed = parse_query(request.query);
    SearchResults results;
    results.canonical_query = parsed.canonical();
    if (parsed.parts.empty() && parsed.formats.empty() && parsed.categories.empty() && parsed.uploaders.empty() &&
        !request.category_id && request.format.empty()) {
        return results;  // nothing asked
    }
    const Xapian::Database& db = state_->db;
    if (db.size() == 0) return results;

    for (int attempt = 0;; ++attempt) {
        try {
            Xapian::Enquire enquire(db);
            enquire.set_query(build_query(parsed, request));
            switch (request.sort) {
                case SearchSort::relevance: break;
                case SearchSort::newest: enquire.set_sort_by_value_then_relevance(created_slot, true); break;
                case SearchSort::downloads: enquire.set_sort_by_value_then_relevance(downloads_slot, true); break;
                case SearchSort::views: enquire.set_sort_by_value_then_relevance(views_slot, true); break;
                case SearchSort::favorites: enquire.set_sort_by_value_then_relevance(favorites_slot, true); break;
            }
            ValueCounter categories(category_slot);
            ValueCounter formats(format_slot);
            if (request.facets) {
                enquire.add_matchspy(&categories);
                enquire.add_matchspy(&formats);
            }
            // Facets need every match seen while ranking; an exact total alone is counted after
            // the ranking pass, without weights (a fifth of the time for a one-character query
            // matching a fifth of the library).
            const Xapian::doccount all = db.get_doccount();
            const PhraseCheck phrase_check(parsed, page_text);
            const Xapian::MatchDecider* decider = phrase_check.needed() ? &phrase_check : nullptr;
            const Xapian::MSet mset = enquire.get_mset(static_cast<Xapian::doccount>(request.offset),
                                                       static_cast<Xapian::doccount>(request.limit),
                                                       request.facets ? all : 0, nullptr, decider);
            results.total = mset.get_matches_estimated();
            results.total_exact = mset.get_matches_lower_bound() == mset.get_matches_upper_bound();
            if (request.exact_total && !results.total_exact) {
                Xapian::Enquire count(db);
                count.set_query(enquire.get_query());
                count.set_weighting_scheme(Xapian::BoolWeight());
                const Xapian::MSet counted = count.get_mset(0, 0, all, nullptr, decider);
                results.total = counted.get_matches_estimated();
                results.total_exact = counted.get_matches_lower_bound() == counted.get_matches_upper_bound();
            }
            for (const auto& [value, n] : categories.counts()) {
                if (!value.empty()) results.categories[std::stoll(value)] = n;
            }
            for (const auto& [value, n] : formats.counts()) {
                if (!value.empty()) results.formats[value] = n;
            }
            results.hits.clear();
            for (auto it = mset.begin(); it != mset.end(); ++it) {
                SearchHit hit;
                hit.document_id = *it;
                hit.weight = it.get_weight();
                const Xapian::Document doc = it.get_document();
                const auto data = nlohmann::json::parse(doc.get_data(), nullptr, false);
                const auto starts = data.is_object() ? data.value("starts", std::vector<Xapian::termpos>{})
                                                     : std::vector<Xapian::termpos>{};
                hit.title = data.is_object() ? data.value("title", std::string()) : std::string();
                hit.title_fragments = highlight(hit.title, parsed, true);
                const bool single_page = !doc.get_value(single_page_slot).empty();
                const auto pages = single_page ? std::map<int, int>{} : page_hits(db, *it, starts, parsed);
                int best = 0;
                for (const auto& [page, n] : pages) {
                    hit.pages.push_back(page);
                    if (n > best) {
                        best = n;
                        hit.page = page;
                    }
                }
                if (page_text) {
                    if (const auto text = page_text(hit.document_id, hit.page)) {
                        hit.snippet = snippet(*text, parsed);
                        // The snippet is centred on a match whenever the page has one.
                        const bool on_page = std::any_of(hit.snippet.begin(), hit.snippet.end(),
                                                         [](const Fragment& f) { return f.hit; });
                        if (single_page && on_page) hit.pages = {1};
                    }
                }
                results.hits.push_back(std::move(hit));
            }
            return results;
        } catch (const Xapian::DatabaseModifiedError&) {
            if (attempt >= 3) throw EnvironmentError("search index: modified too often while reading");
            state_->db.reopen();  // a writer committed twice while we read: read the new revision
        } catch (const Xapian::Error& e) {
            throw EnvironmentError("search index: " + e.get_description());
        }
    }
}

std::vector<std::pair<std::string, double>> IndexReader::key_terms(std::int64_t document_id, std::size_t count) const {
    const Xapian::Database& db = state_->db;
    const Xapian::docid did = docid_of(document_id);
    std::vector<std::pair<std::string, double>> scored;
    try {
        const double n = db.get_doccount();
        for (auto it = db.termlist_begin(did); it != db.termlist_end(did); ++it) {
            const std::string term = *it;
            if (term.empty() || (term[0] >= 'A' && term[0] <= 'Z')) continue;  // fields and filters
            const std::u32string chars = decode_utf8(term);
            const bool pair = chars.size() == 2 && is_cjk(chars[0]);
            const bool word = !chars.empty() && !is_cjk(chars[0]) && chars.size() >= 3;
            if (!pair && !word) continue;  // single characters say little about a topic
            const double df = it.get_termfreq();
            const double tf = it.get_wdf();
            // A pair that occurs once in one document of the library is a chance pair (two words
            // side by side) or a typo far more often than a topic.
            if (df < 2 && tf < 2 && n > 2) continue;
            scored.emplace_back(term, (1 + std::log(tf)) * std::log((n + 1) / df));
        }
    } catch (const Xapian::DocNotFoundError&) {
        return {};
    }
    std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    if (scored.size() > count) scored.resize(count);
    return scored;
}

std::vector<std::int64_t> IndexReader::related(std::int64_t document_id, std::size_t count) const {
    const Xapian::Database& db = state_->db;
    const auto terms = key_terms(document_id, 24);
    if (terms.empty()) return {};
    std::vector<Xapian::Query> parts;
    for (const auto& [term, weight] : terms) {
        parts.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(term), weight);
    }
    // The title's pairs and words weigh as much as the body's best terms.
    Xapian::Document doc;
    try {
        doc = db.get_document(docid_of(document_id));
    } catch (const Xapian::DocNotFoundError&) {
        return {};
    }
    const double top = terms.front().second;
    for (auto it = doc.termlist_begin(); it != doc.termlist_end(); ++it) {
        const std::string term = *it;
        if (term.rfind(title_prefix, 0) != 0) continue;
        const std::u32string chars = decode_utf8(term.substr(1));
        if (chars.size() < 2) continue;
        parts.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(term.substr(1)), top);
        parts.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(term), top);
    }
    Xapian::Query q(Xapian::Query::OP_OR, parts.begin(), parts.end());
    // Same category: a nudge, not a filter.
    const std::string category = doc.get_value(category_slot);
    if (!category.empty()) {
        q = Xapian::Query(Xapian::Query::OP_AND_MAYBE, q,
                          Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(category_prefix + category), top));
    }
    q = Xapian::Query(Xapian::Query::OP_AND_NOT, q, Xapian::Query(id_term(document_id)));
    Xapian::Enquire enquire(db);
    enquire.set_query(q);
    const Xapian::MSet mset = enquire.get_mset(0, static_cast<Xapian::doccount>(count));
    std::vector<std::int64_t> ids;
    for (auto it = mset.begin(); it != mset.end(); ++it) ids.push_back(*it);
    return ids;
}

// ---------------------------------------------------------------------------------------------
// IndexWriter

struct IndexWriter::State {
    Xapian::WritableDatabase db;
};

IndexWriter::IndexWriter(const fs::path& dir, int wait_seconds) : state_(std::make_unique<State>()) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds);
    for (;;) {
        try {
            fs::create_directories(dir);
            state_->db = Xapian::WritableDatabase(dir.string(), Xapian::DB_CREATE_OR_OPEN | Xapian::DB_BACKEND_GLASS);
            return;
        } catch (const Xapian::DatabaseLockError&) {
            if (std::chrono::steady_clock::now() >= deadline) {
                throw EnvironmentError("the search index " + dir.string() + " is being written by another process");
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        } catch (const Xapian::Error& e) {
            throw EnvironmentError("cannot open the search index " + dir.string() + " for writing: " + e.get_description());
        }
    }
}

IndexWriter::~IndexWriter() {
    try {
        commit();
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
    }
}

void IndexWriter::add(const Document& doc, const std::vector<Page>& pages, const std::vector<Category>& categories) {
    try {
        state_->db.replace_document(docid_of(doc.id), make_document(doc, pages, categories));
    } catch (const Xapian::Error& e) {
        throw EnvironmentError("search index: cannot add document №" + std::to_string(doc.id) + ": " + e.get_description());
    }
}

void IndexWriter::remove(std::int64_t document_id) {
    try {
        state_->db.delete_document(docid_of(document_id));
    } catch (const Xapian::DocNotFoundError&) {
        // Not indexed: nothing to remove.
    } catch (const Xapian::Error& e) {
        throw EnvironmentError("search index: cannot remove document №" + std::to_string(document_id) + ": " +
                               e.get_description());
    }
}

void IndexWriter::commit() {
    try {
        state_->db.commit();
    } catch (const Xapian::Error& e) {
        throw EnvironmentError("search index: commit failed: " + e.get_description());
    }
}

// ---------------------------------------------------------------------------------------------
// Building and reconciling

namespace {

std::vector<Category> chain_of(Repository& repository, const Document& d) {
    return d.category_id ? repository.category_chain(*d.category_id) : std::vector<Category>{};
}

std::vector<std::int64_t> ready_ids(Repository& repository) {
    DocumentFilter filter;
    filter.status = DocumentStatus::ready;
    filter.limit = std::numeric_limits<int>::max();
    std::vector<std::int64_t> ids;
    for (const auto& d : repository.list_documents(filter)) ids.push_back(d.id);
    std::sort(ids.begin(), ids.end());
    return ids;
}

void merge_parts(const std::vector<fs::path>& parts, const fs::path& dir);

}  // namespace

std::int64_t reconcile_index(Repository& repository, const fs::path& dir) {
    std::vector<std::int64_t> have;
    {
        const IndexReader reader(dir);
        DocumentFilter newest;
        newest.status = DocumentStatus::ready;
        newest.limit = 1;
        const auto latest = repository.list_documents(newest);  // newest first
        if (reader.document_count() == repository.count_documents(newest) &&
            (latest.empty() || reader.contains(latest.front().id))) {
            return 0;
        }
        have = reader.document_ids();
    }
    const auto wanted = ready_ids(repository);
    std::vector<std::int64_t> missing;
    std::vector<std::int64_t> stray;
    std::set_difference(wanted.begin(), wanted.end(), have.begin(), have.end(), std::back_inserter(missing));
    std::set_difference(have.begin(), have.end(), wanted.begin(), wanted.end(), std::back_inserter(stray));
    if (missing.empty() && stray.empty()) return 0;
    IndexWriter writer(dir);
    for (const auto id : stray) writer.remove(id);
    for (const auto id : missing) {
        const auto doc = repository.find_document(id);
        if (!doc || doc->status != DocumentStatus::ready) continue;
        writer.add(*doc, repository.pages(id), chain_of(repository, *doc));
    }
    writer.commit();
    spdlog::info("search index: {} documents added, {} removed to match the database", missing.size(), stray.size());
    return static_cast<std::int64_t>(missing.size() + stray.size());
}

std::int64_t build_index(const fs::path& dir, int threads, const std::function<std::optional<IndexInput>()>& next,
                         const std::function<void(std::int64_t)>& progress) {
    if (fs::exists(dir)) throw UsageError("build_index: " + dir.string() + " already exists");
    const fs::path parts_dir = dir.string() + ".parts";
    fs::remove_all(parts_dir);
    fs::create_directories(parts_dir);

    // Each thread takes batches of consecutive documents (ascending ids) and writes each batch to
    // a part of its own; the parts' id ranges never overlap, so they merge without renumbering.
    std::mutex input_mutex;
    std::vector<fs::path> parts;
    std::atomic<std::int64_t> done{0};
    std::exception_ptr failure;
    auto work = [&] {
        try {
            for (;;) {
                std::vector<IndexInput> batch;
                fs::path part;
                {
                    std::lock_guard lock(input_mutex);
                    while (batch.size() < build_batch) {
                        auto input = next();
                        if (!input) break;
                        batch.push_back(std::move(*input));
                    }
                    if (batch.empty() || failure) return;
                    part = parts_dir / std::to_string(parts.size());
                    parts.push_back(part);
                }
                Xapian::WritableDatabase db(part.string(), Xapian::DB_CREATE | Xapian::DB_BACKEND_GLASS);
                for (auto& input : batch) {
                    db.replace_document(docid_of(input.document.id),
                                        make_document(input.document, input.pages, input.categories));
                    const auto n = ++done;
                    if (progress && n % 10'000 == 0) progress(n);
                }
                db.commit();
                db.close();
            }
        } catch (...) {
            std::lock_guard lock(input_mutex);
            if (!failure) failure = std::current_exception();
        }
    };
    std::vector<std::thread> pool;
    for (int i = 0; i < std::max(1, threads); ++i) pool.emplace_back(work);
    for (auto& t : pool) t.join();
    try {
        if (failure) std::rethrow_exception(failure);
        merge_parts(parts, dir);
    } catch (const Xapian::Error& e) {
        fs::remove_all(parts_dir);
        throw EnvironmentError("search index: building " + dir.string() + " failed: " + e.get_description());
    } catch (...) {
        fs::remove_all(parts_dir);
        throw;
    }
    fs::remove_all(parts_dir);
    if (progress) progress(done);
    return done;
}

namespace {

/// Merges index parts with disjoint id ranges into a compacted index in `dir`.
void merge_parts(const std::vector<fs::path>& parts, const fs::path& dir) {
    Xapian::Database all;
    for (const auto& part : parts) all.add_database(Xapian::Database(part.string()));
    if (parts.empty()) {
        Xapian::WritableDatabase(dir.string(), Xapian::DB_CREATE | Xapian::DB_BACKEND_GLASS).commit();
    } else {
        all.compact(dir.string(), Xapian::DBCOMPACT_NO_RENUMBER | Xapian::DBCOMPACT_MULTIPASS);
    }
    all.close();
}

}  // namespace

std::int64_t rebuild_index(const std::function<std::unique_ptr<Repository>()>& open_repository, const fs::path& dir,
                           int threads, const std::function<void(std::int64_t)>& progress) {
    auto repository = open_repository();
    const auto ids = ready_ids(*repository);
    std::size_t at = 0;
    const fs::path fresh = dir.string() + ".new";
    fs::remove_all(fresh);
    const auto n = build_index(fresh, threads, [&]() -> std::optional<IndexInput> {
        while (at < ids.size()) {
            const auto doc = repository->find_document(ids[at++]);
            if (!doc || doc->status != DocumentStatus::ready) continue;
            return IndexInput{*doc, repository->pages(doc->id), chain_of(*repository, *doc)};
        }
        return std::nullopt;
    }, progress);
    // Swap: the old folder aside, the new one in, the old one gone. A crash in between leaves
    // either folder, and reconcile_index() or another rebuild puts things right.
    const fs::path old = dir.string() + ".old";
    fs::remove_all(old);
    if (fs::exists(dir)) fs::rename(dir, old);
    fs::rename(fresh, dir);
    fs::remove_all(old);
    return n;
}

}  // namespace wenku::search
