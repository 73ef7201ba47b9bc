#pragma once
// Backing a library up while it serves, and restoring it (`wenku backup`, `wenku restore`).
//
// A backup folder looks like a data folder: wenku.db (a consistent snapshot of the database),
// blobs/ and pages/ (the originals and previews that snapshot refers to, and nothing else),
// wenku.conf (the settings), and manifest.json (what the snapshot held: every document's id, hash,
// status, pages and counts). The database is copied first; then the files its documents refer to.
// Files are content-addressed, so a second backup into the same folder copies only what is new or
// changed (by size and modification time), and removes what the new snapshot no longer refers to.
// The search index is not backed up: it is derived from the database, and restore rebuilds it.
#include <cstdint>
#include <filesystem>
#include <vector>

#include "ingest/library.h"

namespace wenku::cli {

/// What a backup or a restore did, for its summary.
struct CopySummary {
    std::int64_t documents = 0;      // in the snapshot (after any left out)
    std::int64_t files_copied = 0;   // originals, previews, settings and the database
    std::int64_t files_present = 0;  // already there from an earlier backup, not copied again
    std::int64_t bytes_copied = 0;
    std::int64_t removed =
        0;  // originals and preview folders an earlier backup there held, no longer referred to
    std::vector<std::int64_t> left_out;  // documents removed from the library while the backup ran
};

/// Backs `library` up into `dest` (created if missing) while other processes keep using it. The
/// database snapshot comes first; every original and preview it refers to is then copied (the
/// unchanged ones of an earlier backup there are kept). A document whose files were removed after
/// the snapshot (`wenku rm` meanwhile) is left out of the backup's database, so the backup refers
/// only to files it holds. The new database replaces the old one only after every file is on disk
/// (one syncfs), so an interrupted backup leaves the earlier one usable. Throws EnvironmentError
/// when the database or a file cannot be read or written, or another backup is writing into
/// `dest`.
CopySummary back_up(Library& library, const std::filesystem::path& dest);

/// Copies the backup in `backup` into `data_dir`, which must be missing or an empty folder
/// (UsageError otherwise, and when `backup` holds no backup): the database, the settings, and every
/// original and preview the database refers to. It neither rebuilds the search index nor converts
/// what was queued at the backup: the caller opens the library for that. Throws EnvironmentError
/// when the backup lacks a file its database refers to, or a file cannot be read or written.
CopySummary restore(const std::filesystem::path& backup, const std::filesystem::path& data_dir);

}  // namespace wenku::cli
