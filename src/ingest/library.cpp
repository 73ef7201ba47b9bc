#include "ingest/library.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/errors.h"

namespace wenku {
namespace fs = std::filesystem;

namespace {
fs::path prepare(const fs::path& data_dir) {
    std::error_code ec;
    fs::create_directories(data_dir, ec);
    if (ec)
        throw EnvironmentError("cannot create the data folder " + data_dir.string() + ": " + ec.message());
    return fs::absolute(data_dir).lexically_normal();
}
}  // namespace

Library::Library(const fs::path& data_dir) : Library(data_dir, Settings::load(prepare(data_dir))) {}

Library::Library(const fs::path& data_dir, Settings settings)
    : data_dir_(prepare(data_dir)),  // absolute: the worker sandbox names it
      settings_(std::move(settings)),
      config_(Config::from(settings_)),
      blobs_(data_dir_),
      repository_(open_sqlite_repository((data_dir_ / "wenku.db").string())),
      storage_(data_dir_, config_.storage.min_free_bytes),
      quota_(config_.storage, *repository_) {}

std::optional<StorageRefusal> Library::upload_refusal(const std::string& address, std::uint64_t bytes) {
    if (auto refusal = quota_.check(address, bytes, unix_seconds_now())) return refusal;
    const DiskSpace space = storage_.measure();
    if (space.free_bytes < storage_.min_free_bytes() + bytes) {
        return StorageRefusal("insufficient_storage",
                              "the library's disk is too full to take this upload; uploads resume when space "
                              "is freed");
    }
    const std::uint64_t max_library = config_.storage.max_library_bytes;
    if (max_library > 0 && static_cast<std::uint64_t>(repository_->stored_bytes()) + bytes > max_library) {
        return StorageRefusal("library_full",
                              "the library holds as much as it may (storage.max_library_mb); uploads are "
                              "closed until documents are removed");
    }
    return std::nullopt;
}

void Library::count_upload(const std::string& address, std::uint64_t bytes) {
    quota_.record(address, bytes, unix_seconds_now());
}

std::mutex& Library::original_mutex(const std::string& sha256) {
    // Stripes by the first two hex digits: uploads of different files rarely wait for each other.
    const std::size_t stripe = sha256.size() >= 2 ? std::stoul(sha256.substr(0, 2), nullptr, 16) : 0;
    return original_mutexes_[stripe % original_mutexes_.size()];
}

QueueLock::QueueLock(const fs::path& data_dir, bool wait) {
    const auto path = data_dir / "queue.lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw EnvironmentError("cannot open " + path.string() + ": " + std::strerror(errno));
    int rc;
    while ((rc = ::flock(fd_, LOCK_EX | (wait ? 0 : LOCK_NB))) != 0 && errno == EINTR) {
    }
    held_ = rc == 0;
    if (!held_ && errno != EWOULDBLOCK) {
        throw EnvironmentError("cannot lock " + path.string() + ": " + std::strerror(errno));
    }
}

QueueLock::~QueueLock() {
    if (fd_ >= 0) ::close(fd_);
}

}  // namespace wenku
