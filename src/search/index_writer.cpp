#include "search/index_writer.h"

#include <xapian.h>

#include <chrono>
#include <thread>

#include <spdlog/spdlog.h>

#include "core/errors.h"
#include "search/index_schema.h"

namespace fs = std::filesystem;

namespace wenku::search {

using namespace detail;

// Xapian keeps the changes since the last commit in memory and discards all of them when any
// change or the commit fails (it never writes part of a commit), which is what the header promises.
struct IndexWriter::State {
    Xapian::WritableDatabase db;
    TextPolicy policy;
};

IndexWriter::IndexWriter(const fs::path& dir, const TextPolicy& policy, int wait_seconds)
    : state_(std::make_unique<State>()) {
    state_->policy = policy;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds);
    for (;;) {
        try {
            fs::create_directories(dir);
            state_->db =
                Xapian::WritableDatabase(dir.string(), Xapian::DB_CREATE_OR_OPEN | Xapian::DB_BACKEND_GLASS);
            if (state_->db.get_doccount() == 0) record_policy();
            return;
        } catch (const Xapian::DatabaseLockError&) {
            if (std::chrono::steady_clock::now() >= deadline) {
                throw EnvironmentError("the search index " + dir.string() +
                                       " is being written by another process");
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        } catch (const Xapian::Error& e) {
            throw EnvironmentError("cannot open the search index " + dir.string() +
                                   " for writing: " + e.get_description());
        }
    }
}

IndexWriter::~IndexWriter() {
    try {
        commit();
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
    }
}

void IndexWriter::add(const Document& doc, const std::vector<Page>& pages,
                      const std::vector<Category>& categories) {
    const Xapian::docid did = docid_of(doc.id);
    try {
        state_->db.replace_document(did, make_document(doc, pages, categories, state_->policy));
    } catch (const Xapian::Error& e) {
        throw EnvironmentError("search index: cannot add document №" + std::to_string(doc.id) + ": " +
                               e.get_description());
    }
}

void IndexWriter::remove(std::int64_t document_id) {
    const Xapian::docid did = docid_of(document_id);
    try {
        state_->db.delete_document(did);
    } catch (const Xapian::DocNotFoundError&) {
        // Not indexed: nothing to remove (and nothing discarded).
    } catch (const Xapian::Error& e) {
        throw EnvironmentError("search index: cannot remove document №" + std::to_string(document_id) + ": " +
                               e.get_description());
    }
}

void IndexWriter::record_policy() {
    try {
        state_->db.set_metadata(text_policy_key, state_->policy.fingerprint());
    } catch (const Xapian::Error& e) {
        throw EnvironmentError("search index: cannot record its text policy: " + e.get_description());
    }
}

void IndexWriter::commit() {
    try {
        state_->db.commit();
    } catch (const Xapian::Error& e) {
        throw EnvironmentError("search index: commit failed: " + e.get_description());
    }
}

}  // namespace wenku::search
