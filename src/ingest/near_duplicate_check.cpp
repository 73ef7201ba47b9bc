#include "ingest/near_duplicate_check.h"

#include "core/errors.h"
#include "search/near_duplicate.h"

namespace wenku {

NearDuplicatePolicy NearDuplicatePolicy::from_settings(const Settings& settings) {
    NearDuplicatePolicy policy;
    const std::string& action = settings.get("ingest.near_duplicate");
    if (action == "flag") {
        policy.action = NearDuplicateAction::flag;
    } else if (action == "refuse") {
        policy.action = NearDuplicateAction::refuse;
    } else if (action == "off") {
        policy.action = NearDuplicateAction::off;
    } else {
        throw UsageError("ingest.near_duplicate must be flag, refuse or off, not '" + action + "'");
    }
    // Below one half, LSH banding (32 bands of 4) no longer finds most candidates, and texts on
    // one subject share that much by chance.
    const long long percent = settings.get_int("ingest.near_duplicate_similarity");
    if (percent < 50 || percent > 100) {
        throw UsageError("ingest.near_duplicate_similarity is a percentage from 50 to 100, not " +
                         std::to_string(percent));
    }
    policy.threshold = static_cast<double>(percent) / 100;
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
