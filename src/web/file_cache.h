#pragma once
// Files served from memory: page previews and the site's static files, read once and then sent
// from one shared buffer (no copy per request, no file system call), least recently used out
// first when the cache is full. Only for files that never change under their name: previews are
// content-addressed (pages/ab/<sha256>/) and static files change only with the program.
#include <cstdint>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace wenku::web {

struct CachedFile {
    std::shared_ptr<const std::string> bytes;
    std::string etag;  // a strong validator: a hash of the bytes, quoted
};

class FileCache {
public:
    explicit FileCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}
    /// The file, or null when it cannot be read. Files larger than a quarter of the cache are read
    /// every time and not kept.
    std::shared_ptr<const CachedFile> get(const std::filesystem::path& path);
    std::size_t size_bytes() const;

private:
    using Lru = std::list<std::string>;
    struct Slot {
        std::shared_ptr<const CachedFile> file;
        Lru::iterator position;
    };
    std::size_t max_bytes_;
    std::size_t used_ = 0;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Slot> slots_;
    Lru lru_;  // most recent first
};

/// A quoted hash of `bytes` for an ETag.
std::string etag_of(std::string_view bytes);

}  // namespace wenku::web
