#pragma once
// The library on disk: one data folder holding wenku.db (metadata), blobs/ (originals), pages/
// (previews), index/ (the full-text index), workers/ (the converter workers' scratch folders) and
// wenku.conf (settings).
// Everything above the stores opens it through this class.
#include <filesystem>
#include <memory>

#include "blob/blob_store.h"
#include "core/config.h"
#include "core/settings.h"
#include "store/repository.h"

namespace wenku {

class Library {
  public:
    /// Opens (creating if needed) the library in `data_dir`. Throws EnvironmentError, or UsageError
    /// for a malformed setting (every setting is validated here, once).
    explicit Library(const std::filesystem::path& data_dir);
    Library(const std::filesystem::path& data_dir, Settings settings);

    Repository& repository() { return *repository_; }
    BlobStore& blobs() { return blobs_; }
    const Settings& settings() const { return settings_; }
    /// The settings as typed, validated groups.
    const Config& config() const { return config_; }
    const std::filesystem::path& data_dir() const { return data_dir_; }
    /// The full-text index (derived from the database; search/search_index.h).
    std::filesystem::path index_dir() const { return data_dir_ / "index"; }

  private:
    std::filesystem::path data_dir_;
    Settings settings_;
    Config config_;
    BlobStore blobs_;
    std::unique_ptr<Repository> repository_;
};

/// Only one process converts a library's queue at a time (it also requeues jobs abandoned by a
/// process that died). Holding this lock makes the holder that process. The lock is an flock on
/// DATA/queue.lock, released when the object dies or the process ends however it ends.
class QueueLock {
  public:
    /// Takes the lock; with `wait` false returns without it when another process holds it.
    QueueLock(const std::filesystem::path& data_dir, bool wait);
    ~QueueLock();
    QueueLock(const QueueLock&) = delete;
    QueueLock& operator=(const QueueLock&) = delete;
    bool held() const { return fd_ >= 0 && held_; }

  private:
    int fd_ = -1;
    bool held_ = false;
};

}  // namespace wenku
