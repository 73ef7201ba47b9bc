#include "core/description.h"

namespace wenku {

namespace {
std::size_t utf8_length(unsigned char lead) {
    return lead < 0x80 ? 1 : (lead >> 5) == 6 ? 2 : (lead >> 4) == 14 ? 3 : (lead >> 3) == 30 ? 4 : 1;
}

bool says_too_little(const Page& page) {
    if (!page.ocr) return false;
    std::size_t visible = 0;
    for (std::size_t i = 0; i < page.text.size() && visible < description_min_ocr_chars;) {
        const auto c = static_cast<unsigned char>(page.text[i]);
        if (c != ' ' && c != '\n' && c != '\t' && c != '\r') ++visible;
        i += utf8_length(c);
    }
    return visible < description_min_ocr_chars;
}
}  // namespace

std::vector<DescriptionSegment> describe(const std::vector<Page>& pages, std::size_t chars_per_page) {
    std::vector<DescriptionSegment> segments;
    for (const Page& page : pages) {
        if (says_too_little(page)) continue;
        std::string text;
        std::size_t chars = 0;
        bool pending_space = false;
        for (std::size_t i = 0; i < page.text.size() && chars < chars_per_page;) {
            const auto c = static_cast<unsigned char>(page.text[i]);
            if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
                pending_space = !text.empty();
                ++i;
                continue;
            }
            if (pending_space) {
                text += ' ';
                ++chars;
                pending_space = false;
            }
            const std::size_t len = std::min(utf8_length(c), page.text.size() - i);
            text.append(page.text, i, len);
            i += len;
            ++chars;
        }
        if (!text.empty()) segments.push_back({page.number, std::move(text)});
    }
    return segments;
}

}  // namespace wenku
