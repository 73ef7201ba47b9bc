#include "worker/detect.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "worker/text_encoding.h"

namespace wenku::worker {

namespace {

/// "%PDF-" and a version "d.d" at `pos`.
bool pdf_header_at(std::string_view head, std::size_t pos) {
    return head.substr(pos, 5) == "%PDF-" && head.size() >= pos + 8 &&
           std::isdigit(static_cast<unsigned char>(head[pos + 5])) && head[pos + 6] == '.' &&
           std::isdigit(static_cast<unsigned char>(head[pos + 7]));
}

bool is_pdf(std::string_view head) {
    std::size_t start = head.starts_with("\xEF\xBB\xBF") ? 3 : 0;
    while (start < head.size() && std::isspace(static_cast<unsigned char>(head[start]))) ++start;
    if (head.substr(start, 5) == "%PDF-") return true;
    // Readers accept a header after some junk within the first KiB. A text that merely mentions
    // "%PDF-1.7" is still text: such a later header counts only when the bytes are not text.
    const std::size_t pos = head.substr(0, 1024).find("%PDF-");
    if (pos == std::string_view::npos || !pdf_header_at(head, pos)) return false;
    const bool text = std::memchr(head.data(), '\0', head.size()) == nullptr &&
                      detect_text_encoding(head) == TextEncoding::utf8;
    return !text;
}

bool is_wide_unicode(TextEncoding encoding) {
    return encoding == TextEncoding::utf16le_bom || encoding == TextEncoding::utf16be_bom ||
           encoding == TextEncoding::utf32le || encoding == TextEncoding::utf32be;
}

}  // namespace

DetectedType detect_type(std::string_view head) {
    if (head.empty()) return DetectedType::empty;
    if (is_pdf(head)) return DetectedType::pdf;
    if (head.starts_with(std::string_view("PK\x03\x04", 4)) ||
        head.starts_with(std::string_view("PK\x05\x06", 4))) {
        return DetectedType::zip;
    }
    if (head.starts_with(std::string_view("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))) return DetectedType::ole;
    if (head.starts_with("{\\rtf")) return DetectedType::rtf;
    // Excel 2, 3 and 4 wrote a bare BIFF stream: a BOF record (type 0x0009, 0x0209 or 0x0409)
    // with a short length and a sheet type.
    if (head.size() >= 8 && head[0] == '\x09' &&
        (head[1] == '\x00' || head[1] == '\x02' || head[1] == '\x04') && head[3] == '\x00' && head[2] >= 4 &&
        head[2] <= 16) {
        return DetectedType::biff;
    }
    // NUL bytes mean binary data, except in UTF-16 and UTF-32 text.
    if (std::memchr(head.data(), '\0', head.size()) != nullptr &&
        !is_wide_unicode(detect_text_encoding(head))) {
        return DetectedType::binary;
    }
    return DetectedType::text;
}

bool has_markdown_extension(std::string_view name) {
    const auto dot = name.rfind('.');
    if (dot == std::string_view::npos) return false;
    std::string ext(name.substr(dot + 1));
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext == "md" || ext == "markdown" || ext == "mdown";
}

bool has_csv_extension(std::string_view name) {
    const auto dot = name.rfind('.');
    if (dot == std::string_view::npos) return false;
    std::string ext(name.substr(dot + 1));
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext == "csv" || ext == "tsv";
}

}  // namespace wenku::worker
