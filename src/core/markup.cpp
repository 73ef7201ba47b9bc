#include "core/markup.h"

namespace wenku {

void append_markup_escaped(std::string& out, std::string_view text) {
    for (const char c : text) {
        if (const char* entity = markup_entity(static_cast<unsigned char>(c))) {
            out += entity;
        } else {
            out += c;
        }
    }
}

std::string markup_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    append_markup_escaped(out, text);
    return out;
}

}  // namespace wenku
