#pragma once
// UTF-8 to and from code points, for code that works on characters (text tidying, decoders).
#include <string>
#include <string_view>

namespace wenku {

/// Appends `cp` as UTF-8; surrogates and values past U+10FFFF become U+FFFD.
void append_utf8(std::string& out, char32_t cp);

/// The code points of `utf8`; invalid, overlong and truncated sequences are dropped.
std::u32string decode_utf8(std::string_view utf8);

/// `text` as UTF-8.
std::string encode_utf8(std::u32string_view text);

}  // namespace wenku
