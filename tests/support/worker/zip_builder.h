#pragma once
// ZIP archives built in tests (entries stored or deflated, with lying sizes, CRCs or methods on
// request, ZIP64 records), a minimal docx to build them around, and the inspection outcome of
// worker::inspect_zip_bytes() as plain values.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "worker/container.h"

namespace wenku::test {

/// Little-endian integers appended to `out`.
void put16(std::string& out, std::uint32_t v);
void put32(std::string& out, std::uint32_t v);
void put64(std::string& out, std::uint64_t v);

/// `data` as a raw deflate stream (no zlib header), at the best compression.
std::string raw_deflate(std::string_view data);

struct ZipEntrySpec {
    std::string name;
    std::string data;
    bool deflate = true;
    std::uint16_t flags = 0;
    std::uint16_t method_override = 0xFFFF;      // write this method number instead
    std::optional<std::uint64_t> declared_size;  // lie about the uncompressed size
    std::optional<std::uint32_t> declared_crc;   // lie about the CRC-32
    std::optional<std::string> raw_compressed;   // use these bytes as the compressed data
};

struct ZipOptions {
    bool zip64 = false;  // ZIP64 extra fields and end records
};

/// The bytes of a ZIP archive holding `specs`, in order.
std::string make_zip(const std::vector<ZipEntrySpec>& specs, ZipOptions options = {});

/// The parts of a minimal docx.
extern const std::string docx_content_types;
extern const std::string docx_relationships;
extern const std::string docx_document;

/// A minimal valid docx whose word/document.xml is `document`, plus `extra` entries.
std::vector<ZipEntrySpec> docx_entries(const std::string& document = docx_document,
                                       std::vector<ZipEntrySpec> extra = {});

/// What inspecting an archive came to.
struct Outcome {
    std::string format;  // when accepted
    std::string code;    // when refused
    std::string message;
};

/// inspect_zip_bytes() of `bytes` named "test.docx".
Outcome zip_outcome(const std::string& bytes, const worker::ContainerLimits& limits = {});

/// ASCII text in UTF-16 (with or without a byte-order mark) and UTF-32LE (with one).
std::string utf16le(std::string_view ascii, bool bom);
std::string utf16be(std::string_view ascii, bool bom);
std::string utf32le(std::string_view ascii);

}  // namespace wenku::test
