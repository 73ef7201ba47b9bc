#pragma once
// Plain text and Markdown become HTML that render_html() lays out into pages.
// Pure functions over untrusted bytes (fuzzed); run inside the worker. None of them crashes, loops
// or allocates more than a small multiple of its input on any input; work is linear in input size.
#include <string>
#include <string_view>

namespace wenku::worker {

/// The encodings a text file can arrive in.
enum class TextEncoding { utf8, utf8_bom, utf16le_bom, utf16be_bom, gb18030, latin1 };
/// A stable lower-case name ("utf8", "gb18030", ...), for logs and the conversion result.
const char* to_string(TextEncoding e);

/// Detects the encoding of `bytes`: a UTF-8 or UTF-16 byte-order mark first; then UTF-8 when the
/// bytes are strictly valid UTF-8 (a sequence cut off by the end of the file is tolerated); then
/// GB18030 (GBK and GB2312 are subsets) when the bytes have GB18030's structure and most
/// double-byte characters fall in GB2312's hanzi and punctuation rows; then UTF-8 again when at
/// most one multi-byte sequence in ten is broken; else Latin-1 (decoded as windows-1252).
/// Never fails: every byte string is some Latin-1 text.
TextEncoding detect_text_encoding(std::string_view bytes);

/// Decodes `bytes` in `encoding` to valid UTF-8. A leading byte-order mark is dropped; invalid or
/// truncated sequences and lone UTF-16 surrogates become U+FFFD; CRLF and CR become '\n'; NUL and
/// the other C0 control characters except '\n' and '\t' (and DEL) are dropped.
/// Throws EnvironmentError only when glibc cannot provide its GB18030 converter (see
/// prepare_text_decoding()).
std::string decode_to_utf8(std::string_view bytes, TextEncoding encoding);

/// Loads glibc's GB18030 converter for the calling thread now, so that decode_to_utf8() keeps
/// working after the worker has lost access to /usr/lib/.../gconv (call it before sandboxing).
/// Throws EnvironmentError when the converter is unavailable.
void prepare_text_decoding();

/// Encodes UTF-8 text in `charset` (an iconv name such as "GB18030" or "UTF-16LE"). Throws
/// UsageError when iconv does not know the charset or a character has no mapping in it.
std::string encode_from_utf8(std::string_view utf8, const char* charset);

/// Does `bytes`, read in `encoding`, look like a text file rather than binary data? Looks at the
/// first 64 KiB only: false when they hold a NUL character, or when more than 5% of their
/// characters are control characters (other than tab, line feed, carriage return and form feed),
/// C1 controls, or undecodable (U+FFFD). Pass the raw bytes with their detected encoding: text that
/// went through decode_to_utf8() has lost its control characters, so only U+FFFD still counts.
bool looks_like_text(std::string_view bytes, TextEncoding encoding = TextEncoding::utf8);

/// A complete HTML document for plain text, for A4 pages: special characters escaped, blank lines
/// separate paragraphs, single line breaks kept, runs of spaces and indentation kept (tabs expand
/// to 4 columns), long unbreakable runs given break opportunities (U+200B), CJK-friendly CSS.
/// Invalid UTF-8 in `utf8` becomes U+FFFD.
std::string text_to_html(std::string_view utf8);

/// A complete HTML document for Markdown (CommonMark + GitHub tables, strikethrough, task lists and
/// autolinks, via md4c), with the same page CSS as text_to_html(). Hostile input stays inert: raw
/// HTML is escaped and shown as text, images become their alt text (nothing is ever loaded), links
/// keep their target only for http, https, mailto and in-page (#) targets, YAML front matter is
/// left out, and nesting deeper than the layout engine should see is flattened.
std::string markdown_to_html(std::string_view utf8);

/// The text of the first non-empty heading (ATX "# ..." or setext) of Markdown, with inline markup,
/// images and raw HTML removed, whitespace collapsed and cut to 80 characters; headings inside
/// code blocks and YAML front matter are skipped. Empty when there is no such heading.
std::string markdown_title(std::string_view utf8);

/// The first non-blank line, trimmed and cut to 80 characters (code points, never splitting one),
/// or empty. Invalid UTF-8 becomes U+FFFD; control characters are dropped.
std::string first_line_title(std::string_view utf8);

}  // namespace wenku::worker
