#pragma once
// A strict reader of OLE compound files ([MS-CFB]) held in memory (private to container.cpp):
// header, DIFAT, FAT, mini FAT and the directory, with every sector number checked against the
// file and every chain checked for cycles. Untrusted input (fuzzed): memory is bounded by a small
// multiple of the file size, work by the number of sectors.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wenku::worker::ole {

/// One directory entry ([MS-CFB] 2.6).
struct DirectoryEntry {
    enum class Type : std::uint8_t { unused = 0, storage = 1, stream = 2, root = 5 };
    std::string name;  // UTF-8 (converted from UTF-16LE; unpaired surrogates become U+FFFD)
    Type type = Type::unused;
    std::uint32_t left = 0;
    std::uint32_t right = 0;
    std::uint32_t child = 0;
    std::uint32_t start_sector = 0;
    std::uint64_t size = 0;
};

class CompoundFile {
  public:
    /// Parses the header, the FAT (through the DIFAT), the mini FAT and the directory of `bytes`,
    /// which must outlive the object. Throws InputError `corrupt`, naming `display_name` and what
    /// is wrong (truncated, a sector beyond the end, a cyclic chain or directory tree, ...).
    CompoundFile(std::string_view bytes, std::string display_name);

    /// The streams and storages directly inside the root storage, in directory order.
    const std::vector<const DirectoryEntry*>& root_children() const { return root_children_; }

    /// The root storage's direct child named `name` (compared case-insensitively, as CFB does),
    /// or nullptr.
    const DirectoryEntry* find(std::string_view name) const;

    /// The first `max_bytes` (or all, when shorter) bytes of a stream, read through its FAT or mini
    /// FAT chain. Throws InputError `corrupt` when the chain is broken or ends early.
    std::string read_stream(const DirectoryEntry& stream, std::size_t max_bytes) const;

    /// Checks that every stream of the root storage is whole (its chain covers its declared size
    /// within the file) and that no two share a sector. Work is linear in the file's sectors, however
    /// many streams there are. Throws InputError `corrupt` (a truncated file, a broken or shared chain).
    void check_root_streams() const;

  private:
    [[noreturn]] void fail_corrupt(const std::string& what) const;
    /// Calls `take(piece)` for the successive pieces of the first `want` bytes of `stream`.
    template <typename Take>
    void visit_stream(const DirectoryEntry& stream, std::uint64_t want, Take take) const;
    std::string_view sector(std::uint32_t index) const;
    /// The sectors of the chain from `start` through `table`, at most `max_length` of them.
    /// Throws `corrupt` when it runs to a sector at or beyond `limit_count`, to a special value
    /// other than end-of-chain, or is longer than `limit_count` sectors (a cycle).
    /// With `claimed`, every sector is marked there, and one already marked is `corrupt` (shared).
    std::vector<std::uint32_t> chain(std::uint32_t start, const std::vector<std::uint32_t>& table,
                                     std::uint64_t limit_count, std::uint64_t max_length,
                                     const std::string& what, std::vector<bool>* claimed = nullptr) const;
    void read_header_and_fat();
    void read_directory();
    void read_mini_fat();

    std::string_view bytes_;
    std::string display_name_;
    std::uint32_t sector_shift_ = 9;
    std::uint64_t sector_size_ = 512;
    std::uint64_t sector_count_ = 0;  // sectors that start inside the file
    std::uint64_t mini_cutoff_ = 4096;
    std::uint32_t first_directory_sector_ = 0;
    std::uint32_t first_mini_fat_sector_ = 0;
    std::uint32_t mini_fat_sector_count_ = 0;
    std::vector<std::uint32_t> fat_;
    std::vector<std::uint32_t> mini_fat_;
    std::vector<std::uint32_t> mini_stream_sectors_;  // the root entry's chain
    std::vector<DirectoryEntry> directory_;
    std::vector<const DirectoryEntry*> root_children_;
};

}  // namespace wenku::worker::ole
