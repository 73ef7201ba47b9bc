#pragma once
// Escaping text for HTML and XML (element text and quoted attribute values): & < > " '.
#include <string>
#include <string_view>

#include "core/utf8.h"

namespace wenku {

/// The entity that stands for `c` in markup ("&amp;" for '&'), or nullptr when `c` stands for itself.
inline const char* markup_entity(char32_t c) {
    switch (c) {
        case '&':
            return "&amp;";
        case '<':
            return "&lt;";
        case '>':
            return "&gt;";
        case '"':
            return "&quot;";
        case '\'':
            return "&#39;";
        default:
            return nullptr;
    }
}

/// Appends `text` (UTF-8, not checked) with & < > " ' replaced by their entities.
void append_markup_escaped(std::string& out, std::string_view text);
std::string markup_escape(std::string_view text);

/// Appends the code point `cp` as UTF-8, escaped the same way.
inline void append_markup_escaped(std::string& out, char32_t cp) {
    if (const char* entity = markup_entity(cp)) {
        out += entity;
    } else {
        append_utf8(out, cp);
    }
}

}  // namespace wenku
