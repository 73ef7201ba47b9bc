#include "worker/zip_reader.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <limits>
#include <new>

#include "core/conversion.h"
#include "core/errors.h"
#include "core/utf8.h"
#include "worker/little_endian.h"

namespace wenku::worker::zip {
namespace {

constexpr std::uint32_t end_signature = 0x06054b50;
constexpr std::uint32_t zip64_end_signature = 0x06064b50;
constexpr std::uint32_t zip64_locator_signature = 0x07064b50;
constexpr std::uint32_t central_signature = 0x02014b50;
constexpr std::uint32_t local_signature = 0x04034b50;

constexpr std::size_t end_size = 22;
constexpr std::size_t zip64_locator_size = 20;
constexpr std::size_t zip64_end_size = 56;
constexpr std::size_t central_size = 46;
constexpr std::size_t local_size = 30;
constexpr std::size_t max_comment_size = 0xFFFF;

constexpr std::uint16_t zip64_extra_id = 0x0001;

/// Output is produced (and handed to the sink) in pieces of this size.
constexpr std::size_t inflate_chunk = 64 * 1024;
/// Stored entries are handed to the sink in pieces of this size.
constexpr std::size_t stored_chunk = 1024 * 1024;

/// True when [at, at + length) lies inside a buffer of `size` bytes (overflow-safe).
bool fits(std::uint64_t at, std::uint64_t length, std::uint64_t size) {
    return at <= size && length <= size - at;
}

const char* method_name(std::uint16_t method) {
    switch (method) {
        case 1:
            return "Shrink";
        case 6:
            return "Implode";
        case 9:
            return "Deflate64";
        case 12:
            return "bzip2";
        case 14:
            return "LZMA";
        case 93:
            return "Zstandard";
        case 95:
            return "XZ";
        case 98:
            return "PPMd";
        case 99:
            return "AES encryption";
        default:
            return "unknown";
    }
}

/// The end-of-central-directory values that matter, from the classic or the ZIP64 record.
struct EndRecord {
    std::uint64_t position =
        0;  // of the first end record (ZIP64's when present): the directory ends before it
    std::uint64_t entries = 0;
    std::uint64_t entries_on_disk = 0;
    std::uint64_t directory_size = 0;
    std::uint64_t directory_offset = 0;
    std::uint32_t disk = 0;
    std::uint32_t directory_disk = 0;
};

}  // namespace

std::string printable_name(std::string_view name) {
    constexpr std::size_t max_bytes = 160;
    std::string out;
    std::size_t i = 0;
    while (i < name.size() && out.size() < max_bytes) {
        const auto b = static_cast<unsigned char>(name[i]);
        std::size_t length = 0;
        if (b >= 0x20 && b < 0x7F) {
            length = 1;
        } else if (b >= 0x80) {
            // Keep well-formed UTF-8 (messages travel as JSON, which must be valid UTF-8).
            const Utf8Char c = next_utf8(name, i);
            if (c.valid) length = c.length;
        }
        if (length > 0) {
            out.append(name.substr(i, length));
            i += length;
        } else {
            static constexpr char hex_digits[] = "0123456789abcdef";
            out += "\\x";
            out += hex_digits[b >> 4];
            out += hex_digits[b & 0xF];
            ++i;
        }
    }
    if (i < name.size()) out += "…";
    return out;
}

Archive::Archive(std::string_view bytes, std::string display_name, std::uint64_t max_entries)
    : bytes_(bytes), display_name_(std::move(display_name)) {
    parse_directory(max_entries);
}

void Archive::fail_corrupt(const std::string& what) const {
    throw InputError(error_code::corrupt, display_name_ + " is damaged: " + what);
}

void Archive::parse_directory(std::uint64_t max_entries) {
    const std::uint64_t size = bytes_.size();
    if (size < end_size) {
        fail_corrupt("at " + std::to_string(size) + " bytes it is too short to be a ZIP archive");
    }

    // The end record sits at the very end, followed only by its comment. Prefer a record whose
    // comment ends exactly at the end of the file; accept one followed by trailing bytes.
    std::uint64_t end_at = 0;
    bool found_exact = false;
    bool found_loose = false;
    bool saw_signature = false;
    const std::uint64_t lowest = size - end_size > max_comment_size ? size - end_size - max_comment_size : 0;
    for (std::uint64_t at = size - end_size + 1; at-- > lowest;) {
        if (le32(bytes_, at) != end_signature) continue;
        saw_signature = true;
        const std::uint64_t comment = le16(bytes_, at + 20);
        if (at + end_size + comment == size) {
            end_at = at;
            found_exact = true;
            break;
        }
        if (!found_loose && at + end_size + comment <= size) {
            end_at = at;
            found_loose = true;
        }
    }
    if (!found_exact && !found_loose) {
        fail_corrupt(
            saw_signature
                ? "the ZIP end-of-central-directory record is damaged (its comment runs past the end "
                  "of the file)"
                : "it has no ZIP central directory (the file is truncated or not a ZIP archive)");
    }

    EndRecord end;
    end.position = end_at;
    end.disk = le16(bytes_, end_at + 4);
    end.directory_disk = le16(bytes_, end_at + 6);
    end.entries_on_disk = le16(bytes_, end_at + 8);
    end.entries = le16(bytes_, end_at + 10);
    end.directory_size = le32(bytes_, end_at + 12);
    end.directory_offset = le32(bytes_, end_at + 16);

    const bool maybe_zip64 = end.entries == 0xFFFF || end.entries_on_disk == 0xFFFF ||
                             end.directory_size == 0xFFFFFFFF || end.directory_offset == 0xFFFFFFFF;
    if (end_at >= zip64_locator_size &&
        le32(bytes_, end_at - zip64_locator_size) == zip64_locator_signature) {
        const std::uint64_t locator = end_at - zip64_locator_size;
        const std::uint64_t record = le64(bytes_, locator + 8);
        if (!fits(record, zip64_end_size, locator) || le32(bytes_, record) != zip64_end_signature) {
            fail_corrupt("the ZIP64 end-of-central-directory record is missing or damaged");
        }
        end.position = record;
        end.disk = le32(bytes_, record + 16);
        end.directory_disk = le32(bytes_, record + 20);
        end.entries_on_disk = le64(bytes_, record + 24);
        end.entries = le64(bytes_, record + 32);
        end.directory_size = le64(bytes_, record + 40);
        end.directory_offset = le64(bytes_, record + 48);
    } else if (maybe_zip64 && end.entries != end.entries_on_disk) {
        fail_corrupt("the ZIP64 end-of-central-directory locator is missing");
    }

    if (end.disk != 0 || end.directory_disk != 0 || end.entries != end.entries_on_disk) {
        fail_corrupt("it is one part of a ZIP archive split over several disks");
    }
    if (end.entries > max_entries) {
        throw InputError(error_code::too_large, display_name_ + " is too large: its ZIP directory lists " +
                                                    std::to_string(end.entries) + " entries (the limit is " +
                                                    std::to_string(max_entries) + ")");
    }
    if (!fits(end.directory_offset, end.directory_size, end.position)) {
        fail_corrupt("the ZIP central directory (" + std::to_string(end.directory_size) +
                     " bytes at offset " + std::to_string(end.directory_offset) +
                     ") lies outside the file's " + std::to_string(size) + " bytes");
    }
    if (end.entries > end.directory_size / central_size) {
        fail_corrupt("the ZIP central directory is too short for the " + std::to_string(end.entries) +
                     " entries it should hold");
    }

    directory_offset_ = end.directory_offset;
    const std::uint64_t directory_end = end.directory_offset + end.directory_size;
    entries_.reserve(static_cast<std::size_t>(end.entries));
    std::uint64_t at = end.directory_offset;
    for (std::uint64_t index = 0; index < end.entries; ++index) {
        const std::string which = "entry " + std::to_string(index + 1) + " of the ZIP central directory";
        if (!fits(at, central_size, directory_end) || le32(bytes_, at) != central_signature) {
            fail_corrupt(which + " is missing or damaged");
        }
        const std::uint64_t name_length = le16(bytes_, at + 28);
        const std::uint64_t extra_length = le16(bytes_, at + 30);
        const std::uint64_t comment_length = le16(bytes_, at + 32);
        if (!fits(at + central_size, name_length + extra_length + comment_length, directory_end)) {
            fail_corrupt(which + " runs past the end of the directory");
        }
        Entry entry;
        entry.flags = le16(bytes_, at + 8);
        entry.method = le16(bytes_, at + 10);
        entry.crc32 = le32(bytes_, at + 16);
        entry.compressed_size = le32(bytes_, at + 20);
        entry.uncompressed_size = le32(bytes_, at + 24);
        std::uint64_t disk = le16(bytes_, at + 34);
        entry.local_header_offset = le32(bytes_, at + 42);
        entry.name.assign(bytes_.substr(at + central_size, name_length));

        // ZIP64: the fields saturated in the record follow, 8 bytes each, in a fixed order.
        const bool need_usize = entry.uncompressed_size == 0xFFFFFFFF;
        const bool need_csize = entry.compressed_size == 0xFFFFFFFF;
        const bool need_offset = entry.local_header_offset == 0xFFFFFFFF;
        const bool need_disk = disk == 0xFFFF;
        if (need_usize || need_csize || need_offset || need_disk) {
            bool found = false;
            std::uint64_t field = at + central_size + name_length;
            const std::uint64_t extra_end = field + extra_length;
            while (!found && fits(field, 4, extra_end)) {
                const std::uint16_t id = le16(bytes_, field);
                const std::uint64_t length = le16(bytes_, field + 2);
                if (!fits(field + 4, length, extra_end)) break;
                if (id == zip64_extra_id) {
                    found = true;
                    std::uint64_t value = field + 4;
                    const std::uint64_t value_end = value + length;
                    auto take = [&](std::uint64_t& target, std::uint64_t width) {
                        if (!fits(value, width, value_end))
                            fail_corrupt(which + " has a short ZIP64 extra field");
                        target = width == 8 ? le64(bytes_, value) : le32(bytes_, value);
                        value += width;
                    };
                    if (need_usize) take(entry.uncompressed_size, 8);
                    if (need_csize) take(entry.compressed_size, 8);
                    if (need_offset) take(entry.local_header_offset, 8);
                    if (need_disk) take(disk, 4);
                }
                field += 4 + length;
            }
            if (!found) fail_corrupt(which + " lacks the ZIP64 extra field its sizes call for");
        }
        if (disk != 0) fail_corrupt(which + " lies on another disk of a split archive");
        entries_.push_back(std::move(entry));
        at += central_size + name_length + extra_length + comment_length;
    }
    if (at != directory_end) {
        fail_corrupt("the ZIP central directory holds " + std::to_string(directory_end - at) +
                     " bytes more than its " + std::to_string(end.entries) + " entries");
    }
}

Extent Archive::extent(const Entry& entry) const {
    const std::uint64_t at = entry.local_header_offset;
    const std::string name = printable_name(entry.name);
    if (!fits(at, local_size, directory_offset_) || le32(bytes_, at) != local_signature) {
        fail_corrupt("the local header of " + name + " is missing (offset " + std::to_string(at) + ")");
    }
    const std::uint64_t name_length = le16(bytes_, at + 26);
    const std::uint64_t extra_length = le16(bytes_, at + 28);
    if (!fits(at + local_size, name_length + extra_length, directory_offset_)) {
        fail_corrupt("the local header of " + name + " runs into the central directory");
    }
    if (bytes_.substr(at + local_size, name_length) != entry.name) {
        fail_corrupt("the local header of " + name + " names another entry (" +
                     printable_name(bytes_.substr(at + local_size, name_length)) + ")");
    }
    const std::uint64_t data = at + local_size + name_length + extra_length;
    if (!fits(data, entry.compressed_size, directory_offset_)) {
        fail_corrupt("the data of " + name + " (" + std::to_string(entry.compressed_size) +
                     " bytes) runs past the end of the entries");
    }
    return {at, data + entry.compressed_size};
}

std::string_view Archive::compressed_data(const Entry& entry) const {
    const Extent range = extent(entry);
    const std::uint64_t begin = range.end - entry.compressed_size;
    return bytes_.substr(begin, entry.compressed_size);
}

std::uint64_t Archive::read(const Entry& entry, const Sink& sink) const {
    const std::string name = printable_name(entry.name);
    if (entry.method != method_stored && entry.method != method_deflated) {
        throw InputError(error_code::unsupported,
                         display_name_ + " stores " + name + " with compression method " +
                             std::to_string(entry.method) + " (" + method_name(entry.method) +
                             "), which wenku cannot read");
    }
    const std::string_view input = compressed_data(entry);
    const std::uint64_t limit = entry.uncompressed_size;
    std::uint64_t produced = 0;
    uLong crc = crc32(0L, Z_NULL, 0);

    if (entry.method == method_stored) {
        if (entry.compressed_size != entry.uncompressed_size) {
            fail_corrupt(name + " is stored uncompressed, yet its sizes differ (" +
                         std::to_string(entry.compressed_size) + " and " +
                         std::to_string(entry.uncompressed_size) + " bytes)");
        }
        while (produced < input.size()) {
            const std::string_view piece = input.substr(produced, stored_chunk);
            produced += piece.size();
            crc = crc32(crc, reinterpret_cast<const Bytef*>(piece.data()), static_cast<uInt>(piece.size()));
            if (!sink(piece)) return produced;
        }
    } else {
        z_stream stream{};
        if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) throw std::bad_alloc();
        struct InflateEnd {
            z_stream* s;
            ~InflateEnd() { inflateEnd(s); }
        } guard{&stream};

        std::array<unsigned char, inflate_chunk> buffer;
        std::uint64_t fed = 0;
        for (;;) {
            if (stream.avail_in == 0 && fed < input.size()) {
                const std::uint64_t chunk = std::min<std::uint64_t>(input.size() - fed, 1u << 30);
                stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data() + fed));
                stream.avail_in = static_cast<uInt>(chunk);
                fed += chunk;
            }
            // Room for at most one byte beyond the declared size: enough to notice a lie, never more.
            const std::uint64_t room = std::min<std::uint64_t>(buffer.size(), limit - produced + 1);
            stream.next_out = buffer.data();
            stream.avail_out = static_cast<uInt>(room);
            const uInt in_before = stream.avail_in;
            const int rc = inflate(&stream, Z_NO_FLUSH);
            const std::uint64_t got = room - stream.avail_out;
            if (got > 0) {
                produced += got;
                if (produced > limit) {
                    fail_corrupt(name + " holds more data than its declared size of " +
                                 std::to_string(limit) + " bytes");
                }
                crc = crc32(crc, buffer.data(), static_cast<uInt>(got));
                if (!sink(std::string_view(reinterpret_cast<const char*>(buffer.data()), got)))
                    return produced;
            }
            if (rc == Z_STREAM_END) break;
            if (rc == Z_MEM_ERROR) throw std::bad_alloc();
            if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT || rc == Z_STREAM_ERROR) {
                fail_corrupt("the compressed data of " + name + " is damaged (" +
                             (stream.msg ? stream.msg : "inflate error") + ")");
            }
            const bool progress = got > 0 || stream.avail_in != in_before;
            if (!progress) {
                // Output room is never zero, so a stalled inflate has run out of input.
                fail_corrupt("the compressed data of " + name + " is truncated");
            }
        }
    }
    if (produced != limit) {
        fail_corrupt(name + " holds " + std::to_string(produced) + " bytes, not its declared " +
                     std::to_string(limit));
    }
    if (crc != entry.crc32) fail_corrupt(name + " fails its CRC-32 check");
    return produced;
}

}  // namespace wenku::worker::zip
