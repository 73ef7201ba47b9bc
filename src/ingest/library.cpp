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
      repository_(open_sqlite_repository((data_dir_ / "wenku.db").string())) {}

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
