#pragma once
// A whole file mapped read-only, for the parsers that inspect containers in place.
#include <cstddef>
#include <filesystem>
#include <string_view>

namespace wenku::worker {

/// A read-only view of a whole file: mapped, or empty for a 0-byte file.
class MappedFile {
  public:
    /// Throws EnvironmentError naming the file when it cannot be opened, read or mapped.
    explicit MappedFile(const std::filesystem::path& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    std::string_view bytes() const { return {data_, size_}; }

  private:
    const char* data_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace wenku::worker
