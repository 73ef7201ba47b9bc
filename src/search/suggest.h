#pragma once
// Around a search: 相关搜索 (related searches: logged queries that led to the same documents, then
// the leading documents' key terms) and 相关资源 (related documents, computed from the index once
// and kept until the library has grown enough to change them). The search log itself is in
// search_log.h.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "search/index_reader.h"
#include "search/search_log.h"
#include "store/repository.h"

namespace wenku::search {

/// Up to `count` searches to suggest after `results`: logged queries that led to the same
/// documents, then key terms of the first results; never the query itself. Throws
/// EnvironmentError when the database or the index cannot be read.
std::vector<std::string> related_searches(Repository& repository, const IndexReader& index,
                                          const SearchResults& results, std::size_t count);

/// A document's related documents, best first: stored ones while the library has grown by less
/// than a tenth since they were computed (and they are enough), otherwise computed from the
/// index and stored.
std::vector<std::int64_t> related_documents(Repository& repository, const IndexReader& index,
                                            std::int64_t document_id, std::size_t count);

}  // namespace wenku::search
