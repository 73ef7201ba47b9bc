#pragma once
// The encodings a text file arrives in: detecting them, decoding to UTF-8, and telling text from
// binary data. Pure functions over untrusted bytes (fuzzed); run inside the worker. Work is linear
// in the input and never more than a small multiple of it is allocated.
#include <string>
#include <string_view>

namespace wenku::worker {

/// The encodings a text file can arrive in.
enum class TextEncoding { utf8, utf8_bom, utf16le_bom, utf16be_bom, utf32le, utf32be, gb18030, big5, latin1 };
/// A stable lower-case name ("utf8", "gb18030", ...), for logs and the conversion result.
const char* to_string(TextEncoding e);

/// Detects the encoding of `bytes`: a UTF-32 or UTF-8 or UTF-16 byte-order mark first (UTF-32's
/// FF FE 00 00 before UTF-16's FF FE); then UTF-32 without a mark when every 4-byte unit is a
/// Unicode scalar value other than NUL in one byte order and not in the other (utf32le/utf32be
/// name both forms: a mark, when present, is dropped by decoding); then UTF-8 when the bytes are
/// strictly valid UTF-8 (a sequence cut off by the end of the file is tolerated), or when at most
/// one multi-byte sequence in ten is broken; then Chinese double-byte text: GB18030 (GBK and
/// GB2312 are subsets) or Big5 (read as Windows code page 950), whichever reads the bytes with
/// fewer broken sequences and more of its frequent characters (see reads_as_big5 in the source);
/// else Latin-1 (decoded as windows-1252). Never fails: every byte string is some Latin-1 text.
TextEncoding detect_text_encoding(std::string_view bytes);

/// Decodes `bytes` in `encoding` to valid UTF-8. A leading byte-order mark is dropped; invalid or
/// truncated sequences and lone UTF-16 surrogates become U+FFFD; CRLF and CR become '\n'; the
/// control characters of is_dropped_control() are dropped.
/// Throws EnvironmentError only when glibc cannot provide its GB18030 or CP950 converter (see
/// prepare_text_decoding()).
std::string decode_to_utf8(std::string_view bytes, TextEncoding encoding);

/// Loads glibc's GB18030 and CP950 (Big5) converters for the calling thread now, so that
/// decode_to_utf8() keeps working after the worker has lost access to /usr/lib/.../gconv (call it
/// before sandboxing). Throws EnvironmentError when a converter is unavailable.
void prepare_text_decoding();

/// Does `bytes`, read in `encoding`, look like a text file rather than binary data? Looks at the
/// first 64 KiB only: false when they hold a NUL character, or when more than 5% of their
/// characters are control characters (other than tab, line feed, carriage return and form feed),
/// C1 controls, or undecodable (U+FFFD). Pass the raw bytes with their detected encoding: text that
/// went through decode_to_utf8() has lost its control characters, so only U+FFFD still counts.
bool looks_like_text(std::string_view bytes, TextEncoding encoding = TextEncoding::utf8);

/// NUL and the other C0 control characters except '\n' and '\t', and DEL: never useful in a
/// rendered text, so decoding and titles drop them.
inline bool is_dropped_control(char32_t cp) { return (cp < 0x20 && cp != '\n' && cp != '\t') || cp == 0x7F; }

}  // namespace wenku::worker
