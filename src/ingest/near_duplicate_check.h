#pragma once
// The ingest side of near-duplicate detection (search/near_duplicate.h): what the settings ask
// for, and which earlier document a newly converted one nearly repeats.
#include <cstdint>
#include <optional>
#include <vector>

#include "core/config.h"
#include "core/document.h"
#include "store/repository.h"

namespace wenku {

struct NearDuplicatePolicy {
    NearDuplicateAction action = NearDuplicateAction::flag;
    double threshold = 0.9;  // estimated similarity from which a document counts as a copy, 0-1

    /// From ingest.near_duplicate and ingest.near_duplicate_similarity (validated by Config).
    static NearDuplicatePolicy from(const IngestConfig& config);
};

/// The signature of a document's text, all pages in order (none when it has too little text).
std::optional<TextSignature> sign_pages(const std::vector<Page>& pages);

/// What to record for document `document_id` with `signature`: the signature, and the ready
/// document it is most similar to at or above the policy's threshold (the lowest number among
/// equals), if any. With the action off nothing is compared. The answer holds only while no other
/// document is committed: the caller serialises this look-up with its commit.
NearDuplicateRecord find_near_duplicate(Repository& repo, const NearDuplicatePolicy& policy,
                                        std::int64_t document_id, std::optional<TextSignature> signature);

}  // namespace wenku
