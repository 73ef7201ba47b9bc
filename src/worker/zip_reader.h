#pragma once
// A strict reader of ZIP archives held in memory (private to container.cpp): the central directory
// (ZIP64 included) with every offset and size checked against the bytes, and streamed reading of
// one entry that never produces more than the entry's declared uncompressed size.
// Untrusted input (fuzzed): no allocation beyond a small multiple of the directory's size.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace wenku::worker::zip {

/// General purpose flag bits (APPNOTE.TXT 4.4.4).
inline constexpr std::uint16_t flag_encrypted = 0x0001;
inline constexpr std::uint16_t flag_strong_encryption = 0x0040;
inline constexpr std::uint16_t flag_encrypted_directory = 0x2000;

/// Compression methods this reader inflates.
inline constexpr std::uint16_t method_stored = 0;
inline constexpr std::uint16_t method_deflated = 8;

/// One central directory record, with ZIP64 extra fields already applied.
struct Entry {
    std::string name;  // raw bytes as stored (CP437 or UTF-8), may contain anything, NUL included
    std::uint16_t flags = 0;
    std::uint16_t method = 0;
    std::uint32_t crc32 = 0;
    std::uint64_t compressed_size = 0;
    std::uint64_t uncompressed_size = 0;
    std::uint64_t local_header_offset = 0;

    bool encrypted() const {
        return (flags & (flag_encrypted | flag_strong_encryption | flag_encrypted_directory)) != 0 ||
               method == 99;
    }
};

/// Byte range an entry occupies in the archive: its local header through its compressed data.
struct Extent {
    std::uint64_t begin = 0;
    std::uint64_t end = 0;
};

class Archive {
  public:
    /// Parses the end-of-central-directory record (and ZIP64's), then the central directory of
    /// `bytes`, which must outlive the Archive. Throws InputError with code `corrupt` (naming
    /// `display_name` and what is wrong) when the directory is missing, truncated, inconsistent
    /// or spans several disks, and `too_large` when it declares more than `max_entries` entries
    /// (checked before anything is allocated for them).
    Archive(std::string_view bytes, std::string display_name, std::uint64_t max_entries);

    const std::vector<Entry>& entries() const { return entries_; }

    /// Where `entry` lies, located through its local header. Throws InputError `corrupt` when the
    /// local header is missing or its data would run into the central directory or past the end.
    Extent extent(const Entry& entry) const;

    /// Receives successive pieces of an entry's content; returns false to stop reading.
    using Sink = std::function<bool(std::string_view piece)>;

    /// Streams the uncompressed content of `entry` to `sink` and returns how many bytes it was
    /// given. Never produces more than the declared uncompressed size: data beyond it is damage
    /// (or a lying header) and throws. When read to the end, the CRC-32 is verified. Throws
    /// InputError `corrupt` on an inflate error, truncated data, a size or CRC mismatch, and
    /// `unsupported` for compression methods other than stored and deflate.
    std::uint64_t read(const Entry& entry, const Sink& sink) const;

  private:
    [[noreturn]] void fail_corrupt(const std::string& what) const;
    void parse_directory(std::uint64_t max_entries);
    std::string_view compressed_data(const Entry& entry) const;

    std::string_view bytes_;
    std::string display_name_;
    std::vector<Entry> entries_;
    std::uint64_t directory_offset_ = 0;  // entry data must end before the central directory
};

/// A printable, length-limited form of an entry name for messages (control bytes escaped).
std::string printable_name(std::string_view name);

}  // namespace wenku::worker::zip
