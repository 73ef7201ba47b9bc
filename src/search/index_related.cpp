// IndexReader: a document's key terms and the documents most like it (相关资源).
#include <xapian.h>

#include <algorithm>
#include <cmath>

#include "core/utf8.h"
#include "search/fold.h"
#include "search/index_reader.h"
#include "search/index_reader_impl.h"
#include "search/index_schema.h"

namespace wenku::search {

using namespace detail;

namespace {

/// Key terms a related-documents query is made of: enough to name a document's topics, few
/// enough to keep the query cheap.
constexpr std::size_t related_query_terms = 24;

std::vector<std::pair<std::string, double>> scored_terms(const Xapian::Database& db, Xapian::docid did);

}  // namespace

std::vector<std::pair<std::string, double>> IndexReader::key_terms(std::int64_t document_id,
                                                                   std::size_t count) const {
    const Xapian::docid did = docid_of(document_id);
    auto scored = read_index(state_->db, [&](const Xapian::Database& db) { return scored_terms(db, did); });
    std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    if (scored.size() > count) scored.resize(count);
    return scored;
}

std::vector<std::int64_t> IndexReader::related(std::int64_t document_id, std::size_t count) const {
    const auto terms = key_terms(document_id, related_query_terms);
    if (terms.empty()) return {};
    return read_index(state_->db, [&](const Xapian::Database& db) -> std::vector<std::int64_t> {
        std::vector<Xapian::Query> parts;
        for (const auto& [term, weight] : terms) {
            // Other documents' key terms, and their public text.
            parts.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(key_prefix + term), weight);
            parts.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(term), weight / 2);
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
                              Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT,
                                            Xapian::Query(category_prefix + category), top));
        }
        q = Xapian::Query(Xapian::Query::OP_AND_NOT, q, Xapian::Query(id_term(document_id)));
        Xapian::Enquire enquire(db);
        enquire.set_query(q);
        const Xapian::MSet mset = enquire.get_mset(0, static_cast<Xapian::doccount>(count));
        std::vector<std::int64_t> ids;
        for (auto it = mset.begin(); it != mset.end(); ++it) ids.push_back(*it);
        return ids;
    });
}

namespace {

/// The document's key terms (character pairs and words of three or more characters, see
/// detail::key_terms_of) with their weights (unsorted); empty when it is not indexed.
std::vector<std::pair<std::string, double>> scored_terms(const Xapian::Database& db, Xapian::docid did) {
    std::vector<std::pair<std::string, double>> scored;
    try {
        const double n = db.get_doccount();
        auto it = db.termlist_begin(did);
        for (it.skip_to(key_prefix); it != db.termlist_end(did); ++it) {
            const std::string key = *it;
            if (key.rfind(key_prefix, 0) != 0) break;
            const std::string term = key.substr(1);
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
    return scored;
}

}  // namespace

}  // namespace wenku::search
