#include "worker/ole_reader.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "core/conversion.h"
#include "core/errors.h"
#include "core/utf8.h"
#include "worker/little_endian.h"

namespace wenku::worker::ole {
namespace {

constexpr std::string_view ole_signature("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
constexpr std::size_t header_size = 512;
constexpr std::size_t header_difat_entries = 109;
constexpr std::size_t directory_entry_size = 128;
constexpr std::uint64_t mini_sector_size = 64;

// Special sector numbers ([MS-CFB] 2.1).
constexpr std::uint32_t max_regular_sector = 0xFFFFFFFA;
constexpr std::uint32_t difat_marker = 0xFFFFFFFC;
constexpr std::uint32_t fat_sector = 0xFFFFFFFD;
constexpr std::uint32_t end_of_chain = 0xFFFFFFFE;
constexpr std::uint32_t free_sector = 0xFFFFFFFF;
constexpr std::uint32_t no_stream = 0xFFFFFFFF;

/// UTF-16LE to UTF-8; unpaired surrogates become U+FFFD.
std::string utf16le_to_utf8(std::string_view bytes) {
    std::string out;
    for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) {
        char32_t unit = le16(bytes, i);
        if (unit >= 0xD800 && unit <= 0xDBFF && i + 3 < bytes.size()) {
            const char32_t low = le16(bytes, i + 2);
            if (low >= 0xDC00 && low <= 0xDFFF) {
                append_utf8(out, 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
                i += 2;
                continue;
            }
        }
        if (unit >= 0xD800 && unit <= 0xDFFF) unit = 0xFFFD;
        append_utf8(out, unit);
    }
    return out;
}

bool iequals_ascii(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               auto fold = [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; };
               return fold(x) == fold(y);
           });
}

std::string count_of_sectors(std::uint64_t n) {
    return std::to_string(n) + (n == 1 ? " sector" : " sectors");
}

std::string sector_name(std::uint32_t s) {
    switch (s) {
        case free_sector:
            return "a free sector";
        case end_of_chain:
            return "the end-of-chain mark";
        case fat_sector:
            return "a FAT sector";
        case difat_marker:
            return "a DIFAT sector";
        default:
            return "sector " + std::to_string(s);
    }
}

}  // namespace

CompoundFile::CompoundFile(std::string_view bytes, std::string display_name)
    : bytes_(bytes), display_name_(std::move(display_name)) {
    read_header_and_fat();
    read_directory();
    read_mini_fat();
}

void CompoundFile::fail_corrupt(const std::string& what) const {
    throw InputError(error_code::corrupt, display_name_ + " is damaged: " + what);
}

std::string_view CompoundFile::sector(std::uint32_t index) const {
    // Sector i follows the header, which occupies one sector's worth of space. The last sector
    // may be short (callers that need whole sectors refuse it).
    const std::uint64_t at = (static_cast<std::uint64_t>(index) + 1) << sector_shift_;
    if (index >= sector_count_ || at >= bytes_.size()) return {};
    return bytes_.substr(at, sector_size_);  // the last sector may be short
}

void CompoundFile::read_header_and_fat() {
    if (bytes_.size() < header_size) {
        fail_corrupt("the file is truncated: " + std::to_string(bytes_.size()) +
                     " bytes, shorter than the 512-byte compound file header");
    }
    if (bytes_.substr(0, ole_signature.size()) != ole_signature)
        fail_corrupt("it has no OLE compound file signature");
    if (le16(bytes_, 28) != 0xFFFE) fail_corrupt("the compound file header has an invalid byte-order mark");
    sector_shift_ = le16(bytes_, 30);
    if (sector_shift_ != 9 && sector_shift_ != 12) {
        fail_corrupt("the compound file header declares an invalid sector size (2^" +
                     std::to_string(sector_shift_) + " bytes)");
    }
    if (le16(bytes_, 32) != 6) fail_corrupt("the compound file header declares an invalid mini sector size");
    sector_size_ = std::uint64_t{1} << sector_shift_;
    if (bytes_.size() < sector_size_) {
        fail_corrupt("the file is truncated: " + std::to_string(bytes_.size()) + " bytes, shorter than its " +
                     std::to_string(sector_size_) + "-byte header sector");
    }
    sector_count_ = (bytes_.size() - sector_size_ + sector_size_ - 1) / sector_size_;
    const std::uint32_t fat_sector_count = le32(bytes_, 44);
    first_directory_sector_ = le32(bytes_, 48);
    mini_cutoff_ = le32(bytes_, 56);
    if (mini_cutoff_ != 4096) fail_corrupt("the compound file header declares an invalid mini stream cutoff");
    first_mini_fat_sector_ = le32(bytes_, 60);
    mini_fat_sector_count_ = le32(bytes_, 64);
    std::uint32_t difat_sector = le32(bytes_, 68);
    const std::uint32_t difat_sector_count = le32(bytes_, 72);

    if (fat_sector_count == 0 || fat_sector_count > sector_count_) {
        fail_corrupt("the header declares " + count_of_sectors(fat_sector_count) +
                     " of FAT, but the file has " + count_of_sectors(sector_count_) +
                     " (it is truncated or damaged)");
    }
    // The FAT's sectors are listed by the header (109 of them) and then by the DIFAT chain.
    std::vector<std::uint32_t> fat_sectors;
    fat_sectors.reserve(fat_sector_count);
    for (std::size_t i = 0; i < header_difat_entries && fat_sectors.size() < fat_sector_count; ++i) {
        fat_sectors.push_back(le32(bytes_, 76 + 4 * i));
    }
    const std::size_t per_difat_sector = sector_size_ / 4 - 1;
    std::uint64_t difat_steps = 0;
    while (fat_sectors.size() < fat_sector_count) {
        if (difat_sector >= max_regular_sector || difat_sector >= sector_count_) {
            fail_corrupt("the DIFAT lists " + std::to_string(fat_sectors.size()) + " of the " +
                         std::to_string(fat_sector_count) + " FAT sectors, then runs to " +
                         sector_name(difat_sector) + " (the file is truncated or damaged)");
        }
        if (++difat_steps > difat_sector_count || difat_steps > sector_count_) {
            fail_corrupt("the DIFAT chain is longer than declared (a cycle)");
        }
        const std::string_view s = sector(difat_sector);
        if (s.size() < sector_size_)
            fail_corrupt("the file is truncated inside DIFAT sector " + std::to_string(difat_sector));
        for (std::size_t i = 0; i < per_difat_sector && fat_sectors.size() < fat_sector_count; ++i) {
            fat_sectors.push_back(le32(s, 4 * i));
        }
        difat_sector = le32(s, 4 * per_difat_sector);
    }

    const std::size_t per_sector = sector_size_ / 4;
    fat_.reserve(fat_sectors.size() * per_sector);
    for (std::uint32_t fs : fat_sectors) {
        if (fs >= sector_count_) {
            fail_corrupt("the file is truncated: FAT sector " + std::to_string(fs) +
                         " lies beyond its end (" + count_of_sectors(sector_count_) + ")");
        }
        const std::string_view s = sector(fs);
        if (s.size() < sector_size_)
            fail_corrupt("the file is truncated inside FAT sector " + std::to_string(fs));
        for (std::size_t i = 0; i < per_sector; ++i) fat_.push_back(le32(s, 4 * i));
    }
}

std::vector<std::uint32_t> CompoundFile::chain(std::uint32_t start, const std::vector<std::uint32_t>& table,
                                               std::uint64_t limit_count, std::uint64_t max_length,
                                               const std::string& what, std::vector<bool>* claimed) const {
    std::vector<std::uint32_t> sectors;
    std::uint32_t s = start;
    while (s != end_of_chain && sectors.size() < max_length) {
        if (s >= max_regular_sector) fail_corrupt(what + " runs into " + sector_name(s));
        if (s >= limit_count || s >= table.size()) {
            fail_corrupt(what + " runs to sector " + std::to_string(s) + ", beyond the end of the file (" +
                         count_of_sectors(limit_count) + ")");
        }
        if (sectors.size() >= limit_count) fail_corrupt(what + " is longer than the file (a cyclic chain)");
        if (claimed != nullptr) {
            if (s >= claimed->size() || (*claimed)[s])
                fail_corrupt(what + " shares sector " + std::to_string(s));
            (*claimed)[s] = true;
        }
        sectors.push_back(s);
        s = table[s];
    }
    return sectors;
}

void CompoundFile::read_directory() {
    const std::vector<std::uint32_t> sectors =
        chain(first_directory_sector_, fat_, sector_count_, std::numeric_limits<std::uint64_t>::max(),
              "the directory chain");
    const std::size_t per_sector = sector_size_ / directory_entry_size;
    directory_.reserve(sectors.size() * per_sector);
    for (std::uint32_t index : sectors) {
        const std::string_view s = sector(index);
        if (s.size() < sector_size_) fail_corrupt("the file is truncated inside the directory");
        for (std::size_t i = 0; i < per_sector; ++i) {
            const std::size_t at = i * directory_entry_size;
            DirectoryEntry entry;
            {
                const std::string_view raw = s.substr(at, directory_entry_size);
                const std::size_t name_bytes = std::min<std::size_t>(le16(raw, 64), 64);
                entry.name = utf16le_to_utf8(raw.substr(0, name_bytes >= 2 ? name_bytes - 2 : 0));
                const auto type = static_cast<unsigned char>(raw[66]);
                if (type == 1 || type == 2 || type == 5) entry.type = static_cast<DirectoryEntry::Type>(type);
                entry.left = le32(raw, 68);
                entry.right = le32(raw, 72);
                entry.child = le32(raw, 76);
                entry.start_sector = le32(raw, 116);
                entry.size = le64(raw, 120);
                // Version 3 files may leave garbage in the high half of the size.
                if (sector_shift_ == 9) entry.size &= 0xFFFFFFFF;
            }
            directory_.push_back(std::move(entry));
        }
    }
    if (directory_.empty() || directory_[0].type != DirectoryEntry::Type::root) {
        fail_corrupt("the compound file directory has no root entry");
    }

    // The root's children form a tree of left/right siblings below root.child.
    std::vector<bool> seen(directory_.size(), false);
    std::vector<std::uint32_t> pending{directory_[0].child};
    std::vector<std::uint32_t> children;
    while (!pending.empty()) {
        const std::uint32_t id = pending.back();
        pending.pop_back();
        if (id == no_stream) continue;
        if (id >= directory_.size()) {
            fail_corrupt("the directory refers to entry " + std::to_string(id) + " of " +
                         std::to_string(directory_.size()));
        }
        if (seen[id] || id == 0) fail_corrupt("the directory tree has a cycle");
        if (directory_[id].type == DirectoryEntry::Type::unused) {
            fail_corrupt("the directory tree refers to unused entry " + std::to_string(id));
        }
        seen[id] = true;
        children.push_back(id);
        pending.push_back(directory_[id].left);
        pending.push_back(directory_[id].right);
    }
    std::sort(children.begin(), children.end());
    for (std::uint32_t id : children) root_children_.push_back(&directory_[id]);
}

void CompoundFile::read_mini_fat() {
    // Lenient here, strict on use: a stream that needs a missing part fails in read_stream().
    const DirectoryEntry& root = directory_[0];
    const std::uint64_t mini_stream_sectors = (root.size + sector_size_ - 1) / sector_size_;
    if (root.start_sector != end_of_chain && mini_stream_sectors > 0) {
        mini_stream_sectors_ =
            chain(root.start_sector, fat_, sector_count_,
                  std::min<std::uint64_t>(mini_stream_sectors, sector_count_), "the mini stream");
    }
    if (first_mini_fat_sector_ != end_of_chain && mini_fat_sector_count_ > 0) {
        const std::vector<std::uint32_t> sectors =
            chain(first_mini_fat_sector_, fat_, sector_count_,
                  std::min<std::uint64_t>(mini_fat_sector_count_, sector_count_), "the mini FAT chain");
        const std::size_t per_sector = sector_size_ / 4;
        mini_fat_.reserve(sectors.size() * per_sector);
        for (std::uint32_t index : sectors) {
            const std::string_view s = sector(index);
            if (s.size() < sector_size_) fail_corrupt("the file is truncated inside the mini FAT");
            for (std::size_t i = 0; i < per_sector; ++i) mini_fat_.push_back(le32(s, 4 * i));
        }
    }
}

const DirectoryEntry* CompoundFile::find(std::string_view name) const {
    for (const DirectoryEntry* entry : root_children_) {
        if (iequals_ascii(entry->name, name)) return entry;
    }
    return nullptr;
}

template <typename Take>
void CompoundFile::visit_stream(const DirectoryEntry& stream, std::uint64_t want, Take take) const {
    if (want == 0) return;
    const std::string what = "the chain of stream \"" + stream.name + "\"";
    const bool mini = stream.type != DirectoryEntry::Type::root && stream.size < mini_cutoff_;
    const std::uint64_t unit = mini ? mini_sector_size : sector_size_;
    const std::uint64_t needed = (want + unit - 1) / unit;
    const std::uint64_t capacity =
        mini ? mini_stream_sectors_.size() * (sector_size_ / mini_sector_size) : sector_count_;
    const std::vector<std::uint32_t> sectors =
        chain(stream.start_sector, mini ? mini_fat_ : fat_, capacity, needed, what);
    if (sectors.size() < needed) {
        fail_corrupt("stream \"" + stream.name + "\" ends after " + std::to_string(sectors.size() * unit) +
                     " of its " + std::to_string(stream.size) + " bytes");
    }
    std::uint64_t done = 0;
    for (std::uint32_t index : sectors) {
        const std::uint64_t length = std::min<std::uint64_t>(unit, want - done);
        std::string_view piece;
        if (mini) {
            const std::uint64_t offset = static_cast<std::uint64_t>(index) * mini_sector_size;
            const std::string_view host = sector(mini_stream_sectors_[offset / sector_size_]);
            const std::uint64_t within = offset % sector_size_;
            if (within < host.size()) piece = host.substr(within, length);
        } else {
            piece = sector(index).substr(0, length);
        }
        if (piece.size() < length)
            fail_corrupt("the file is truncated inside stream \"" + stream.name + "\"");
        take(piece);
        done += length;
    }
}

std::string CompoundFile::read_stream(const DirectoryEntry& stream, std::size_t max_bytes) const {
    std::string out;
    const std::uint64_t want = std::min<std::uint64_t>(stream.size, max_bytes);
    out.reserve(static_cast<std::size_t>(want));
    visit_stream(stream, want, [&out](std::string_view piece) { out.append(piece); });
    return out;
}

void CompoundFile::check_root_streams() const {
    std::vector<bool> claimed(sector_count_, false);
    for (std::uint32_t index : mini_stream_sectors_) {
        if (claimed[index]) fail_corrupt("the mini stream's chain is cyclic");
        claimed[index] = true;
    }
    const std::uint64_t mini_capacity = mini_stream_sectors_.size() * (sector_size_ / mini_sector_size);
    std::vector<bool> mini_claimed(mini_capacity, false);
    for (const DirectoryEntry* stream : root_children_) {
        if (stream->type != DirectoryEntry::Type::stream || stream->size == 0) continue;
        const bool mini = stream->size < mini_cutoff_;
        const std::uint64_t unit = mini ? mini_sector_size : sector_size_;
        const std::uint64_t needed = (stream->size + unit - 1) / unit;
        const std::vector<std::uint32_t> sectors =
            chain(stream->start_sector, mini ? mini_fat_ : fat_, mini ? mini_capacity : sector_count_, needed,
                  "the chain of stream \"" + stream->name + "\"", mini ? &mini_claimed : &claimed);
        if (sectors.size() < needed) {
            fail_corrupt("stream \"" + stream->name + "\" ends after " +
                         std::to_string(sectors.size() * unit) + " of its " + std::to_string(stream->size) +
                         " bytes");
        }
        // Only the file's last sector can be short: the stream must not need what is missing.
        const std::uint64_t tail = stream->size - (needed - 1) * unit;
        const std::uint64_t last = sectors.back();
        const std::uint64_t host_offset = mini ? last * mini_sector_size : 0;
        const std::string_view host = mini ? sector(mini_stream_sectors_[host_offset / sector_size_])
                                           : sector(static_cast<std::uint32_t>(last));
        const std::uint64_t within = mini ? host_offset % sector_size_ : 0;
        if (within + tail > host.size())
            fail_corrupt("the file is truncated inside stream \"" + stream->name + "\"");
    }
}

}  // namespace wenku::worker::ole
