#include "search/index_reader.h"

#include <xapian.h>

#include <algorithm>

#include "search/index_query.h"
#include "search/index_reader_impl.h"
#include "search/index_schema.h"

namespace fs = std::filesystem;

namespace wenku::search {

using namespace detail;

namespace {

Xapian::Database open_or_empty(const fs::path& dir);
std::map<int, int> page_hits(const Xapian::Database& db, Xapian::docid did,
                             const std::vector<Xapian::termpos>& starts, const ParsedQuery& parsed);

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
        if (!is_single_page(doc)) return true;  // positions decided
        const auto text = page_text_(doc.get_docid(), 1);
        if (!text) return true;
        for (const QueryPart* part : phrases_) {
            if (occurs_in(*text, *part) == part->exclude) {
                // A wanted phrase missing from the text may still be in the title.
                if (!part->exclude && occurs_in(stored_data(doc).title, *part)) continue;
                return false;
            }
        }
        return true;
    }

  private:
    const PageTextSource& page_text_;
    std::vector<const QueryPart*> phrases_;
};

}  // namespace

IndexReader::IndexReader(const fs::path& dir, const SearchOptions& options)
    : state_(std::make_unique<State>()) {
    state_->options = options;
    try {
        state_->db = open_or_empty(dir);
    } catch (const Xapian::Error& e) {
        throw EnvironmentError("cannot open the search index " + dir.string() + ": " + e.get_description());
    }
}

IndexReader::~IndexReader() = default;
IndexReader::IndexReader(IndexReader&&) noexcept = default;
IndexReader& IndexReader::operator=(IndexReader&&) noexcept = default;

const SearchOptions& IndexReader::options() const { return state_->options; }

std::int64_t IndexReader::document_count() const {
    return read_index(state_->db, [](const Xapian::Database& db) { return std::int64_t{db.get_doccount()}; });
}

std::string IndexReader::revision() const {
    return read_index(state_->db, [](const Xapian::Database& db) -> std::string {
        if (db.size() != 1) return "empty";  // no index yet: a database of no shards
        return db.get_uuid() + ":" + std::to_string(db.get_revision());
    });
}

bool IndexReader::contains(std::int64_t document_id) const {
    return read_index(state_->db, [&](const Xapian::Database& db) {
        return db.size() > 0 && db.term_exists(id_term(document_id));
    });
}

std::string IndexReader::text_policy() const {
    return read_index(state_->db, [](const Xapian::Database& db) {
        return db.size() > 0 ? db.get_metadata(text_policy_key) : std::string();
    });
}

std::optional<int> IndexReader::public_pages(std::int64_t document_id) const {
    const Xapian::docid did = docid_of(document_id);
    return read_index(state_->db, [&](const Xapian::Database& db) -> std::optional<int> {
        if (db.size() == 0) return std::nullopt;
        try {
            const std::string value = db.get_document(did).get_value(public_pages_slot);
            return value.empty() ? -1 : std::stoi(value);  // -1: indexed before public pages were
        } catch (const Xapian::DocNotFoundError&) {
            return std::nullopt;
        }
    });
}

std::vector<std::int64_t> IndexReader::document_ids() const {
    return read_index(state_->db, [](const Xapian::Database& db) {
        std::vector<std::int64_t> ids;
        for (auto it = db.allterms_begin(id_prefix); it != db.allterms_end(id_prefix); ++it) {
            ids.push_back(std::stoll((*it).substr(1)));
        }
        std::sort(ids.begin(), ids.end());
        return ids;
    });
}

SearchResults IndexReader::search(const SearchRequest& request, const PageTextSource& page_text) const {
    const ParsedQuery parsed = parse_query(request.query, state_->options.query);
    const std::size_t snippet_chars = state_->options.snippet_chars;
    SearchResults empty;
    empty.canonical_query = parsed.canonical();
    empty.plain_query = parsed.formats.empty() && parsed.categories.empty() && parsed.uploaders.empty() &&
                        std::none_of(parsed.parts.begin(), parsed.parts.end(), [](const QueryPart& p) {
                            return p.phrase || p.exclude || p.title_only;
                        });
    if (parsed.parts.empty() && parsed.formats.empty() && parsed.categories.empty() &&
        parsed.uploaders.empty() && !request.category_id && request.format.empty()) {
        return empty;  // nothing asked
    }
    if (state_->db.size() == 0) return empty;

    return read_index(state_->db, [&](const Xapian::Database& db) {
        SearchResults results = empty;
        Xapian::Enquire enquire(db);
        enquire.set_query(build_query(parsed, request));
        switch (request.sort) {
            case SearchSort::relevance:
                break;
            case SearchSort::newest:
                enquire.set_sort_by_value_then_relevance(created_slot, true);
                break;
            case SearchSort::downloads:
                enquire.set_sort_by_value_then_relevance(downloads_slot, true);
                break;
            case SearchSort::views:
                enquire.set_sort_by_value_then_relevance(views_slot, true);
                break;
            case SearchSort::favorites:
                enquire.set_sort_by_value_then_relevance(favorites_slot, true);
                break;
        }
        ValueCounter categories(category_slot);
        ValueCounter formats(format_slot);
        if (request.facets) {
            enquire.add_matchspy(&categories);
            enquire.add_matchspy(&formats);
        }
        // Facets need every match seen while ranking; an exact total alone is counted after the
        // ranking pass, without weights (a fifth of the time for a one-character query matching a
        // fifth of the library).
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
        for (auto it = mset.begin(); it != mset.end(); ++it) {
            SearchHit hit;
            hit.document_id = *it;
            hit.weight = it.get_weight();
            const Xapian::Document doc = it.get_document();
            StoredData data = stored_data(doc);
            hit.title = std::move(data.title);
            hit.title_fragments = highlight(hit.title, parsed, true);
            const bool single_page = is_single_page(doc);
            const auto pages = single_page ? std::map<int, int>{} : page_hits(db, *it, data.starts, parsed);
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
                    hit.snippet = snippet(*text, parsed, snippet_chars);
                    // The snippet is centred on a match whenever the page has one.
                    const bool on_page = std::any_of(hit.snippet.begin(), hit.snippet.end(),
                                                     [](const Fragment& f) { return f.hit; });
                    if (single_page && on_page) hit.pages = {1};
                }
            }
            results.hits.push_back(std::move(hit));
        }
        return results;
    });
}

SearchSort search_sort_from_string(const std::string& s) {
    if (s == "relevance") return SearchSort::relevance;
    if (s == "newest") return SearchSort::newest;
    if (s == "downloads") return SearchSort::downloads;
    if (s == "views") return SearchSort::views;
    if (s == "favorites") return SearchSort::favorites;
    throw UsageError("unknown sort '" + s + "' (relevance, newest, downloads, views, favorites)");
}

namespace {

Xapian::Database open_or_empty(const fs::path& dir) {
    if (fs::exists(dir / "iamglass")) return Xapian::Database(dir.string());
    return Xapian::Database();
}

std::vector<Xapian::termpos> positions(const Xapian::Database& db, Xapian::docid did,
                                       const std::string& term) {
    std::vector<Xapian::termpos> out;
    try {
        for (auto it = db.positionlist_begin(did, term); it != db.positionlist_end(did, term); ++it) {
            out.push_back(*it);
        }
    } catch (const Xapian::DatabaseModifiedError&) {
        throw;  // the whole search starts again
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
std::map<int, int> page_hits(const Xapian::Database& db, Xapian::docid did,
                             const std::vector<Xapian::termpos>& starts, const ParsedQuery& parsed) {
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

}  // namespace

}  // namespace wenku::search
