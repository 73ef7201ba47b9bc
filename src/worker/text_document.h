#pragma once
// Plain text and Markdown become HTML that render_html() lays out into pages.
// Pure functions over untrusted bytes (fuzzed); run inside the worker.
#include <string>
#include <string_view>

namespace wenku::worker {

/// The encodings a text file can arrive in.
enum class TextEncoding { utf8, utf8_bom, utf16le_bom, utf16be_bom, gb18030, latin1 };
const char* to_string(TextEncoding e);

/// Detects the encoding of `bytes`: BOMs first, then valid UTF-8, then GB18030 (GBK is a subset)
/// when the bytes decode as GB18030 and read as Chinese, else Latin-1 (windows-1252).
TextEncoding detect_text_encoding(std::string_view bytes);

/// Decodes `bytes` in `encoding` to UTF-8; invalid sequences become U+FFFD. Line ends become '\n'.
std::string decode_to_utf8(std::string_view bytes, TextEncoding encoding);

/// Does this (already decoded) text look like a text file rather than binary data?
/// False when it holds NUL bytes or too many control characters.
bool looks_like_text(std::string_view utf8);

/// Escaped HTML for plain text: paragraphs and line breaks kept, wrapped for A4, CJK-friendly CSS.
std::string text_to_html(std::string_view utf8);

/// HTML for Markdown (CommonMark + GitHub tables/strikethrough via md4c), raw HTML in the source
/// escaped rather than passed through, with the same page CSS as text_to_html().
std::string markdown_to_html(std::string_view utf8);

/// The first heading ("# ..." or setext) of Markdown, or empty.
std::string markdown_title(std::string_view utf8);
/// The first non-blank line, trimmed and cut to 80 characters at a character boundary, or empty.
std::string first_line_title(std::string_view utf8);

}  // namespace wenku::worker
