// Fuzz target: type detection by content.
#include <cstdint>
#include <string_view>

#include "worker/detect.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    (void)wenku::worker::detect_type(bytes);
    (void)wenku::worker::has_markdown_extension(bytes);
    return 0;
}
