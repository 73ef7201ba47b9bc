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
#include "search/search_options.h"

namespace wenku {
class Repository;
}

namespace wenku::search {

/// Changes the index. One writer at a time in all processes (Xapian's lock): the constructor
/// waits up to `wait_seconds` for another writer to finish, then throws EnvironmentError.
///
/// Changes are buffered and become durable, and visible to readers opened after, all at once at
/// commit() (Xapian also commits by itself after 10,000 changes). The index on disk only ever
/// holds whole commits, so a crash or a failure leaves it consistent at its last commit.
///
/// Failure: when add(), remove() or commit() throws EnvironmentError (a disk that is full or
/// failing), every change since the last commit is discarded, the failing one included. The
/// writer stays usable for new changes, unless Xapian could not even return to the last commit:
/// it then closes the index, and every later call throws too. The documents concerned are out of
/// step with the database, which is the truth: missing and removed ones are put right by
/// reconcile_index() (run by every conversion runner as it starts, by `wenku search` when no
/// conversion is running, and by `wenku verify --repair`); a document added again (converted
/// anew) keeps its earlier entry until `wenku reindex`.
///
/// Documents are indexed under `policy` (what of their text is public). A new index records it;
/// an existing one keeps the policy it recorded until reconcile_index() has indexed every document
/// anew under a different one.
class IndexWriter {
  public:
    IndexWriter(const std::filesystem::path& dir, const TextPolicy& policy, int wait_seconds = 30);
    /// Commits; a failure is logged, not thrown (see the class comment for what it costs).
    ~IndexWriter();
    IndexWriter(const IndexWriter&) = delete;
    IndexWriter& operator=(const IndexWriter&) = delete;

    /// Adds or replaces a document (its id is its index document id). `categories` is the chain
    /// from the root to the document's category (Repository::category_chain), empty when none.
    /// Terms too long for the index (a word of 64 characters of a four-byte script, an uploader
    /// name of over 240 bytes) are left out. Throws UsageError for an id the index cannot hold
    /// (nothing is discarded then).
    void add(const Document& doc, const std::vector<Page>& pages, const std::vector<Category>& categories);
    /// Removes a document; nothing happens when it is not indexed.
    void remove(std::int64_t document_id);
    /// Makes the changes since the last commit durable and visible to readers opened after.
    void commit();
    /// Records in the index that every document in it follows this writer's policy (durable at
    /// the next commit).
    void record_policy();

  private:
    struct State;
    std::unique_ptr<State> state_;
};

/// How reconcile_index() compares the index with the database.
enum class ReconcileCheck {
    quick,  // nothing more when the counts agree and the newest ready document is indexed
    full,   // every id
};

/// Makes the index hold exactly the ready documents of the database, indexed under `policy`: adds
/// the missing, removes the stray, and indexes every document anew when the index recorded
/// another policy (site.public_text or preview.free_pages changed). The quick check is then two
/// counts and one look-up when they agree, and misses only a missing document and a stray one
/// that cancel out; the full check (`wenku verify`) compares every id and each document's public
/// pages, and indexes anew those whose free pages changed. Returns the number of documents
/// added, indexed anew or removed.
/// Throws EnvironmentError when the database or the index cannot be read or the index written;
/// the index is then consistent but maybe only part of the way there, and the next call finds
/// what is still different.
std::int64_t reconcile_index(Repository& repository, const std::filesystem::path& dir,
                             const TextPolicy& policy, ReconcileCheck check = ReconcileCheck::quick);

/// Builds the index from the database anew in a new folder using `threads` threads (each builds a
/// part; the parts are merged and compacted), then puts it in place of the old one. Readers open
/// before keep reading the old one until they reopen. Returns the number of documents indexed.
/// `progress` (optional) is called with documents done so far. On failure the old index stays
/// in place (a crash during the swap leaves either folder; reconcile_index() or another rebuild
/// puts things right) and the exception is rethrown.
std::int64_t rebuild_index(const std::function<std::unique_ptr<Repository>()>& open_repository,
                           const std::filesystem::path& dir, const TextPolicy& policy, int threads,
                           const std::function<void(std::int64_t)>& progress = {});

/// Builds an index in `dir` (which must not exist) from documents given by `next` (nullopt when
/// done), with `threads` threads; used by rebuild_index() and by benchmarks. `next` is called
/// from one thread at a time. On failure neither `dir` nor the parts are left behind, and the
/// first exception is rethrown (Xapian's as EnvironmentError). Documents follow `policy`.
struct IndexInput {
    Document document;
    std::vector<Page> pages;
    std::vector<Category> categories;
};
std::int64_t build_index(const std::filesystem::path& dir, const TextPolicy& policy, int threads,
                         const std::function<std::optional<IndexInput>()>& next,
                         const std::function<void(std::int64_t)>& progress = {});

}  // namespace wenku::search
