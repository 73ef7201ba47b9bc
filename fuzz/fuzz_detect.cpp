// Fuzz target: type detection by content, and the sanitising of what is detected as HTML.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "worker/detect.h"
#include "worker/html_document.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    (void)wenku::worker::detect_type(bytes);
    (void)wenku::worker::has_markdown_extension(bytes);
    (void)wenku::worker::has_text_extension(bytes);
    const std::string page = wenku::worker::sanitise_html(bytes);
    // The sanitised page never holds the start of a script, whatever the input.
    wenku::fuzz::require(page.find("<script") == std::string::npos, "a script survived sanitise_html");
    return 0;
}
