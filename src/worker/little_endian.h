#pragma once
// Little-endian integers in binary formats (ZIP, OLE compound files). The caller has checked that
// the bytes exist: these read without bounds checks.
#include <cstdint>
#include <string_view>

namespace wenku::worker {

inline std::uint16_t le16(std::string_view s, std::uint64_t at) {
    return static_cast<std::uint16_t>(static_cast<unsigned char>(s[at]) |
                                      (static_cast<unsigned char>(s[at + 1]) << 8));
}

inline std::uint32_t le32(std::string_view s, std::uint64_t at) {
    return static_cast<std::uint32_t>(le16(s, at)) | (static_cast<std::uint32_t>(le16(s, at + 2)) << 16);
}

inline std::uint64_t le64(std::string_view s, std::uint64_t at) {
    return static_cast<std::uint64_t>(le32(s, at)) | (static_cast<std::uint64_t>(le32(s, at + 4)) << 32);
}

}  // namespace wenku::worker
