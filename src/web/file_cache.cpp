#include "web/file_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "web/cache.h"

namespace wenku::web {

std::string etag_of(std::string_view bytes) {
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a, 64 bits: a validator, not a secret
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return fmt::format("\"{:016x}\"", h);
}

std::shared_ptr<const OpenFile> OpenFile::open(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return nullptr;
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return nullptr;
    }
    const std::string identity = fmt::format("{}:{}:{}:{}.{}", st.st_dev, st.st_ino, st.st_size,
                                             st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    return std::shared_ptr<const OpenFile>(
        new OpenFile(fd, static_cast<std::uint64_t>(st.st_size), etag_of(identity)));
}

OpenFile::~OpenFile() { ::close(fd_); }

std::shared_ptr<const OpenFile> FileCache::get(const std::filesystem::path& path) {
    const std::string key = path.string();
    {
        std::lock_guard lock(mutex_);
        if (auto it = slots_.find(key); it != slots_.end()) {
            lru_.splice(lru_.begin(), lru_, it->second.position);
            return it->second.file;
        }
    }
    MemoryOnly::forbid_work();
    auto file = OpenFile::open(path);
    if (!file) return nullptr;
    std::lock_guard lock(mutex_);
    if (auto it = slots_.find(key); it != slots_.end()) return it->second.file;  // another thread was quicker
    while (slots_.size() >= max_open_ && !lru_.empty()) {
        slots_.erase(lru_.back());  // closed when no response sends it any more
        lru_.pop_back();
    }
    lru_.push_front(key);
    slots_.emplace(key, Slot{file, lru_.begin()});
    return file;
}

std::size_t FileCache::open_count() const {
    std::lock_guard lock(mutex_);
    return slots_.size();
}

}  // namespace wenku::web
