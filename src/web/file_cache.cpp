#include "web/file_cache.h"

#include <fstream>

#include <fmt/format.h>

namespace wenku::web {

std::string etag_of(std::string_view bytes) {
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a, 64 bits: a validator, not a secret
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return fmt::format("\"{:016x}\"", h);
}

std::shared_ptr<const CachedFile> FileCache::get(const std::filesystem::path& path) {
    const std::string key = path.string();
    {
        std::lock_guard lock(mutex_);
        if (auto it = slots_.find(key); it != slots_.end()) {
            lru_.splice(lru_.begin(), lru_, it->second.position);
            return it->second.file;
        }
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return nullptr;
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return nullptr;
    auto file = std::make_shared<CachedFile>();
    file->etag = etag_of(bytes);
    file->bytes = std::make_shared<const std::string>(std::move(bytes));
    const std::size_t size = file->bytes->size();
    if (size > max_bytes_ / 4) return file;
    std::lock_guard lock(mutex_);
    if (auto it = slots_.find(key); it != slots_.end()) return it->second.file;  // another thread was quicker
    while (used_ + size > max_bytes_ && !lru_.empty()) {
        auto victim = slots_.find(lru_.back());
        used_ -= victim->second.file->bytes->size();
        slots_.erase(victim);
        lru_.pop_back();
    }
    lru_.push_front(key);
    slots_.emplace(key, Slot{file, lru_.begin()});
    used_ += size;
    return file;
}

std::size_t FileCache::size_bytes() const {
    std::lock_guard lock(mutex_);
    return used_;
}

}  // namespace wenku::web
