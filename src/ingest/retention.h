#pragma once
// Failed documents do not stay forever: ingest.failed_retention_days after a document failed to
// convert (the uploader sees its error meanwhile), it is removed together with its original and
// anything else stored for it. The converting process does it every few minutes
// (ConversionRunner), `wenku verify --repair` whenever it runs.
#include <cstdint>

#include "ingest/library.h"

namespace wenku {

/// Removes every document that failed more than ingest.failed_retention_days before `now`
/// (seconds since 1970, UTC), its rows first, then its original and any previews folder, unless
/// another document owns the same original. Does nothing when the retention is 0 (forever).
/// Returns how many documents were removed. Throws EnvironmentError when the database or the disk
/// fails; the documents removed before stay removed, and an original left behind by a failure is
/// removed by `wenku verify --repair`.
int remove_expired_failures(Library& library, std::int64_t now);

}  // namespace wenku
