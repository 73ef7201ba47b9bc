#include "ingest/near_duplicate_check.h"

#include "core/errors.h"
#include "search/near_duplicate.h"

namespace wenku {

NearDuplicatePolicy NearDuplicatePolicy::from(const IngestConfig& config) {
    NearDuplicatePolicy policy;
    policy.action = config.near_duplicate;
    policy.threshold = static_cast<double>(config.near_duplicate_similarity) / 100;
    return policy;
}

std::optional<TextSignature> sign_pages(const std::vector<Page>& pages) {
    search::SignatureBuilder builder;
    for (const Page& page : pages) builder.add(page.text);
    return builder.finish();
}

NearDuplicateRecord find_near_duplicate(Repository& repo, const NearDuplicatePolicy& policy,
                                        std::int64_t document_id, std::optional<TextSignature> signature) {
    NearDuplicateRecord record{std::move(signature)};
    if (!record.signature || policy.action == NearDuplicateAction::off) return record;
    for (const std::int64_t candidate : repo.near_duplicate_candidates(document_id, *record.signature)) {
        const auto other = repo.text_signature(candidate);
        if (!other) continue;  // removed meanwhile
        const double similarity = search::estimated_similarity(*record.signature, *other);
        // Candidates come in ascending order: among equals the earliest document wins.
        if (similarity >= policy.threshold && similarity > record.similarity) {
            record.of = candidate;
            record.similarity = similarity;
        }
    }
    return record;
}

}  // namespace wenku
