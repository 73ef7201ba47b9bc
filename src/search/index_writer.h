#pragma once
// Writing the full-text index (search_index.h): documents as they become ready or are removed
// (IndexWriter), the index brought in line with the database (reconcile_index), and the index
// built anew (rebuild_index, build_index).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "core/document.h"

namespace wenku {
class Repository;
}

namespace wenku::search {

/// Changes the index. One writer at a time in all processes (Xapian's lock): the constructor
/// waits up to `wait_seconds` for another writer to finish, then throws EnvironmentError.
class IndexWriter {
  public:
    explicit IndexWriter(const std::filesystem::path& dir, int wait_seconds = 30);
    ~IndexWriter();  // commits
    IndexWriter(const IndexWriter&) = delete;
    IndexWriter& operator=(const IndexWriter&) = delete;

    /// Adds or replaces a document (its id is its index document id). `categories` is the chain
    /// from the root to the document's category (Repository::category_chain), empty when none.
    void add(const Document& doc, const std::vector<Page>& pages, const std::vector<Category>& categories);
    void remove(std::int64_t document_id);
    /// Makes the changes durable and visible to readers that reopen.
    void commit();

  private:
    struct State;
    std::unique_ptr<State> state_;
};

/// Makes the index hold exactly the ready documents of the database: adds the missing, removes
/// the stray. Cheap when they seem to agree: when the numbers of documents are equal and the
/// newest ready document is indexed, nothing more is compared (`wenku verify` compares all).
/// Returns the number of documents added or removed.
std::int64_t reconcile_index(Repository& repository, const std::filesystem::path& dir);

/// Builds the index from the database anew in a new folder using `threads` threads (each builds a
/// part; the parts are merged and compacted), then puts it in place of the old one. Readers open
/// before keep reading the old one until they reopen. Returns the number of documents indexed.
/// `progress` (optional) is called with documents done so far.
std::int64_t rebuild_index(const std::function<std::unique_ptr<Repository>()>& open_repository,
                           const std::filesystem::path& dir, int threads,
                           const std::function<void(std::int64_t)>& progress = {});

/// Builds an index in `dir` (which must not exist) from documents given by `next` (nullopt when
/// done), with `threads` threads; used by rebuild_index() and by benchmarks. `next` is called
/// from one thread at a time.
struct IndexInput {
    Document document;
    std::vector<Page> pages;
    std::vector<Category> categories;
};
std::int64_t build_index(const std::filesystem::path& dir, int threads,
                         const std::function<std::optional<IndexInput>()>& next,
                         const std::function<void(std::int64_t)>& progress = {});

}  // namespace wenku::search
