#pragma once
// How much of its disk the library may take, and how much of it one client may take in a day:
// the free space of the data folder's file system against storage.min_free_mb (StorageMonitor),
// and each client address's uploads per UTC day against storage.address_* (UploadQuota).
// Library::upload_refusal (ingest/library.h) joins them with storage.max_library_mb into the one
// answer an upload gets before its body is read and again after; the converter asks the monitor
// before it claims a job, so no conversion starts on a full disk.
#include <cstdint>
#include <exception>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "core/config.h"
#include "core/errors.h"
#include "store/repository.h"

namespace wenku {

struct DiskSpace {
    std::uint64_t free_bytes = 0;   // available to an unprivileged process
    std::uint64_t total_bytes = 0;  // the file system's size
};

/// The space of the file system holding `dir` (statvfs). Throws EnvironmentError (naming the
/// folder: for the log) when it cannot be measured.
DiskSpace disk_space(const std::filesystem::path& dir);

/// Watches the free space of the data folder's file system against a floor. Logs a warning when
/// the space drops below the floor and a note when it is back. Thread-safe.
class StorageMonitor {
  public:
    StorageMonitor(std::filesystem::path dir, std::uint64_t min_free_bytes);

    /// Measures now. When the file system cannot be measured, the failure is logged and the space
    /// counts as none (nothing is stored on a disk that cannot answer).
    DiskSpace measure();
    /// Whether the free space is below the floor now (measures).
    bool low() { return measure().free_bytes < min_free_bytes_; }
    /// The result of the last measurement, without measuring.
    bool was_low() const;
    std::uint64_t min_free_bytes() const { return min_free_bytes_; }

  private:
    std::filesystem::path dir_;
    std::uint64_t min_free_bytes_;
    mutable std::mutex mutex_;
    bool low_ = false;
};

/// Uploads per client address and UTC day, against storage.address_mb_per_day and
/// storage.address_documents_per_day, counted in the repository: a restart forgets nothing, and
/// every server of a library counts alike. Only today's counts are kept.
class UploadQuota {
  public:
    UploadQuota(const StorageConfig& config, Repository& repository);

    /// The refusal ("quota_exceeded", with the seconds until the next UTC day) for an upload of
    /// `bytes` from `address` at `now` (seconds since 1970), or none. Counts nothing. Errors of
    /// the repository propagate.
    std::optional<StorageRefusal> check(const std::string& address, std::uint64_t bytes,
                                        std::int64_t now) const;
    /// Counts an accepted upload of `bytes` from `address` at `now`.
    void record(const std::string& address, std::uint64_t bytes, std::int64_t now);

  private:
    std::uint64_t max_bytes_;
    std::int64_t max_documents_;
    Repository& repository_;
};

/// Seconds since 1970, UTC.
std::int64_t unix_seconds_now();

}  // namespace wenku
