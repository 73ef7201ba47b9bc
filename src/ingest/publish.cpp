#include "ingest/publish.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "core/errors.h"
#include "search/near_duplicate.h"

namespace wenku {
namespace fs = std::filesystem;

namespace {

/// The worker is not trusted: accepts only the files we asked for, as regular files inside its
/// output folder, and moves them into a fresh folder that is then published. Returns the pages,
/// their text cut to `max_page_text_bytes`. Throws InputError for no pages, more than `max_pages`,
/// pages out of order or a file missing.
std::vector<Page> accept_worker_output(const ConvertResult& result, const fs::path& out_dir,
                                       const fs::path& publish_dir, std::int64_t document_id, int max_pages,
                                       std::size_t max_page_text_bytes);

/// Publishes a converted document: previews into pages/, then (under `commit_mutex`) the
/// near-duplicate look-up and the database commit. A document refused as a near-duplicate is not
/// committed: its previews are removed again and NearDuplicateError thrown. Returns what was
/// recorded.
NearDuplicateRecord publish_document(Library& library, const Job& job, const Document& doc,
                                     const ConvertResult& result, const std::vector<Page>& pages,
                                     const fs::path& staged_dir, const NearDuplicatePolicy& policy,
                                     std::mutex& commit_mutex);

/// Removes a job folder when it goes out of scope, whatever happened; a failure is logged (the next
/// runner clears what is left).
class JobFolder {
  public:
    explicit JobFolder(fs::path dir) : dir_(std::move(dir)) {}
    ~JobFolder() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
        if (ec) spdlog::warn("cannot remove the job folder {}: {}", dir_.string(), ec.message());
    }
    JobFolder(const JobFolder&) = delete;
    JobFolder& operator=(const JobFolder&) = delete;

  private:
    fs::path dir_;
};

/// `text` with every mention of `folder` and the separator after it removed.
std::string without_folder(std::string text, const fs::path& folder);

/// Whether a worker's error message says a write failed for lack of space.
bool mentions_full_disk(const std::string& error);

/// Removes a document's published previews; a failure is logged (`wenku verify --repair` removes
/// previews no ready document owns).
void remove_pages_quietly(Library& library, const std::string& sha256);

/// The original's extension, lower-case, when it is a plain short one (".docx"); else empty.
/// Converters may use it as a hint; the type is always detected from the content.
std::string safe_extension(const std::string& name);

/// The title to record: the document's own, else the converter's, else the file name's stem.
std::string fallback_title(const Document& doc, const ConvertResult& result);

}  // namespace

ConversionOutcome convert_job(Library& library, WorkerProcess& worker, const Job& job,
                              const PublishOptions& options, std::mutex& commit_mutex) {
    const auto started = std::chrono::steady_clock::now();
    ConversionOutcome outcome;
    Repository& repo = library.repository();
    const auto doc = repo.find_document(job.document_id);
    if (!doc) {
        throw NotFoundError("document №" + std::to_string(job.document_id) + " vanished from the queue");
    }

    // The job folder lies in the worker's scratch folder, the only place a sandboxed worker can
    // write; the worker reads a copy of the original, never the stored blob.
    const fs::path job_dir = worker.options().scratch_dir / ("job-" + std::to_string(job.id));
    std::error_code cleanup;
    fs::remove_all(job_dir, cleanup);
    const JobFolder job_folder(job_dir);  // removed however this ends
    const fs::path out_dir = job_dir / "out";
    fs::create_directories(out_dir);
    const fs::path input = job_dir / ("original" + safe_extension(doc->original_name));
    fs::copy_file(library.blobs().original_path(doc->sha256), input);
    ConvertRequest request = options.request;
    request.input_path = input.string();
    request.output_dir = out_dir.string();
    request.original_name = doc->original_name;

    ConvertResult result = worker.convert(request);
    for (const auto& warning : result.warnings) {
        spdlog::debug("№{} {}: {}", doc->id, doc->original_name, warning);
    }
    // The error is shown to the uploader: the converter's files are named without their folder.
    result.error = without_folder(result.error, job_dir);
    if (!result.ok && (mentions_full_disk(result.error) || library.storage().low())) {
        // Measured before the job folder goes: the worker may have filled the disk itself. Not the
        // document's fault: the caller puts it back in the queue.
        throw StorageFullError("the disk filled up while converting document №" + std::to_string(doc->id) +
                               " (" + result.error_code + ": " + result.error + ")");
    }
    try {
        if (!result.ok) throw InputError(result.error_code, result.error);
        auto pages = accept_worker_output(result, out_dir, job_dir / "publish", doc->id, request.max_pages,
                                          options.max_page_text_bytes);
        const NearDuplicateRecord near_duplicate = publish_document(
            library, job, *doc, result, pages, job_dir / "publish", options.near_duplicate, commit_mutex);
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
    outcome.document = *repo.find_document(doc->id);
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return outcome;
}

namespace {

std::vector<Page> accept_worker_output(const ConvertResult& result, const fs::path& out_dir,
                                       const fs::path& publish_dir, std::int64_t document_id, int max_pages,
                                       std::size_t max_page_text_bytes) {
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
        pages.push_back(Page{
            document_id, number, p.width_px, p.height_px,
            p.text.size() > max_page_text_bytes ? p.text.substr(0, max_page_text_bytes) : p.text, p.ocr});
    }
    take(cover_file_name);
    return pages;
}

NearDuplicateRecord publish_document(Library& library, const Job& job, const Document& doc,
                                     const ConvertResult& result, const std::vector<Page>& pages,
                                     const fs::path& staged_dir, const NearDuplicatePolicy& policy,
                                     std::mutex& commit_mutex) {
    Repository& repo = library.repository();
    auto signature = sign_pages(pages);  // before taking the lock: the CPU work
    library.blobs().publish_pages(staged_dir, doc.sha256);
    NearDuplicateRecord record;
    {
        std::lock_guard commit(commit_mutex);
        try {
            record = find_near_duplicate(repo, policy, doc.id, std::move(signature));
            if (!record.of || policy.action != NearDuplicateAction::refuse) {
                repo.complete_job(job, result.format, fallback_title(doc, result), pages, record);
                return record;
            }
        } catch (const std::exception&) {
            // Not committed (a full disk, a failing database): no previews without their document.
            remove_pages_quietly(library, doc.sha256);
            throw;
        }
    }
    // Previews first: a crash before the failure is recorded leaves the job to be redone, never
    // previews of a failed document.
    library.blobs().remove_pages(doc.sha256);
    const auto original = repo.find_document(*record.of);
    const std::string title = !original                 ? ""
                              : original->title.empty() ? original->original_name
                                                        : original->title;
    throw NearDuplicateError(*record.of, title, search::similarity_percent(record.similarity));
}

std::string without_folder(std::string text, const fs::path& folder) {
    const std::string prefix = folder.string() + "/";
    for (auto at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at)) {
        text.erase(at, prefix.size());
    }
    return text;
}

bool mentions_full_disk(const std::string& error) {
    return error.find("No space left on device") != std::string::npos ||
           error.find("Disk quota exceeded") != std::string::npos;
}

void remove_pages_quietly(Library& library, const std::string& sha256) {
    try {
        library.blobs().remove_pages(sha256);
    } catch (const std::exception& e) {
        spdlog::warn("cannot remove previews that were not committed: {}", e.what());
    }
}

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

}  // namespace
}  // namespace wenku
