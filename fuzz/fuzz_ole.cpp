// Fuzz target: OLE compound file inspection (header, DIFAT, FAT, mini FAT, directory tree, the
// Word/Excel/PowerPoint encryption checks).
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "core/errors.h"
#include "fuzz_check.h"
#include "worker/container.h"

using wenku::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    try {
        const auto info = wenku::worker::inspect_ole_bytes(bytes, "fuzz.doc");
        static const std::set<std::string> known_formats = {"doc", "xls", "ppt"};
        require(known_formats.contains(info.format), "inspect_ole_bytes returned an unknown format");
    } catch (const wenku::InputError& e) {
        static const std::set<std::string> documented_codes = {"encrypted", "corrupt", "unsupported",
                                                               "empty"};
        require(documented_codes.contains(e.code()), "inspect_ole_bytes threw an undocumented code");
        const std::string_view message = e.what();
        require(message.starts_with("fuzz.doc "), "message does not name the file");
        require(wenku::fuzz::is_valid_utf8(message), "message is not valid UTF-8");
    }
    return 0;
}
