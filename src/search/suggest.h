#pragma once
// Around a search: 相关搜索 (related searches: logged queries that led to the same documents, then
// the leading documents' key terms) and 相关资源 (related documents, computed from the index once
// and kept until the library has grown enough to change them). The search log itself is in
// search_log.h.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "search/blocklist.h"
#include "search/index_reader.h"
#include "search/search_log.h"
#include "store/repository.h"

namespace wenku::search {

/// What a logged search needs before it is suggested (search.suggest_min_addresses, _min_days).
SuggestionBar suggestion_bar(const SearchOptions& options);

/// Up to `count` searches to suggest after `results`: logged queries that led to the same
/// documents and clear the bar of the index's options, then key terms of the first results; never
/// the query itself, nothing `blocklist` (may be null) blocks. Throws EnvironmentError when the
/// database or the index cannot be read.
std::vector<std::string> related_searches(Repository& repository, const IndexReader& index,
                                          const SearchResults& results, std::size_t count,
                                          const SearchBlocklist* blocklist = nullptr);

/// A document's related documents (相关资源), best first, at most `count`. While the library has
/// grown by no more than search.related_refresh_percent since the stored list was computed (and
/// it holds enough), that list is used, less the documents removed since. Otherwise the list is
/// computed from the index (search.related_list_size of them, or `count` if more; the options
/// are the index reader's) and stored in place of the old one.
///
/// Failure: when the database or the index cannot be read, EnvironmentError, and nothing is
/// stored. When the fresh list cannot be stored, it is still returned; the stored list stays as
/// it was, the failure is logged, and the next call computes and stores again.
std::vector<std::int64_t> related_documents(Repository& repository, const IndexReader& index,
                                            std::int64_t document_id, std::size_t count);

}  // namespace wenku::search
