#pragma once
// UTF-8: reading it strictly, one character at a time; to and from code points, for code that works
// on characters (text tidying, decoders, search); and into other character sets.
#include <cstddef>
#include <string>
#include <string_view>

namespace wenku {

/// U+FFFD, which stands in for what cannot be decoded.
inline constexpr char32_t replacement_character = 0xFFFD;

/// One character read by next_utf8().
struct Utf8Char {
    char32_t cp = replacement_character;  // U+FFFD when !valid
    std::size_t length = 1;               // bytes consumed, >= 1 (a maximal invalid subpart when !valid)
    bool valid = false;
    bool truncated = false;  // invalid only because the input ended inside the sequence
};

/// Reads the character starting at utf8[i] (i < utf8.size()), strictly: overlong forms, surrogates,
/// code points above U+10FFFF and stray continuation bytes are invalid. Never fails; an invalid
/// sequence is returned with valid = false, to be skipped by its length.
inline Utf8Char next_utf8(std::string_view utf8, std::size_t i) {
    const auto byte_at = [&](std::size_t k) -> unsigned { return static_cast<unsigned char>(utf8[k]); };
    const unsigned b0 = byte_at(i);
    if (b0 < 0x80) return {b0, 1, true, false};
    std::size_t continuation_bytes = 0;
    unsigned lo = 0x80;
    unsigned hi = 0xBF;
    char32_t cp = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        continuation_bytes = 1;
        cp = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        continuation_bytes = 2;
        cp = b0 & 0x0F;
        if (b0 == 0xE0) lo = 0xA0;  // overlong
        if (b0 == 0xED) hi = 0x9F;  // surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        continuation_bytes = 3;
        cp = b0 & 0x07;
        if (b0 == 0xF0) lo = 0x90;  // overlong
        if (b0 == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
        return {replacement_character, 1, false, false};
    }
    std::size_t length = 1;
    for (std::size_t k = 0; k < continuation_bytes; ++k) {
        if (i + length >= utf8.size()) return {replacement_character, length, false, true};
        const unsigned b = byte_at(i + length);
        if (b < lo || b > hi) return {replacement_character, length, false, false};
        cp = (cp << 6) | (b & 0x3F);
        lo = 0x80;
        hi = 0xBF;
        ++length;
    }
    return {cp, length, true, false};
}

/// Appends `cp` as UTF-8; surrogates and values past U+10FFFF become U+FFFD.
void append_utf8(std::string& out, char32_t cp);

/// The code points of `utf8`, read with next_utf8(); invalid, overlong and truncated sequences are
/// dropped.
std::u32string decode_utf8(std::string_view utf8);

/// `text` as UTF-8.
std::string encode_utf8(std::u32string_view text);

/// Encodes UTF-8 text in `charset` (an iconv name such as "GB18030" or "UTF-16LE"). Throws
/// UsageError when iconv does not know the charset or a character has no mapping in it.
std::string encode_from_utf8(std::string_view utf8, const char* charset);

}  // namespace wenku
