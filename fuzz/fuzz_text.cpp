// Fuzz target: plain text and Markdown handling (encoding detection and decoding, the text check,
// HTML generation, titles), with the promises of text_document.h as invariants.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "worker/markdown.h"
#include "worker/text_document.h"
#include "worker/text_encoding.h"

using namespace wenku::worker;
using wenku::fuzz::require;

namespace {

/// "A small multiple of its input": generous, so that only runaway growth trips it.
bool bounded(std::string_view output, std::string_view input) {
    return output.size() <= 64 * input.size() + 64 * 1024;
}

constexpr TextEncoding all_encodings[] = {
    TextEncoding::utf8,        TextEncoding::utf8_bom, TextEncoding::utf16le_bom,
    TextEncoding::utf16be_bom, TextEncoding::utf32le,  TextEncoding::utf32be,
    TextEncoding::gb18030,     TextEncoding::big5,     TextEncoding::latin1};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    prepare_text_decoding();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const TextEncoding detected = detect_text_encoding(bytes);
    const std::string text = decode_to_utf8(bytes, detected);
    require(wenku::fuzz::is_valid_utf8(text), "decode_to_utf8 produced invalid UTF-8");
    require(bounded(text, bytes), "decode_to_utf8 output is out of proportion");
    (void)looks_like_text(bytes, detected);

    // Every decoder, not only the detected one.
    const TextEncoding other = all_encodings[size % std::size(all_encodings)];
    require(wenku::fuzz::is_valid_utf8(decode_to_utf8(bytes, other)),
            "decode_to_utf8 produced invalid UTF-8");

    const std::string html = text_to_html(text);
    require(bounded(html, bytes), "text_to_html output is out of proportion");
    require(wenku::fuzz::is_valid_utf8(text_to_html(bytes)),
            "text_to_html produced invalid UTF-8 from raw bytes");
    const std::string markdown = markdown_to_html(text);
    require(bounded(markdown, bytes), "markdown_to_html output is out of proportion");
    const std::string title = markdown_title(text);
    require(wenku::fuzz::is_valid_utf8(title), "markdown_title produced invalid UTF-8");
    require(wenku::fuzz::is_valid_utf8(first_line_title(bytes)), "first_line_title produced invalid UTF-8");
    return 0;
}
