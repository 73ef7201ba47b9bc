#pragma once
// Files the server sends with sendfile(2): page previews, covers, originals and the site's static
// files. Previews, covers and static files never change under their name (previews are
// content-addressed: pages/ab/<sha256>/), so their descriptors are kept open and reused, least
// recently used closed first; a request for one costs no open(), stat() or read().
#include <cstdint>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace wenku::web {

/// An open, read-only file. Closed when the last response sending it is done.
class OpenFile {
  public:
    /// Opens `path`; returns null when it cannot be opened or is not a regular file.
    static std::shared_ptr<const OpenFile> open(const std::filesystem::path& path);
    ~OpenFile();
    OpenFile(const OpenFile&) = delete;
    OpenFile& operator=(const OpenFile&) = delete;

    int fd() const { return fd_; }
    std::uint64_t size() const { return size_; }
    /// A strong validator from the file's identity (device, inode, size, modification time).
    const std::string& etag() const { return etag_; }

  private:
    OpenFile(int fd, std::uint64_t size, std::string etag) : fd_(fd), size_(size), etag_(std::move(etag)) {}
    int fd_;
    std::uint64_t size_;
    std::string etag_;
};

class FileCache {
  public:
    explicit FileCache(std::size_t max_open) : max_open_(max_open) {}
    /// The open file, or null when it cannot be opened. Under MemoryOnly (cache.h), NeedsWork
    /// when it is not open already.
    std::shared_ptr<const OpenFile> get(const std::filesystem::path& path);
    std::size_t open_count() const;

  private:
    using Lru = std::list<std::string>;
    struct Slot {
        std::shared_ptr<const OpenFile> file;
        Lru::iterator position;
    };
    std::size_t max_open_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Slot> slots_;
    Lru lru_;  // most recent first
};

/// A quoted hash of `bytes` for an ETag.
std::string etag_of(std::string_view bytes);

}  // namespace wenku::web
