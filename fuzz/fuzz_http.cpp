// Fuzz target: the web layer's request parsing (web/http_parsing.h) with the promises of its doc
// comments as invariants: byte ranges, If-None-Match, ids and numbers, percent coding, forms and
// uploaded file names. The first 8 bytes of an input are a file size for the Range header, the
// rest is the text every parser reads.
#include <cctype>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <string_view>

#include "core/errors.h"
#include "fuzz_check.h"
#include "web/errors.h"
#include "web/http_parsing.h"

using namespace wenku::web;
using wenku::fuzz::require;

namespace {

void check_range(std::string_view header, std::uint64_t size) {
    const ByteRange r = parse_range(header, size);
    const bool single = header.starts_with("bytes=") && header.find(',') == std::string_view::npos;
    require(single == (r.kind != ByteRange::Kind::whole), "whole for a single range, or a range for none");
    if (r.kind == ByteRange::Kind::part) {
        require(r.first <= r.last && r.last < size, "a range outside the file");
    }
    if (single && size == 0) require(r.kind == ByteRange::Kind::unsatisfiable, "a part of an empty file");
}

void check_numbers(std::string_view text) {
    try {
        const std::int64_t id = parse_id(text);
        require(id > 0 && std::to_string(id) == text, "an id that is not the text's digits");
    } catch (const wenku::NotFoundError&) {
    }
    try {
        const long long n = parse_int_param("n", text, -7, -1000, 1000);
        require(text.empty() ? n == -7 : n >= -1000 && n <= 1000, "a number outside its range");
    } catch (const BadRequestError&) {
        require(!text.empty(), "an empty parameter refused");
    }
}

void check_percent_coding(std::string_view text) {
    const std::string encoded = percent_encode(text);
    for (char c : encoded) {
        require(std::isalnum(static_cast<unsigned char>(c)) || std::strchr("-_.~%", c),
                "an unsafe encoded byte");
    }
    if (text.find('\0') == std::string_view::npos) {
        require(percent_decode(encoded, false) == std::string(text), "decoding does not undo encoding");
        require(percent_decode(encoded, true) == std::string(text), "form decoding does not undo encoding");
    }
    for (bool form : {false, true}) {
        if (const auto decoded = percent_decode(text, form)) {
            require(decoded->size() <= text.size(), "decoding grew the text");
            require(decoded->find('\0') == std::string::npos, "a NUL decoded");
        }
    }
    std::map<std::string, std::string> fields;
    parse_form(text, fields);
    for (const auto& [name, value] : fields) {
        require(name.find('\0') == std::string::npos && value.find('\0') == std::string::npos,
                "a NUL in a form");
    }
}

void check_file_name(std::string_view text) {
    const std::string name = clean_file_name(text);
    require(!name.empty() && name.size() <= 200, "a file name empty or over 200 bytes");
    require(wenku::fuzz::is_valid_utf8(name), "a file name that is not UTF-8");
    require(name.find_first_of("/\\") == std::string::npos, "a path separator in a file name");
    require(name.front() != '.' && name.front() != ' ', "a file name starting with a dot or a space");
    for (unsigned char c : name) require(c >= 0x20 && c != 0x7f, "a control character in a file name");
    require(name.find("\u202e") == std::string::npos && name.find("\u202d") == std::string::npos,
            "a bidi override in a file name");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::uint64_t file_size = 0;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    if (size >= sizeof file_size) {
        std::memcpy(&file_size, data, sizeof file_size);
        text.remove_prefix(sizeof file_size);
    }
    check_range(text, file_size);
    check_range(text, file_size % 4096);

    const std::string etag = "\"0123abcd\"";
    etag_matches(text, etag);
    require(etag_matches(std::string(text) + "," + etag, etag), "an ETag at the end of a list not found");
    require(etag_matches(std::string(text) + ", *", etag), "* at the end of a list not found");

    check_numbers(text);
    check_percent_coding(text);
    check_file_name(text);
    return 0;
}
