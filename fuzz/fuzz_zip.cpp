// Fuzz target: ZIP inspection (directory parsing, bomb and name checks, identification, inflating)
// and the streaming XML hazard scanner, which must find the same hazards however its input is cut.
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "core/conversion.h"
#include "core/errors.h"
#include "fuzz_check.h"
#include "worker/container.h"
#include "worker/zip_xml_scanner.h"

namespace {

using wenku::fuzz::require;

void check_zip(std::string_view bytes) {
    // Small limits keep every run fast; the checks are the same at any size.
    wenku::worker::ContainerLimits limits;
    limits.max_entries = 2000;
    limits.max_entry_bytes = 4u << 20;
    limits.max_total_bytes = 16u << 20;
    try {
        const auto info = wenku::worker::inspect_zip_bytes(bytes, "fuzz.docx", limits);
        static const std::set<std::string> known_formats = {"docx", "xlsx", "pptx", "odt",
                                                            "ods",  "odp",  "epub"};
        require(known_formats.contains(info.format), "inspect_zip_bytes returned an unknown format");
    } catch (const wenku::InputError& e) {
        static const std::set<std::string> documented_codes = {"too_large", "unsafe",      "corrupt",
                                                               "encrypted", "unsupported", "empty"};
        require(documented_codes.contains(e.code()), "inspect_zip_bytes threw an undocumented code");
        const std::string_view message = e.what();
        require(message.starts_with("fuzz.docx "), "message does not name the file");
        require(wenku::fuzz::is_valid_utf8(message), "message is not valid UTF-8");
    }
}

bool has_hazard(std::string_view bytes, bool allow_public_doctype, std::size_t piece_size) {
    wenku::worker::zip::XmlHazardScanner scanner(
        {.allow_public_doctype = allow_public_doctype, .forbid_schema_location = false});
    for (std::size_t at = 0; at < bytes.size(); at += piece_size) {
        if (!scanner.feed(bytes.substr(at, piece_size))) break;
    }
    scanner.finish();
    return scanner.hazard().kind != wenku::worker::zip::XmlHazard::Kind::none;
}

void check_scanner(std::string_view bytes) {
    if (bytes.empty()) return;
    // Tiny pieces make this slow on big inputs; boundaries are what matters, not the size.
    constexpr std::size_t max_scanned = 64 * 1024;
    const std::size_t piece = 1 + static_cast<unsigned char>(bytes[0]) % 17;
    const std::string_view xml = bytes.substr(1, max_scanned);
    for (const bool allow : {false, true}) {
        const bool whole = has_hazard(xml, allow, xml.size() + 1);
        require(whole == has_hazard(xml, allow, piece), "the XML scanner depends on how its input is cut");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    check_zip(bytes);
    check_scanner(bytes);
    return 0;
}
