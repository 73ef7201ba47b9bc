#pragma once
// Around a search: 相关搜索 (related searches: logged queries that led to the same documents, then
// the leading document's key terms) and 相关资源 (related documents, computed from the index once
// and kept until the library has grown enough to change them).
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "search/search_index.h"
#include "store/repository.h"

namespace wenku::search {

/// Logs a search that found something: its canonical text and its first results. Nothing about
/// the reader is kept.
void record_search(Repository& repository, const SearchResults& results);

/// The same, batched for a server: searches are counted in memory and written in one transaction
/// by flush() (the web site flushes every few seconds and when it stops).
class SearchLog {
  public:
    void add(const SearchResults& results);
    void flush(Repository& repository);

  private:
    std::mutex mutex_;
    std::map<std::string, LoggedSearch> pending_;
};

/// Up to `count` searches to suggest after `results`: logged queries that led to the same
/// documents, then key terms of the first results; never the query itself.
std::vector<std::string> related_searches(Repository& repository, const IndexReader& index,
                                          const SearchResults& results, std::size_t count);

/// A document's related documents, best first: stored ones while the library has grown by less
/// than a tenth since they were computed (and they are enough), otherwise computed from the
/// index and stored.
std::vector<std::int64_t> related_documents(Repository& repository, const IndexReader& index,
                                            std::int64_t document_id, std::size_t count);

}  // namespace wenku::search
