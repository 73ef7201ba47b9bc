#pragma once
// Inside the index (index_*.cpp, not for other callers): a parsed search box as a Xapian query,
// and the token sequences whose positions name the pages a hit is on.
#include <xapian.h>

#include <string>
#include <vector>

#include "search/index_reader.h"
#include "search/query.h"

namespace wenku::search::detail {

/// The index query for what a reader asked: every positive part (in the text, or in the title
/// weighted ×3), none of the excluded ones, and the filters of the query and the request.
Xapian::Query build_query(const ParsedQuery& parsed, const SearchRequest& request);

/// One thing a query part requires: a token sequence (terms, each at the given position offset
/// from the first). Words and single characters are one step; pairs are two; a phrase is all of
/// its tokens.
struct Sequence {
    std::vector<std::string> terms;
    std::vector<Xapian::termpos> offsets;
};
std::vector<Sequence> sequences_of(const QueryPart& part);

}  // namespace wenku::search::detail
