#include "ingest/pipeline.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>

#include <spdlog/spdlog.h>

#include "core/conversion.h"
#include "core/errors.h"
#include "ingest/near_duplicate_check.h"
#include "ingest/worker_process.h"
#include "search/near_duplicate.h"

namespace wenku {
namespace fs = std::filesystem;

int resolve_jobs(long long requested) {
    if (requested > 0) return static_cast<int>(requested);
    const unsigned cores = std::thread::hardware_concurrency();
    return cores == 0 ? 1 : static_cast<int>(cores);
}

std::int64_t enqueue_file(Library& library, const fs::path& file, const AddOptions& options) {
    const std::string name = options.original_name.empty() ? file.filename().string() : options.original_name;
    std::error_code ec;
    const auto status = fs::status(file, ec);
    if (ec || !fs::exists(status)) throw InputError(error_code::unsupported, name + " does not exist");
    if (!fs::is_regular_file(status)) throw InputError(error_code::unsupported, name + " is not a regular file");
    const auto size = static_cast<long long>(fs::file_size(file));
    if (size == 0) throw InputError(error_code::empty, name + " is empty (0 bytes)");
    const long long limit_mb = library.settings().get_int("convert.max_file_mb");
    if (size > limit_mb * 1024 * 1024) {
        throw InputError(error_code::too_large, name + " is " + std::to_string(size >> 20) + " MiB; the limit is " +
                                                    std::to_string(limit_mb) + " MiB (convert.max_file_mb)");
    }
    const std::string sha = BlobStore::sha256_file(file);
    if (auto existing = library.repository().find_document_by_sha256(sha)) {
        throw DuplicateError(existing->id);
    }
    library.blobs().put_original(file, sha);

    Document doc;
    doc.title = options.title;
    doc.original_name = name;
    doc.size_bytes = size;
    doc.sha256 = sha;
    doc.uploader = options.uploader;
    doc.price = options.price;
    doc.free_pages = options.free_pages;
    if (!options.category.empty()) doc.category_id = library.repository().ensure_category_path(options.category);
    return library.repository().add_queued_document(doc);
}

namespace {

/// The worker is not trusted: accept only the files we asked for, as regular files inside its
/// output folder, and move them into a fresh folder that is then published.
std::vector<Page> accept_worker_output(const ConvertResult& result, const fs::path& out_dir, const fs::path& publish_dir,
                                       std::int64_t document_id, int max_pages) {
    if (result.pages.empty()) throw InputError(error_code::empty, "the document has no pages");
    if (static_cast<int>(result.pages.size()) > max_pages) {
        throw InputError(error_code::too_large, "the document has " + std::to_string(result.pages.size()) +
                                                    " pages; the limit is " + std::to_string(max_pages));
    }
    fs::create_directory(publish_dir);
    auto take = [&](const std::string& file) {
        const auto from = out_dir / file;
        if (!fs::is_regular_file(fs::symlink_status(from))) {
            throw InputError(error_code::crashed, "the converter did not produce " + file);
        }
        fs::rename(from, publish_dir / file);
    };
    std::vector<Page> pages;
    pages.reserve(result.pages.size());
    for (std::size_t i = 0; i < result.pages.size(); ++i) {
        const PageResult& p = result.pages[i];
        const int number = static_cast<int>(i) + 1;
        if (p.number != number || p.preview != preview_file_name(number)) {
            throw InputError(error_code::crashed, "the converter returned pages out of order");
        }
        take(p.preview);
        constexpr std::size_t max_page_text = 1 << 20;
        pages.push_back(Page{document_id, number, p.width_px, p.height_px,
                             p.text.size() > max_page_text ? p.text.substr(0, max_page_text) : p.text, p.ocr});
    }
    take(cover_file_name);
    return pages;
}

/// The original's extension, lower-case, when it is a plain short one (".docx"); else empty.
/// Converters may use it as a hint; the type is always detected from the content.
std::string safe_extension(const std::string& name) {
    std::string ext = fs::path(name).extension().string();
    if (ext.size() < 2 || ext.size() > 8) return "";
    for (char& c : ext.substr(1)) {
        if (!std::isalnum(static_cast<unsigned char>(c))) return "";
    }
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext;
}

std::string fallback_title(const Document& doc, const ConvertResult& result) {
    if (!doc.title.empty()) return doc.title;
    if (!result.title.empty()) return result.title;
    return fs::path(doc.original_name).stem().string();
}

/// Publishes a converted document: previews into pages/, then (under `commit_mutex`, so that of two
/// near-copies converted at the same time the one committed second is the copy) the near-duplicate
/// look-up and the database commit. A document refused as a near-duplicate is not committed: its
/// previews are removed again and NearDuplicateError thrown. Returns what was recorded.
NearDuplicateRecord publish_document(Library& library, const Job& job, const Document& doc, const ConvertResult& result,
                                     const std::vector<Page>& pages, const fs::path& staged_dir,
                                     const NearDuplicatePolicy& policy, std::mutex& commit_mutex) {
    Repository& repo = library.repository();
    auto signature = sign_pages(pages);  // before taking the lock: the CPU work
    library.blobs().publish_pages(staged_dir, doc.sha256);
    NearDuplicateRecord record;
    {
        std::lock_guard commit(commit_mutex);
        record = find_near_duplicate(repo, policy, doc.id, std::move(signature));
        if (!record.of || policy.action != NearDuplicateAction::refuse) {
            repo.complete_job(job, result.format, fallback_title(doc, result), pages, record);
            return record;
        }
    }
    // Previews first: a crash before the failure is recorded leaves the job to be redone, never
    // previews of a failed document.
    library.blobs().remove_pages(doc.sha256);
    const auto original = repo.find_document(*record.of);
    const std::string title = !original ? "" : original->title.empty() ? original->original_name : original->title;
    throw NearDuplicateError(*record.of, title, search::similarity_percent(record.similarity));
}

ConversionOutcome convert_job(Library& library, WorkerProcess& worker, const Job& job,
                              const NearDuplicatePolicy& near_duplicate_policy, std::mutex& commit_mutex) {
    const auto started = std::chrono::steady_clock::now();
    ConversionOutcome outcome;
    Repository& repo = library.repository();
    const auto doc = repo.find_document(job.document_id);
    if (!doc) throw NotFoundError("document №" + std::to_string(job.document_id) + " vanished from the queue");

    // The job folder lies in the worker's scratch folder, the only place a sandboxed worker can
    // write; the worker reads a copy of the original, never the stored blob.
    const fs::path job_dir = worker.options().scratch_dir / ("job-" + std::to_string(job.id));
    std::error_code cleanup;
    fs::remove_all(job_dir, cleanup);
    const fs::path out_dir = job_dir / "out";
    fs::create_directories(out_dir);
    const fs::path input = job_dir / ("original" + safe_extension(doc->original_name));
    fs::copy_file(library.blobs().original_path(doc->sha256), input);
    const Settings& s = library.settings();
    ConvertRequest request;
    request.input_path = input.string();
    request.output_dir = out_dir.string();
    request.original_name = doc->original_name;
    request.preview_width = static_cast<int>(s.get_int("preview.width"));
    request.thumb_width = static_cast<int>(s.get_int("preview.thumb_width"));
    request.webp_quality = static_cast<int>(s.get_int("preview.webp_quality"));
    request.max_pages = static_cast<int>(s.get_int("convert.max_pages"));
    request.max_pixels = s.get_int("convert.max_page_pixels");
    request.watermark = s.get("preview.watermark");
    request.watermark_opacity = static_cast<int>(s.get_int("preview.watermark_opacity"));
    request.ocr = s.get_int("convert.ocr") != 0;
    request.ocr_languages = s.get("convert.ocr_languages");
    request.ocr_page_seconds = static_cast<int>(s.get_int("convert.ocr_page_seconds"));
    request.ocr_document_seconds = static_cast<double>(s.get_int("convert.ocr_document_seconds"));
    request.ocr_max_pixels = s.get_int("convert.ocr_max_pixels");

    ConvertResult result = worker.convert(request);
    for (const auto& warning : result.warnings) spdlog::debug("№{} {}: {}", doc->id, doc->original_name, warning);
    try {
        if (!result.ok) throw InputError(result.error_code, result.error);
        auto pages = accept_worker_output(result, out_dir, job_dir / "publish", doc->id, request.max_pages);
        const NearDuplicateRecord near_duplicate = publish_document(library, job, *doc, result, pages, job_dir / "publish",
                                                                    near_duplicate_policy, commit_mutex);
        if (near_duplicate.of) {
            spdlog::info("№{} looks like a copy of №{} ({}% the same)", doc->id, *near_duplicate.of,
                         search::similarity_percent(near_duplicate.similarity));
        }
        outcome.ok = true;
        outcome.pages = std::move(pages);
    } catch (const InputError& e) {
        outcome.error = e.code() + ": " + e.what();
        repo.fail_job(job, outcome.error);
    }
    std::error_code ec;
    fs::remove_all(job_dir, ec);
    outcome.document = *repo.find_document(doc->id);
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return outcome;
}

}  // namespace

ConversionRunner::ConversionRunner(Library& library, int jobs, Listener on_done)
    : library_(library),
      on_done_(std::move(on_done)),
      near_duplicate_policy_(NearDuplicatePolicy::from_settings(library.settings())) {
    // This process holds the queue lock: whatever is running or staged belongs to one that died.
    library_.repository().requeue_abandoned_jobs();
    library_.blobs().remove_stray_temp_files();
    clear_worker_jobs(library_.data_dir());
    search::reconcile_index(library_.repository(), library_.index_dir());
    index_ = std::make_unique<search::IndexWriter>(library_.index_dir());
    last_commit_ = std::chrono::steady_clock::now();
    for (int i = 0; i < jobs; ++i) {
        WorkerOptions options = WorkerOptions::from_settings(library_.settings());  // throws here, not in a thread
        options.scratch_dir = worker_scratch_dir(library_.data_dir(), i);
        options.hidden_dir = library_.data_dir();
        threads_.emplace_back([this, options] { run_thread(options); });
    }
}

ConversionRunner::~ConversionRunner() { finish(); }

void ConversionRunner::wake() {
    // Taking the mutex orders this after a waiter's failed claim: it is then waiting, and wakes.
    { std::lock_guard lock(mutex_); }
    wake_.notify_all();
}

void ConversionRunner::finish() {
    {
        std::lock_guard lock(mutex_);
        finishing_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) {
        if (t.joinable()) t.join();
    }
    threads_.clear();
    std::lock_guard lock(index_mutex_);
    if (index_) {
        commit_index();
        index_.reset();
    }
}

void ConversionRunner::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    finish();
}

void ConversionRunner::index(const Document& doc, const std::vector<Page>& pages) {
    std::lock_guard lock(index_mutex_);
    if (!index_) return;
    auto& repo = library_.repository();
    const auto chain = doc.category_id ? repo.category_chain(*doc.category_id) : std::vector<Category>{};
    index_->add(doc, pages, chain);
    ++indexed_;
    ++uncommitted_;
    if (uncommitted_ >= 200 || std::chrono::steady_clock::now() - last_commit_ > std::chrono::seconds(2)) commit_index();
}

void ConversionRunner::commit_index() {
    if (uncommitted_ == 0) return;
    index_->commit();
    uncommitted_ = 0;
    last_commit_ = std::chrono::steady_clock::now();
}

fs::path worker_scratch_dir(const fs::path& data_dir, int index) {
    return data_dir / "workers" / ("w" + std::to_string(index));
}

int clear_worker_jobs(const fs::path& data_dir) {
    int removed = 0;
    std::error_code ec;
    for (const auto& worker : fs::directory_iterator(data_dir / "workers", ec)) {
        for (const auto& entry : fs::directory_iterator(worker.path(), ec)) {
            if (entry.path().filename().string().starts_with("job-")) {
                fs::remove_all(entry.path(), ec);
                ++removed;
            }
        }
    }
    return removed;
}

void ConversionRunner::run_thread(const WorkerOptions& options) {
    WorkerProcess worker(options);
    for (;;) {
        std::optional<Job> job;
        {
            std::unique_lock lock(mutex_);
            if (stopping_) return;
            job = library_.repository().claim_job();
            if (!job) {
                {
                    // Idle: what was indexed since the last commit becomes visible now, not with
                    // the next document (a server may wait long for one).
                    std::lock_guard index_lock(index_mutex_);
                    if (index_) commit_index();
                }
                // Finished only when no other thread is mid-job (it cannot add jobs, but the
                // enqueuing side may still be adding while a job runs).
                if (finishing_ && busy_ == 0) {
                    peak_rss_kb_ = std::max(peak_rss_kb_, worker.peak_rss_kb());
                    return;
                }
                wake_.wait_for(lock, std::chrono::milliseconds(200));
                continue;
            }
            ++busy_;
        }
        ConversionOutcome outcome;
        try {
            outcome = convert_job(library_, worker, *job, near_duplicate_policy_, commit_mutex_);
        } catch (const std::exception& e) {
            spdlog::error("conversion of document №{} failed: {}", job->document_id, e.what());
            outcome.error = std::string("crashed: ") + e.what();
            try {
                library_.repository().fail_job(*job, outcome.error);
                if (auto d = library_.repository().find_document(job->document_id)) outcome.document = *d;
            } catch (const std::exception& e2) {
                spdlog::error("cannot record the failure of document №{}: {}", job->document_id, e2.what());
            }
        }
        if (outcome.ok) {
            try {
                index(outcome.document, outcome.pages);
            } catch (const std::exception& e) {
                // The document is stored; the index catches up when the next runner reconciles.
                spdlog::error("search index: cannot add document №{}: {}", outcome.document.id, e.what());
            }
        }
        {
            std::lock_guard lock(mutex_);
            --busy_;
        }
        wake_.notify_all();
        if (on_done_) on_done_(outcome);
    }
}

}  // namespace wenku
