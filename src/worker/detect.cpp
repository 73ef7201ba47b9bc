#include "worker/detect.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace wenku::worker {

DetectedType detect_type(std::string_view head) {
    if (head.empty()) return DetectedType::empty;
    // The PDF header may follow some garbage; readers accept it within the first KiB.
    if (head.substr(0, 1024).find("%PDF-") != std::string_view::npos) return DetectedType::pdf;
    if (head.starts_with(std::string_view("PK\x03\x04", 4)) || head.starts_with(std::string_view("PK\x05\x06", 4))) {
        return DetectedType::zip;
    }
    if (head.starts_with(std::string_view("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))) return DetectedType::ole;
    if (head.starts_with("{\\rtf")) return DetectedType::rtf;
    const bool utf16_bom = head.starts_with("\xFF\xFE") || head.starts_with("\xFE\xFF");
    if (!utf16_bom && std::memchr(head.data(), '\0', head.size()) != nullptr) return DetectedType::binary;
    return DetectedType::text;
}

bool has_markdown_extension(std::string_view name) {
    const auto dot = name.rfind('.');
    if (dot == std::string_view::npos) return false;
    std::string ext(name.substr(dot + 1));
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext == "md" || ext == "markdown" || ext == "mdown";
}

}  // namespace wenku::worker
