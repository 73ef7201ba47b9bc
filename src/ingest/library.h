#pragma once
// The library on disk: one data folder holding wenku.db (metadata), blobs/ (originals), pages/
// (previews), index/ (the full-text index), workers/ (the converter workers' scratch folders) and
// wenku.conf (settings).
// Everything above the stores opens it through this class.
#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "blob/blob_store.h"
#include "core/config.h"
#include "core/settings.h"
#include "ingest/storage.h"
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
    /// The free space of the data folder's file system against storage.min_free_mb.
    StorageMonitor& storage() { return storage_; }

    /// Whether an upload of `bytes` (as declared by its Content-Length before the body is read, or
    /// as received) from client `address` may be stored now: none, or why not — the address's
    /// daily quota ("quota_exceeded"), the free space that would be left below
    /// storage.min_free_mb ("insufficient_storage"), the originals' total over
    /// storage.max_library_mb ("library_full"). Counts nothing. Throws EnvironmentError only when
    /// the database cannot say how much is stored.
    std::optional<StorageRefusal> upload_refusal(const std::string& address, std::uint64_t bytes);
    /// Counts an upload of `bytes` from `address` that was stored, against its daily quota.
    void count_upload(const std::string& address, std::uint64_t bytes);
    /// The upload quota; tests ask it with a clock of their own.
    UploadQuota& upload_quota() { return quota_; }

    /// Held while an original with this SHA-256 is stored and its document committed, or its
    /// document and original removed: neither removes an original the other is about to use.
    std::mutex& original_mutex(const std::string& sha256);

  private:
    std::filesystem::path data_dir_;
    Settings settings_;
    Config config_;
    BlobStore blobs_;
    std::unique_ptr<Repository> repository_;
    StorageMonitor storage_;
    UploadQuota quota_;
    std::array<std::mutex, 64> original_mutexes_;
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
