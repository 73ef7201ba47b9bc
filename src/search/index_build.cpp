// The index brought in line with the database (reconcile_index) and built anew (rebuild_index,
// build_index).
#include <xapian.h>

#include <algorithm>
#include <atomic>
#include <iterator>
#include <limits>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "core/errors.h"
#include "search/index_reader.h"
#include "search/index_schema.h"
#include "search/index_writer.h"
#include "store/repository.h"

namespace fs = std::filesystem;

namespace wenku::search {

using namespace detail;

namespace {

/// Documents a build thread takes at a time and writes to a part of its own.
constexpr std::size_t build_batch = 25'000;
/// Documents between two calls of a build's progress callback.
constexpr std::int64_t build_progress_every = 10'000;

std::vector<std::int64_t> ready_ids(Repository& repository);
bool seems_in_line(Repository& repository, const IndexReader& reader);
std::vector<Category> chain_of(Repository& repository, const Document& d);
void merge_parts(const std::vector<fs::path>& parts, const fs::path& dir, const TextPolicy& policy);

}  // namespace

std::int64_t reconcile_index(Repository& repository, const fs::path& dir, const TextPolicy& policy,
                             ReconcileCheck check) {
    std::vector<std::int64_t> have;
    std::vector<std::int64_t> changed;  // indexed under other public pages than the policy gives now
    bool policy_changed = false;
    const auto wanted = ready_ids(repository);
    {
        const IndexReader reader(dir);
        policy_changed = reader.document_count() > 0 && reader.text_policy() != policy.fingerprint();
        if (!policy_changed && check == ReconcileCheck::quick && seems_in_line(repository, reader)) return 0;
        have = reader.document_ids();
        if (check == ReconcileCheck::full && !policy_changed) {
            std::vector<std::int64_t> both;
            std::set_intersection(wanted.begin(), wanted.end(), have.begin(), have.end(),
                                  std::back_inserter(both));
            for (const auto id : both) {
                const auto doc = repository.find_document(id);
                if (doc && reader.public_pages(id) != policy.public_pages(*doc, doc->page_count)) {
                    changed.push_back(id);
                }
            }
        }
    }
    std::vector<std::int64_t> missing;
    std::vector<std::int64_t> stray;
    std::set_difference(wanted.begin(), wanted.end(), have.begin(), have.end(), std::back_inserter(missing));
    std::set_difference(have.begin(), have.end(), wanted.begin(), wanted.end(), std::back_inserter(stray));
    // Under another policy every document is indexed anew.
    const std::vector<std::int64_t>& to_add = policy_changed ? wanted : missing;
    if (to_add.empty() && stray.empty() && changed.empty() && !policy_changed) return 0;
    IndexWriter writer(dir, policy);
    for (const auto id : stray) writer.remove(id);
    for (const auto& ids : {to_add, changed}) {
        for (const auto id : ids) {
            const auto doc = repository.find_document(id);
            if (!doc || doc->status != DocumentStatus::ready) continue;
            writer.add(*doc, repository.pages(id), chain_of(repository, *doc));
        }
    }
    writer.record_policy();
    writer.commit();
    spdlog::info("search index: {} documents added, {} indexed anew, {} removed to match the database{}",
                 policy_changed ? 0 : missing.size(), policy_changed ? wanted.size() : changed.size(),
                 stray.size(), policy_changed ? " (site.public_text or preview.free_pages changed)" : "");
    return static_cast<std::int64_t>(to_add.size() + changed.size() + stray.size());
}

std::int64_t rebuild_index(const std::function<std::unique_ptr<Repository>()>& open_repository,
                           const fs::path& dir, const TextPolicy& policy, int threads,
                           const std::function<void(std::int64_t)>& progress) {
    auto repository = open_repository();
    const auto ids = ready_ids(*repository);
    std::size_t at = 0;
    const fs::path fresh = dir.string() + ".new";
    fs::remove_all(fresh);
    const auto n = build_index(
        fresh, policy, threads,
        [&]() -> std::optional<IndexInput> {
            while (at < ids.size()) {
                const auto doc = repository->find_document(ids[at++]);
                if (!doc || doc->status != DocumentStatus::ready) continue;
                return IndexInput{*doc, repository->pages(doc->id), chain_of(*repository, *doc)};
            }
            return std::nullopt;
        },
        progress);
    // Swap: the old folder aside, the new one in, the old one gone. A crash in between leaves
    // either folder, and reconcile_index() or another rebuild puts things right.
    const fs::path old = dir.string() + ".old";
    fs::remove_all(old);
    if (fs::exists(dir)) fs::rename(dir, old);
    fs::rename(fresh, dir);
    fs::remove_all(old);
    return n;
}

std::int64_t build_index(const fs::path& dir, const TextPolicy& policy, int threads,
                         const std::function<std::optional<IndexInput>()>& next,
                         const std::function<void(std::int64_t)>& progress) {
    if (fs::exists(dir)) throw UsageError("build_index: " + dir.string() + " already exists");
    const fs::path parts_dir = dir.string() + ".parts";
    fs::remove_all(parts_dir);
    fs::create_directories(parts_dir);

    // Each thread takes batches of consecutive documents (ascending ids) and writes each batch to
    // a part of its own; the parts' id ranges never overlap, so they merge without renumbering.
    std::mutex input_mutex;
    std::vector<fs::path> parts;
    std::atomic<std::int64_t> done{0};
    std::exception_ptr failure;
    auto work = [&] {
        try {
            for (;;) {
                std::vector<IndexInput> batch;
                fs::path part;
                {
                    std::lock_guard lock(input_mutex);
                    while (batch.size() < build_batch) {
                        auto input = next();
                        if (!input) break;
                        batch.push_back(std::move(*input));
                    }
                    if (batch.empty() || failure) return;
                    part = parts_dir / std::to_string(parts.size());
                    parts.push_back(part);
                }
                Xapian::WritableDatabase db(part.string(), Xapian::DB_CREATE | Xapian::DB_BACKEND_GLASS);
                for (auto& input : batch) {
                    db.replace_document(docid_of(input.document.id),
                                        make_document(input.document, input.pages, input.categories, policy));
                    const auto n = ++done;
                    if (progress && n % build_progress_every == 0) progress(n);
                }
                db.set_metadata(text_policy_key, policy.fingerprint());
                db.commit();
                db.close();
            }
        } catch (...) {
            std::lock_guard lock(input_mutex);
            if (!failure) failure = std::current_exception();
        }
    };
    std::vector<std::thread> pool;
    for (int i = 0; i < std::max(1, threads); ++i) pool.emplace_back(work);
    for (auto& t : pool) t.join();
    try {
        if (failure) std::rethrow_exception(failure);
        merge_parts(parts, dir, policy);
    } catch (const Xapian::Error& e) {
        fs::remove_all(parts_dir);
        fs::remove_all(dir);
        throw EnvironmentError("search index: building " + dir.string() + " failed: " + e.get_description());
    } catch (...) {
        fs::remove_all(parts_dir);
        fs::remove_all(dir);
        throw;
    }
    fs::remove_all(parts_dir);
    if (progress) progress(done);
    return done;
}

namespace {

std::vector<std::int64_t> ready_ids(Repository& repository) {
    DocumentFilter filter;
    filter.status = DocumentStatus::ready;
    filter.limit = std::numeric_limits<int>::max();
    std::vector<std::int64_t> ids;
    for (const auto& d : repository.list_documents(filter)) ids.push_back(d.id);
    std::sort(ids.begin(), ids.end());
    return ids;
}

/// The quick check: as many documents in the index as ready ones in the database, and the
/// newest of those indexed.
bool seems_in_line(Repository& repository, const IndexReader& reader) {
    DocumentFilter newest;
    newest.status = DocumentStatus::ready;
    newest.limit = 1;
    const auto latest = repository.list_documents(newest);  // newest first
    return reader.document_count() == repository.count_documents(newest) &&
           (latest.empty() || reader.contains(latest.front().id));
}

std::vector<Category> chain_of(Repository& repository, const Document& d) {
    return d.category_id ? repository.category_chain(*d.category_id) : std::vector<Category>{};
}

/// Merges index parts with disjoint id ranges (each recording `policy`) into a compacted index in `dir`.
void merge_parts(const std::vector<fs::path>& parts, const fs::path& dir, const TextPolicy& policy) {
    Xapian::Database all;
    for (const auto& part : parts) all.add_database(Xapian::Database(part.string()));
    if (parts.empty()) {
        Xapian::WritableDatabase empty(dir.string(), Xapian::DB_CREATE | Xapian::DB_BACKEND_GLASS);
        empty.set_metadata(text_policy_key, policy.fingerprint());
        empty.commit();
    } else {
        all.compact(dir.string(), Xapian::DBCOMPACT_NO_RENUMBER | Xapian::DBCOMPACT_MULTIPASS);
    }
    all.close();
}

}  // namespace

}  // namespace wenku::search
