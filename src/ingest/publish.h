#pragma once
// Converting one queued document and publishing the result: the worker converts a copy of the
// original; the trusted side accepts only the files it asked for, moves the previews durably into
// pages/, and commits pages, text and status in one transaction. A crash at any moment leaves
// either no trace of the document's pages in the database or all of them.
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "core/conversion.h"
#include "core/document.h"
#include "ingest/library.h"
#include "ingest/near_duplicate_check.h"
#include "ingest/worker_process.h"
#include "store/repository.h"

namespace wenku {

/// What became of one queued document.
struct ConversionOutcome {
    Document document;        // as stored after the conversion
    std::vector<Page> pages;  // ... and its pages, when ok
    bool ok = false;
    std::string error;  // "code: message" when !ok
    double seconds = 0;
};

/// What converting and publishing a document takes from the settings (read once, by
/// ConversionOptions::from).
struct PublishOptions {
    /// The settings' part of every request to the worker: preview sizes and quality, the page and
    /// pixel limits, the watermark, OCR. Paths and the original's name are filled in per job.
    ConvertRequest request;
    /// Page text kept per page; longer text is cut (ingest.max_page_text_kb).
    std::size_t max_page_text_bytes = 1 << 20;
    NearDuplicatePolicy near_duplicate;
};

/// Converts the document of `job` (claimed by the caller) with `worker` in a job folder inside the
/// worker's scratch folder, and publishes it: previews into pages/, then, holding `commit_mutex`
/// (so that of two near-copies converted at the same time the one committed second is the copy),
/// the near-duplicate look-up and the commit that marks it ready. The job folder is removed after.
/// A refusal (the worker's error, pages out of order or over convert.max_pages, a near-duplicate
/// refused by the policy) is recorded with fail_job and returned as an outcome that is not ok.
/// Throws NotFoundError when the document vanished, EnvironmentError (or a filesystem error) when
/// the disk, the database or every attempt to start a worker fails: the job is then still running
/// for the caller to fail or requeue. StorageFullError (or a filesystem error with ENOSPC) says the
/// disk or the database is full — also when the worker failed while the disk was below
/// storage.min_free_mb — and is never the document's fault. The job folder is removed however it
/// ends, and previews published without their commit are removed again.
ConversionOutcome convert_job(Library& library, WorkerProcess& worker, const Job& job,
                              const PublishOptions& options, std::mutex& commit_mutex);

}  // namespace wenku
