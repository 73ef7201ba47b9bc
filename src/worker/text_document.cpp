#include "worker/text_document.h"

#include <iconv.h>
#include <md4c-html.h>
#include <md4c.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "core/utf8.h"
#include "core/errors.h"

namespace wenku::worker {
namespace {

// --- Limits -----------------------------------------------------------------------------------

/// looks_like_text() judges the file by this many leading bytes.
constexpr std::size_t kSniffBytes = 64 * 1024;
/// Titles are cut to this many code points.
constexpr std::size_t kMaxTitleCodePoints = 80;
/// Heading text collected for markdown_title() before it is cut (bounds memory on huge headings).
constexpr std::size_t kMaxHeadingBytes = 4096;
/// After this many code points without a break opportunity, a U+200B is inserted so that MuPDF can
/// wrap the line (it overflows the page otherwise). 32 wide Latin glyphs still fit an A4 line.
constexpr int kMaxUnbreakableRun = 32;
/// Elements nested deeper than this are dropped from Markdown output (their text is kept): the HTML
/// parser and layout engine recurse per level.
constexpr std::size_t kMaxHtmlNesting = 32;
/// Tab stops in plain text, in columns.
constexpr std::size_t kTabWidth = 4;

constexpr char32_t kReplacement = 0xFFFD;

// --- UTF-8 ------------------------------------------------------------------------------------

unsigned byte_at(std::string_view s, std::size_t i) { return static_cast<unsigned char>(s[i]); }

struct Utf8Char {
    char32_t cp = kReplacement;  // U+FFFD when !valid
    std::size_t length = 1;      // bytes consumed, >= 1 (a maximal invalid subpart when !valid)
    bool valid = false;
    bool truncated = false;  // invalid only because the input ended inside the sequence
};

/// Reads one strictly valid UTF-8 character at s[i] (i < s.size()): no overlong forms, surrogates
/// or code points above U+10FFFF.
Utf8Char next_utf8(std::string_view s, std::size_t i) {
    const unsigned b0 = byte_at(s, i);
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
        return {kReplacement, 1, false, false};
    }
    std::size_t length = 1;
    for (std::size_t k = 0; k < continuation_bytes; ++k) {
        if (i + length >= s.size()) return {kReplacement, length, false, true};
        const unsigned b = byte_at(s, i + length);
        if (b < lo || b > hi) return {kReplacement, length, false, false};
        cp = (cp << 6) | (b & 0x3F);
        lo = 0x80;
        hi = 0xBF;
        ++length;
    }
    return {cp, length, true, false};
}


/// C0 controls other than '\n' and '\t', and DEL: never useful in a rendered text.
bool is_dropped_control(char32_t cp) { return (cp < 0x20 && cp != '\n' && cp != '\t') || cp == 0x7F; }

/// Whitespace for trimming titles and finding blank lines: ASCII blanks, NBSP, ideographic space,
/// and a stray byte-order mark.
bool is_blank_char(char32_t cp) {
    return cp == ' ' || cp == '\t' || cp == '\f' || cp == '\v' || cp == 0xA0 || cp == 0x3000 || cp == 0xFEFF;
}

/// Collects decoded code points as UTF-8: drops a leading BOM, turns CRLF and CR into '\n' and,
/// when asked, drops control characters.
class Utf8Builder {
public:
    explicit Utf8Builder(bool drop_controls, std::size_t expected_bytes) : drop_controls_(drop_controls) {
        out_.reserve(expected_bytes);
    }

    void put(char32_t cp) {
        const bool first = at_start_;
        at_start_ = false;
        if (first && cp == 0xFEFF) return;
        const bool after_cr = after_cr_;
        after_cr_ = false;
        if (cp == '\r') {
            out_ += '\n';
            after_cr_ = true;
            return;
        }
        if (cp == '\n' && after_cr) return;
        if (drop_controls_ && is_dropped_control(cp)) return;
        append_utf8(out_, cp);
    }

    std::string take() { return std::move(out_); }

private:
    std::string out_;
    bool drop_controls_;
    bool at_start_ = true;
    bool after_cr_ = false;
};

// --- Decoders ---------------------------------------------------------------------------------

void decode_utf8(std::string_view bytes, Utf8Builder& out) {
    for (std::size_t i = 0; i < bytes.size();) {
        const Utf8Char c = next_utf8(bytes, i);
        out.put(c.cp);
        i += c.length;
    }
}

void decode_utf16(std::string_view bytes, bool little_endian, Utf8Builder& out) {
    const auto unit = [&](std::size_t i) -> char32_t {
        const unsigned first = byte_at(bytes, i);
        const unsigned second = byte_at(bytes, i + 1);
        return little_endian ? (second << 8 | first) : (first << 8 | second);
    };
    std::size_t i = 0;
    while (i + 1 < bytes.size()) {
        const char32_t u = unit(i);
        i += 2;
        if (u >= 0xD800 && u <= 0xDBFF) {
            if (i + 1 < bytes.size()) {
                const char32_t low = unit(i);
                if (low >= 0xDC00 && low <= 0xDFFF) {
                    i += 2;
                    out.put(0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00));
                    continue;
                }
            }
            out.put(kReplacement);  // high surrogate without its low half
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
            out.put(kReplacement);  // low surrogate alone
        } else {
            out.put(u);
        }
    }
    if (i < bytes.size()) out.put(kReplacement);  // odd trailing byte
}

/// windows-1252's 0x80-0x9F; its five unassigned bytes become U+FFFD.
constexpr std::array<char16_t, 32> kWindows1252High = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

void decode_windows1252(std::string_view bytes, Utf8Builder& out) {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const unsigned b = byte_at(bytes, i);
        out.put(b >= 0x80 && b < 0xA0 ? kWindows1252High[b - 0x80] : b);
    }
}

/// One glibc GB18030 -> UTF-8 converter per thread, opened on first use and kept open, so that the
/// gconv module stays loaded once the worker is sandboxed.
class Gb18030Converter {
public:
    Gb18030Converter() = default;
    Gb18030Converter(const Gb18030Converter&) = delete;
    Gb18030Converter& operator=(const Gb18030Converter&) = delete;
    ~Gb18030Converter() {
        if (is_open()) ::iconv_close(cd_);
    }

    /// The converter in its initial state; throws EnvironmentError when glibc cannot provide it.
    iconv_t get() {
        if (!is_open()) {
            cd_ = ::iconv_open("UTF-8", "GB18030");
            if (!is_open()) {
                throw EnvironmentError(std::string("cannot decode GB18030 text: iconv_open failed (") +
                                       std::strerror(errno) + "); are glibc's gconv modules installed?");
            }
        }
        ::iconv(cd_, nullptr, nullptr, nullptr, nullptr);
        return cd_;
    }

private:
    bool is_open() const { return cd_ != kClosed; }
    static inline const iconv_t kClosed = reinterpret_cast<iconv_t>(static_cast<std::intptr_t>(-1));
    iconv_t cd_ = kClosed;
};

Gb18030Converter& thread_gb18030_converter() {
    thread_local Gb18030Converter converter;
    return converter;
}

void decode_gb18030(std::string_view bytes, Utf8Builder& out) {
    iconv_t cd = thread_gb18030_converter().get();
    char* in = const_cast<char*>(bytes.data());  // iconv's signature; it never writes the input
    std::size_t in_left = bytes.size();
    std::array<char, 16384> buffer{};
    while (true) {
        char* out_ptr = buffer.data();
        std::size_t out_left = buffer.size();
        const std::size_t rc = ::iconv(cd, &in, &in_left, &out_ptr, &out_left);
        const int error = errno;
        // iconv writes whole characters only, so the buffer is always complete UTF-8.
        const auto produced = static_cast<std::size_t>(out_ptr - buffer.data());
        decode_utf8(std::string_view(buffer.data(), produced), out);
        if (rc != static_cast<std::size_t>(-1)) break;  // all input converted
        if (error == E2BIG && produced > 0) continue;
        if (error == EILSEQ && in_left > 0) {
            out.put(kReplacement);  // skip one byte and resynchronise
            ++in;
            --in_left;
            continue;
        }
        out.put(kReplacement);  // EINVAL: a sequence cut off by the end of the input
        break;
    }
}

void decode_into(std::string_view bytes, TextEncoding encoding, Utf8Builder& out) {
    switch (encoding) {
    case TextEncoding::utf8:
    case TextEncoding::utf8_bom:
        decode_utf8(bytes, out);
        return;
    case TextEncoding::utf16le_bom:
        decode_utf16(bytes, true, out);
        return;
    case TextEncoding::utf16be_bom:
        decode_utf16(bytes, false, out);
        return;
    case TextEncoding::gb18030:
        decode_gb18030(bytes, out);
        return;
    case TextEncoding::latin1:
        decode_windows1252(bytes, out);
        return;
    }
    decode_windows1252(bytes, out);  // an out-of-range enum value: every byte is some character
}

std::size_t expected_utf8_size(std::size_t byte_count, TextEncoding encoding) {
    switch (encoding) {
    case TextEncoding::utf16le_bom:
    case TextEncoding::utf16be_bom:
    case TextEncoding::gb18030:
        return byte_count + byte_count / 2;
    case TextEncoding::latin1:
        return byte_count + byte_count / 8;
    default:
        return byte_count;
    }
}

// --- Detection --------------------------------------------------------------------------------

struct Utf8Scan {
    std::size_t multibyte = 0;  // valid sequences of 2-4 bytes
    std::size_t invalid = 0;    // invalid sequences, not counting one cut off at the end
    bool truncated = false;     // the input ends inside a sequence
};

Utf8Scan scan_utf8(std::string_view bytes) {
    Utf8Scan scan;
    for (std::size_t i = 0; i < bytes.size();) {
        const Utf8Char c = next_utf8(bytes, i);
        if (c.valid) {
            if (c.length > 1) ++scan.multibyte;
        } else if (c.truncated) {
            scan.truncated = true;
        } else {
            ++scan.invalid;
        }
        i += c.length;
    }
    return scan;
}

struct Gb18030Scan {
    std::size_t double_byte = 0;  // structurally valid 2-byte characters
    std::size_t gb2312 = 0;       // ... of which in GB2312's rows (lead 0xA1-0xF7, trail 0xA1-0xFE)
    std::size_t four_byte = 0;    // structurally valid 4-byte characters
    std::size_t invalid = 0;      // bytes that fit no GB18030 sequence
};

bool in_range(unsigned b, unsigned lo, unsigned hi) { return b >= lo && b <= hi; }

Gb18030Scan scan_gb18030(std::string_view bytes) {
    Gb18030Scan scan;
    const std::size_t n = bytes.size();
    std::size_t i = 0;
    while (i < n) {
        const unsigned lead = byte_at(bytes, i);
        if (lead < 0x80) {
            ++i;
            continue;
        }
        if (!in_range(lead, 0x81, 0xFE)) {
            ++scan.invalid;
            ++i;
            continue;
        }
        if (i + 1 >= n) break;  // cut off by the end of the input: tolerated
        const unsigned second = byte_at(bytes, i + 1);
        if (in_range(second, 0x30, 0x39)) {
            if (i + 3 >= n) break;
            if (in_range(byte_at(bytes, i + 2), 0x81, 0xFE) && in_range(byte_at(bytes, i + 3), 0x30, 0x39)) {
                ++scan.four_byte;
                i += 4;
            } else {
                ++scan.invalid;
                ++i;
            }
        } else if (in_range(second, 0x40, 0x7E) || in_range(second, 0x80, 0xFE)) {
            ++scan.double_byte;
            if (in_range(lead, 0xA1, 0xF7) && in_range(second, 0xA1, 0xFE)) ++scan.gb2312;
            i += 2;
        } else {
            ++scan.invalid;
            ++i;
        }
    }
    return scan;
}

/// GB18030 structure with at most 1% broken sequences, and more than half of the double-byte
/// characters in GB2312's hanzi and punctuation rows: Latin-1 text, whose accented letters pair up
/// with ASCII (é + a is a valid GBK pair, but outside GB2312), fails the second test.
bool reads_as_chinese(const Gb18030Scan& scan) {
    return scan.double_byte > 0 && scan.invalid * 100 <= scan.double_byte + scan.four_byte &&
           scan.gb2312 * 2 > scan.double_byte;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// --- HTML output ------------------------------------------------------------------------------

void append_escaped(std::string& out, char32_t cp) {
    switch (cp) {
    case '&': out += "&amp;"; return;
    case '<': out += "&lt;"; return;
    case '>': out += "&gt;"; return;
    case '"': out += "&quot;"; return;
    case '\'': out += "&#39;"; return;
    default: append_utf8(out, cp);
    }
}

/// Inserts U+200B into long runs of code points that offer no line-break opportunity.
class BreakInserter {
public:
    /// Inserts a break after `max_run` code points without a break opportunity.
    explicit BreakInserter(int max_run = kMaxUnbreakableRun) : max_run_(max_run) {}

    /// Call before appending `cp` to `out`.
    void before(std::string& out, char32_t cp) {
        if (cp == ' ' || cp == '\t' || cp == '\n' || cp == 0x200B || cp >= 0x2E80) {
            run_ = 0;  // MuPDF may break here, or between CJK characters
            return;
        }
        if (run_ >= max_run_) {
            append_utf8(out, 0x200B);
            run_ = 0;
        }
        ++run_;
    }

private:
    int max_run_;
    int run_ = 0;
};

/// Appends already-escaped HTML text, counting an entity (&amp;) as one character for `breaks`.
void append_text_with_breaks(std::string& out, std::string_view text, BreakInserter& breaks) {
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == '&') {
            std::size_t end = i + 1;
            while (end < text.size() && end - i < 12 && text[end] != ';' && text[end] != '&' && text[end] != '<') ++end;
            if (end < text.size() && text[end] == ';') {
                breaks.before(out, 'x');
                out.append(text.substr(i, end + 1 - i));
                i = end + 1;
                continue;
            }
        }
        const Utf8Char c = next_utf8(text, i);
        breaks.before(out, c.cp);
        if (c.valid) {
            out.append(text.substr(i, c.length));
        } else {
            append_utf8(out, kReplacement);
        }
        i += c.length;
    }
}

// The page CSS, as MuPDF 1.21's HTML engine draws it: @page margins, white-space: pre-wrap,
// block backgrounds and borders, font-size and line-height work. Table cells do not share their
// row's height, so boxed cells come out ragged: tables get rules between rows instead.
// text-decoration (strikethrough) is not drawn. The CJK fallback font follows the `lang` of the
// element (lang on <html> is ignored, hence lang on <body>) and is a serif face with no bold, so
// body text is serif to match it.
constexpr std::string_view kPageCss =
    "@page { margin: 2cm; }\n"
    "body { margin: 0; font-family: serif; font-size: 11pt; line-height: 1.6; color: #111; }\n"
    "p { margin: 0 0 0.7em 0; }\n";

constexpr std::string_view kTextCss = "p { white-space: pre-wrap; }\n";

constexpr std::string_view kMarkdownCss =
    "h1, h2, h3, h4, h5, h6 { font-weight: bold; line-height: 1.3; margin: 1em 0 0.5em 0; }\n"
    "h1 { font-size: 1.8em; } h2 { font-size: 1.45em; } h3 { font-size: 1.2em; }\n"
    "h4 { font-size: 1.05em; } h5 { font-size: 1em; } h6 { font-size: 0.95em; color: #444; }\n"
    "ul, ol { margin: 0 0 0.7em 0; padding-left: 2em; }\n"
    "li { margin: 0.1em 0; }\n"
    "blockquote { margin: 0 0 0.7em 0; padding-left: 1em; border-left: 2pt solid #ccc; color: #444; }\n"
    "pre { white-space: pre-wrap; font-family: monospace; font-size: 9pt; line-height: 1.45;"
    " background-color: #f4f4f4; padding: 6pt; margin: 0 0 0.7em 0; }\n"
    "code { font-family: monospace; font-size: 0.9em; }\n"
    "pre code { font-size: 1em; }\n"
    "table { margin: 0 0 0.7em 0; border-top: 1pt solid #555; }\n"
    "tr { border-bottom: 0.5pt solid #999; }\n"
    "th, td { padding: 2pt 5pt; vertical-align: top; }\n"
    "th { font-weight: bold; }\n"
    "hr { border: 0; border-top: 0.5pt solid #999; margin: 1em 0; }\n"
    "a { color: #1a4f8b; text-decoration: none; }\n"
    ".image { color: #666; font-style: italic; }\n";

std::string html_document(std::string_view css, std::string_view body) {
    std::string html;
    html.reserve(body.size() + css.size() + kPageCss.size() + 200);
    html += "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<style>\n";
    html += kPageCss;
    html += css;
    html += "</style>\n</head>\n<body lang=\"zh-CN\">\n";
    html += body;
    html += "</body>\n</html>\n";
    return html;
}

// --- Markdown ---------------------------------------------------------------------------------

constexpr unsigned kMarkdownFlags = MD_DIALECT_GITHUB | MD_FLAG_NOHTML;

bool is_rest_blank(std::string_view line) {
    for (char c : line) {
        if (c != ' ' && c != '\t') return false;
    }
    return true;
}

/// `text` without a leading YAML front matter block ("---" ... "---" or "..."); unchanged when
/// the block is absent or never closed.
std::string_view skip_front_matter(std::string_view text) {
    const auto line_end = [&](std::size_t from) {
        const std::size_t nl = text.find('\n', from);
        return nl == std::string_view::npos ? text.size() : nl;
    };
    std::size_t end = line_end(0);
    std::string_view first = text.substr(0, end);
    if (!starts_with(first, "---") || !is_rest_blank(first.substr(3))) return text;
    std::size_t pos = end + 1;
    while (pos < text.size()) {
        end = line_end(pos);
        const std::string_view line = text.substr(pos, end - pos);
        if ((starts_with(line, "---") || starts_with(line, "...")) && is_rest_blank(line.substr(3))) {
            return end >= text.size() ? std::string_view() : text.substr(end + 1);
        }
        pos = end + 1;
    }
    return text;
}

struct HtmlTag {
    std::string_view whole;  // "<a href=...>"
    std::string_view name;   // "a"
    bool closing = false;    // "</a>"
    bool self_closing = false;
};

/// Parses the tag starting at html[i] == '<'; empty `whole` when it is not a complete tag.
HtmlTag parse_tag(std::string_view html, std::size_t i) {
    HtmlTag tag;
    std::size_t j = i + 1;
    char quote = 0;
    while (j < html.size()) {
        const char c = html[j];
        if (quote) {
            if (c == quote) quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '>') {
            break;
        }
        ++j;
    }
    if (j >= html.size()) return tag;
    tag.whole = html.substr(i, j + 1 - i);
    std::size_t k = 1;
    if (k < tag.whole.size() && tag.whole[k] == '/') {
        tag.closing = true;
        ++k;
    }
    const std::size_t name_start = k;
    while (k < tag.whole.size() && std::isalnum(static_cast<unsigned char>(tag.whole[k]))) ++k;
    tag.name = tag.whole.substr(name_start, k - name_start);
    tag.self_closing = tag.whole.size() >= 2 && tag.whole[tag.whole.size() - 2] == '/';
    return tag;
}

/// The raw (still escaped) value of attribute `name` in `tag`; nullopt-like `found` when absent.
struct AttributeValue {
    bool found = false;
    std::string_view value;
};

AttributeValue tag_attribute(const HtmlTag& tag, std::string_view name) {
    const std::string_view t = tag.whole;
    std::size_t k = 1 + (tag.closing ? 1 : 0) + tag.name.size();
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; };
    while (k < t.size()) {
        while (k < t.size() && (is_space(t[k]) || t[k] == '/')) ++k;
        if (k >= t.size() || t[k] == '>') break;
        const std::size_t name_start = k;
        while (k < t.size() && !is_space(t[k]) && t[k] != '=' && t[k] != '>' && t[k] != '/') ++k;
        const std::string_view attr = t.substr(name_start, k - name_start);
        std::string_view value;
        if (k < t.size() && t[k] == '=') {
            ++k;
            if (k < t.size() && (t[k] == '"' || t[k] == '\'')) {
                const char quote = t[k++];
                const std::size_t value_start = k;
                while (k < t.size() && t[k] != quote) ++k;
                value = t.substr(value_start, k - value_start);
                if (k < t.size()) ++k;
            } else {
                const std::size_t value_start = k;
                while (k < t.size() && !is_space(t[k]) && t[k] != '>') ++k;
                value = t.substr(value_start, k - value_start);
            }
        }
        if (attr.size() == name.size() && std::equal(attr.begin(), attr.end(), name.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) == b;
            })) {
            return {true, value};
        }
        if (attr.empty()) ++k;  // stray character: make progress
    }
    return {};
}

bool starts_with_ignoring_case(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
    }
    return true;
}

/// Link targets worth keeping in a rendered page. Everything else (javascript:, data:, file:,
/// relative paths that would resolve against the worker's files) loses its href.
bool is_safe_href(std::string_view href) {
    return starts_with_ignoring_case(href, "http://") || starts_with_ignoring_case(href, "https://") ||
           starts_with_ignoring_case(href, "mailto:") || starts_with(href, "#");
}

bool is_void_element(std::string_view name) {
    return name == "img" || name == "br" || name == "hr" || name == "input" || name == "meta" || name == "link";
}

/// Rewrites md4c's HTML (in which every '<' starts a tag md4c wrote: text '<' is always escaped)
/// into what the layout engine may see: images become their alt text, unsafe link targets are
/// dropped, task-list checkboxes become "[x]"/"[ ]", nesting is capped and long words get
/// break opportunities.
std::string neutralize_markdown_html(std::string_view html) {
    std::string out;
    out.reserve(html.size() + html.size() / 16);
    BreakInserter breaks;
    std::vector<std::string_view> open;  // elements kept, at most kMaxHtmlNesting
    std::size_t dropped_open = 0;        // elements dropped for depth, all nested inside `open`
    std::size_t i = 0;
    while (i < html.size()) {
        if (html[i] != '<') {
            std::size_t end = html.find('<', i);
            if (end == std::string_view::npos) end = html.size();
            append_text_with_breaks(out, html.substr(i, end - i), breaks);
            i = end;
            continue;
        }
        const HtmlTag tag = parse_tag(html, i);
        if (tag.whole.empty() || tag.name.empty()) {
            // Not a tag md4c would write. Show the rest as text (stopping here keeps this linear).
            for (; i < html.size(); ++i) {
                if (html[i] == '<') {
                    out += "&lt;";
                } else if (html[i] == '>') {
                    out += "&gt;";
                } else {
                    out += html[i];
                }
            }
            break;
        }
        i += tag.whole.size();
        if (tag.closing) {
            // md4c's output is well nested, so a closing tag belongs to the innermost open element.
            if (dropped_open > 0) {
                --dropped_open;
            } else if (!open.empty() && open.back() == tag.name) {
                out += tag.whole;
                open.pop_back();
            }
            continue;  // a closing tag without its element is dropped
        }
        if (tag.name == "img") {
            // The image's words stand in for it: its alt text, then its title ("alt — title").
            const AttributeValue alt = tag_attribute(tag, "alt");
            const AttributeValue title = tag_attribute(tag, "title");
            if (!alt.value.empty() || !title.value.empty()) {
                out += "<span class=\"image\">";
                append_text_with_breaks(out, alt.value, breaks);
                if (!alt.value.empty() && !title.value.empty()) out += " — ";
                append_text_with_breaks(out, title.value, breaks);
                out += "</span>";
            }
            continue;
        }
        if (tag.name == "input") {
            out += tag_attribute(tag, "checked").found ? "[x] " : "[ ] ";
            continue;
        }
        if (is_void_element(tag.name) || tag.self_closing) {
            out += tag.whole;
            continue;
        }
        if (dropped_open > 0 || open.size() >= kMaxHtmlNesting) {
            ++dropped_open;
            continue;
        }
        open.push_back(tag.name);
        if (tag.name == "a") {
            const AttributeValue href = tag_attribute(tag, "href");
            if (href.found && is_safe_href(href.value)) {
                out += "<a href=\"";
                out += href.value;
                out += "\">";
            } else {
                out += "<a>";
            }
            continue;
        }
        out += tag.whole;
    }
    while (!open.empty()) {  // md4c closes everything; be safe anyway
        out += "</";
        out += open.back();
        out += ">";
        open.pop_back();
    }
    return out;
}

void append_to_string(const MD_CHAR* text, MD_SIZE size, void* userdata) {
    static_cast<std::string*>(userdata)->append(text, size);
}

/// Decodes an entity such as "&amp;", "&#20013;" or "&#x4E2D;"; unknown names stay literal.
void append_entity(std::string& out, std::string_view entity) {
    if (entity.size() >= 4 && entity[1] == '#') {
        const bool hex = entity[2] == 'x' || entity[2] == 'X';
        char32_t value = 0;
        bool ok = true;
        std::size_t digits = 0;
        for (std::size_t k = hex ? 3 : 2; k + 1 < entity.size(); ++k) {
            const char c = entity[k];
            int d = -1;
            if (c >= '0' && c <= '9') d = c - '0';
            else if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
            else if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
            if (d < 0 || ++digits > 8) {
                ok = false;
                break;
            }
            value = value * (hex ? 16 : 10) + static_cast<char32_t>(d);
        }
        if (!ok || digits == 0 || value == 0 || value > 0x10FFFF) value = kReplacement;
        append_utf8(out, value);
        return;
    }
    static constexpr std::pair<std::string_view, char32_t> kNamed[] = {
        {"&amp;", '&'},       {"&lt;", '<'},        {"&gt;", '>'},        {"&quot;", '"'},
        {"&apos;", '\''},     {"&nbsp;", 0xA0},     {"&copy;", 0xA9},     {"&reg;", 0xAE},
        {"&middot;", 0xB7},   {"&ndash;", 0x2013},  {"&mdash;", 0x2014},  {"&lsquo;", 0x2018},
        {"&rsquo;", 0x2019},  {"&ldquo;", 0x201C},  {"&rdquo;", 0x201D},  {"&hellip;", 0x2026},
        {"&trade;", 0x2122},  {"&times;", 0xD7},
    };
    for (const auto& [name, cp] : kNamed) {
        if (entity == name) {
            append_utf8(out, cp);
            return;
        }
    }
    out.append(entity);
}

/// Collects the text of the first non-empty heading while md4c walks the document.
struct HeadingCollector {
    bool in_heading = false;
    bool found = false;
    int image_depth = 0;
    std::string text;

    bool has_text() const {
        for (char c : text) {
            if (c != ' ') return true;
        }
        return false;
    }
};

int heading_enter_block(MD_BLOCKTYPE type, void*, void* userdata) {
    auto* c = static_cast<HeadingCollector*>(userdata);
    if (c->found) return 1;  // md4c does not stop on every non-zero return
    if (type == MD_BLOCK_H) {
        c->in_heading = true;
        c->text.clear();
    }
    return 0;
}

int heading_leave_block(MD_BLOCKTYPE type, void*, void* userdata) {
    auto* c = static_cast<HeadingCollector*>(userdata);
    if (type == MD_BLOCK_H && c->in_heading) {
        c->in_heading = false;
        if (c->has_text()) {
            c->found = true;
            return 1;  // stop parsing
        }
    }
    return 0;
}

int heading_enter_span(MD_SPANTYPE type, void*, void* userdata) {
    if (type == MD_SPAN_IMG) ++static_cast<HeadingCollector*>(userdata)->image_depth;
    return 0;
}

int heading_leave_span(MD_SPANTYPE type, void*, void* userdata) {
    auto* c = static_cast<HeadingCollector*>(userdata);
    if (type == MD_SPAN_IMG && c->image_depth > 0) --c->image_depth;
    return 0;
}

int heading_text(MD_TEXTTYPE type, const MD_CHAR* text, MD_SIZE size, void* userdata) {
    auto* c = static_cast<HeadingCollector*>(userdata);
    if (!c->in_heading || c->image_depth > 0 || c->text.size() >= kMaxHeadingBytes) return 0;
    const std::string_view piece(text, size);
    switch (type) {
    case MD_TEXT_NORMAL:
    case MD_TEXT_CODE:
    case MD_TEXT_LATEXMATH:
        c->text.append(piece);
        break;
    case MD_TEXT_ENTITY:
        append_entity(c->text, piece);
        break;
    case MD_TEXT_NULLCHAR:
        append_utf8(c->text, kReplacement);
        break;
    case MD_TEXT_BR:
    case MD_TEXT_SOFTBR:
        c->text += ' ';
        break;
    default:  // raw HTML: not part of the title
        break;
    }
    return 0;
}

/// Valid UTF-8 `text` with whitespace runs collapsed to one space, controls dropped, trimmed and
/// cut to `max_code_points`.
std::string clean_title(std::string_view text, std::size_t max_code_points) {
    std::string out;
    std::size_t count = 0;
    bool pending_space = false;
    for (std::size_t i = 0; i < text.size() && count < max_code_points;) {
        const Utf8Char c = next_utf8(text, i);
        i += c.length;
        if (is_blank_char(c.cp) || c.cp == '\n' || c.cp == '\r') {
            pending_space = !out.empty();
            continue;
        }
        if (is_dropped_control(c.cp)) continue;
        if (pending_space) {
            out += ' ';
            ++count;
            pending_space = false;
            if (count >= max_code_points) break;
        }
        append_utf8(out, c.cp);
        ++count;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

// --- CSV --------------------------------------------------------------------------------------

/// detect_csv_delimiter() looks at this many leading bytes and records.
constexpr std::size_t kCsvSniffBytes = 64 * 1024;
constexpr std::size_t kCsvSniffRecords = 50;
/// Candidates in order of preference on a tie.
constexpr char kCsvDelimiters[] = {'\t', ';', ','};
/// A header cell longer than this (code points) is taken for data.
constexpr std::size_t kCsvMaxHeaderCell = 40;
/// Break opportunities in table cells come more often than in running text: columns are narrow.
constexpr int kCsvMaxUnbreakableRun = 16;
/// Tables wider than this are set as one paragraph per record: columns would be too narrow.
constexpr std::size_t kCsvMaxTableColumns = 24;

/// Reads CSV records one at a time. For every field of a record it calls sink.begin_field(), then
/// sink.append(piece) for each piece of the field's text (a quoted field with doubled quotes comes
/// in several pieces). Every byte of the input is looked at once.
class CsvReader {
public:
    CsvReader(std::string_view text, char delimiter) : text_(text), delimiter_(delimiter) {
        stops_[0] = delimiter;
    }

    /// Position of the next unread byte.
    std::size_t position() const { return pos_; }

    /// Reads one record; false (and no calls) at the end of the input.
    template <class Sink>
    bool read_record(Sink& sink) {
        if (pos_ >= text_.size()) return false;
        sink.begin_field();
        bool at_field_start = true;
        while (pos_ < text_.size()) {
            if (at_field_start && text_[pos_] == '"') {
                read_quoted(sink);
                at_field_start = false;
                continue;
            }
            std::size_t end = text_.find_first_of(std::string_view(stops_, 3), pos_);
            if (end == std::string_view::npos) end = text_.size();
            if (end > pos_) sink.append(text_.substr(pos_, end - pos_));
            pos_ = end;
            at_field_start = false;
            if (pos_ >= text_.size()) break;
            const char c = text_[pos_++];
            if (c == delimiter_) {
                sink.begin_field();
                at_field_start = true;
                continue;
            }
            if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
            break;  // end of the record
        }
        return true;
    }

private:
    // Reads a quoted section starting at the opening quote, up to and including its closing quote.
    template <class Sink>
    void read_quoted(Sink& sink) {
        ++pos_;
        while (pos_ < text_.size()) {
            const std::size_t quote = text_.find('"', pos_);
            if (quote == std::string_view::npos) {  // never closed: the rest of the input
                sink.append(text_.substr(pos_));
                pos_ = text_.size();
                return;
            }
            if (quote > pos_) sink.append(text_.substr(pos_, quote - pos_));
            pos_ = quote + 1;
            if (pos_ < text_.size() && text_[pos_] == '"') {
                sink.append("\"");
                ++pos_;
                continue;
            }
            return;
        }
    }

    std::string_view text_;
    char delimiter_;
    char stops_[3] = {',', '\n', '\r'};
    std::size_t pos_ = 0;
};

/// Counts the fields of a record and whether any has text.
struct CsvFieldCounter {
    std::size_t fields = 0;
    bool has_text = false;
    void begin_field() { ++fields; }
    void append(std::string_view piece) { has_text = has_text || !piece.empty(); }
};

/// Collects a record into cells within CsvLimits. With `keep` false it only counts.
class CsvRowBuilder {
public:
    CsvRowBuilder(const CsvLimits& limits, char delimiter)
        : limits_(limits),
          separator_(delimiter == '\t' ? std::string(" ") : std::string(1, delimiter) + " ") {}

    void start(bool keep) {
        keep_ = keep;
        cells_.clear();
        fields_ = 0;
        has_text_ = false;
        cut_ = false;
        pending_separator_ = false;
    }

    void begin_field() {
        ++fields_;
        if (!keep_) return;
        if (cells_.size() < std::max<std::size_t>(1, limits_.max_columns)) {
            cells_.emplace_back();
            cut_ = false;
            return;
        }
        // Past the last column: the field joins the last cell, after a separator, if it has text.
        pending_separator_ = !cells_.back().empty();
    }

    void append(std::string_view piece) {
        if (piece.empty()) return;
        has_text_ = true;
        if (!keep_) return;
        if (pending_separator_) {
            add(separator_);
            pending_separator_ = false;
        }
        add(piece);
    }

    std::size_t fields() const { return fields_; }
    bool blank() const { return fields_ <= 1 && !has_text_; }
    bool cut_any() const { return cut_any_; }
    std::vector<std::string> take() { return std::move(cells_); }

private:
    void add(std::string_view piece) {
        if (cut_) return;
        std::string& cell = cells_.back();
        const std::size_t room =
            limits_.max_cell_bytes > cell.size() ? limits_.max_cell_bytes - cell.size() : 0;
        if (piece.size() <= room) {
            cell.append(piece);
            return;
        }
        std::size_t keep = room;
        while (keep > 0 && (byte_at(piece, keep) & 0xC0) == 0x80) --keep;  // never split a character
        cell.append(piece.substr(0, keep));
        cell += "…";
        cut_ = true;
        cut_any_ = true;
    }

    const CsvLimits& limits_;
    std::string separator_;
    std::vector<std::string> cells_;
    std::size_t fields_ = 0;
    bool keep_ = true;
    bool has_text_ = false;
    bool cut_ = false;
    bool cut_any_ = false;
    bool pending_separator_ = false;
};

/// How consistently `delimiter` splits the first records: how many of `records` records have the
/// most common field count (`fields`, at least 2 for a real split).
struct DelimiterFit {
    std::size_t matching = 0;
    std::size_t records = 0;
    std::size_t fields = 0;
};

DelimiterFit fit_of(std::string_view sample, char delimiter) {
    CsvReader reader(sample, delimiter);
    std::vector<std::size_t> counts;
    while (counts.size() < kCsvSniffRecords) {
        CsvFieldCounter counter;
        if (!reader.read_record(counter)) break;
        if (counter.fields <= 1 && !counter.has_text) continue;  // blank line
        counts.push_back(counter.fields);
    }
    // The last record of a cut-off sample may be incomplete.
    if (counts.size() > 1 && reader.position() >= sample.size() && sample.size() == kCsvSniffBytes) {
        counts.pop_back();
    }
    DelimiterFit fit;
    fit.records = counts.size();
    std::vector<std::size_t> sorted = counts;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < sorted.size();) {
        std::size_t j = i;
        while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
        if (j - i > fit.matching || (j - i == fit.matching && sorted[i] > fit.fields)) {
            fit.matching = j - i;
            fit.fields = sorted[i];
        }
        i = j;
    }
    return fit;
}

/// Numbers, amounts, percentages, dates and times: digits with separators, signs and units.
bool looks_numeric(std::string_view cell) {
    bool digit = false;
    for (std::size_t i = 0; i < cell.size();) {
        const Utf8Char c = next_utf8(cell, i);
        i += c.length;
        if (c.cp >= '0' && c.cp <= '9') {
            digit = true;
            continue;
        }
        static constexpr std::u32string_view kAllowed = U" +-.,:/%()$€£¥年月日时分秒元";
        if (kAllowed.find(c.cp) == std::u32string_view::npos) return false;
    }
    return digit;
}

std::size_t code_point_count(std::string_view s) {
    std::size_t n = 0;
    for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

std::string_view trim_blanks(std::string_view s) {
    const std::size_t b = s.find_first_not_of(" \t\n");
    if (b == std::string_view::npos) return {};
    const std::size_t e = s.find_last_not_of(" \t\n");
    return s.substr(b, e - b + 1);
}

/// Is the first record a header? It must be followed by data, and its cells must be non-empty,
/// distinct, short, single-line and not numbers or dates.
bool looks_like_header(const CsvTable& table) {
    if (table.rows.size() < 2) return false;
    const auto& first = table.rows.front();
    std::vector<std::string_view> seen;
    for (const auto& raw : first) {
        const std::string_view cell = trim_blanks(raw);
        if (cell.empty() || cell.find('\n') != std::string_view::npos ||
            code_point_count(cell) > kCsvMaxHeaderCell || looks_numeric(cell) ||
            std::find(seen.begin(), seen.end(), cell) != seen.end()) {
            return false;
        }
        seen.push_back(cell);
    }
    return true;
}

/// Appends one cell's text, escaped, with line breaks kept and a break opportunity after every
/// `max_run` code points that offer none.
void append_csv_cell(std::string& out, std::string_view cell, int max_run) {
    BreakInserter breaks(max_run);
    const std::string_view text = trim_blanks(cell);
    for (std::size_t i = 0; i < text.size();) {
        const Utf8Char c = next_utf8(text, i);
        i += c.length;
        if (c.cp == '\n') {
            out += "<br/>";
            breaks.before(out, '\n');
            continue;
        }
        breaks.before(out, c.cp);
        append_escaped(out, c.cp);
    }
}

/// How a table of `columns` columns is set: MuPDF divides the width evenly, so the font shrinks
/// with the number of columns, and long unbreakable values get break opportunities at about the
/// column's width in characters (else they would run into the next column).
struct CsvTableStyle {
    const char* css_class;
    int max_run;
};

CsvTableStyle csv_table_style(std::size_t columns) {
    struct Step {
        std::size_t columns;
        const char* css_class;
        float font_pt;
        float padding_pt;
    };
    static constexpr Step kSteps[] = {
        {6, "c6", 10, 8}, {10, "c10", 8.5f, 8}, {16, "c16", 7, 6}, {SIZE_MAX, "cmax", 6, 4}};
    constexpr float kWidthPt = 595 - 2 * 42.5f;  // A4 less the 1.5 cm margins of kCsvCss
    constexpr float kLatinAdvanceEm = 0.55f;     // mean advance of Latin letters and digits
    for (const Step& step : kSteps) {
        if (columns > step.columns) continue;
        const float column_width = kWidthPt / static_cast<float>(std::max<std::size_t>(1, columns));
        const float text_width = column_width - step.padding_pt;
        const int fit = static_cast<int>(text_width / (kLatinAdvanceEm * step.font_pt));
        return {step.css_class, std::clamp(fit, 6, kCsvMaxUnbreakableRun)};
    }
    return {"cmax", 6};
}

/// 1234567 -> "1,234,567".
std::string group_thousands(std::size_t n) {
    const std::string digits = std::to_string(n);
    std::string out;
    out.reserve(digits.size() + digits.size() / 3);
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

/// The table as an HTML table: a header row when there is one, rules between rows.
void append_csv_table(std::string& out, const CsvTable& table, std::size_t columns, bool header) {
    const CsvTableStyle style = csv_table_style(columns);
    out += "<table class=\"";
    out += style.css_class;
    out += "\">\n";
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        const bool head = header && r == 0;
        out += "<tr>";
        const auto& record = table.rows[r];
        for (std::size_t c = 0; c < columns; ++c) {
            out += head ? "<th>" : "<td>";
            if (c < record.size()) append_csv_cell(out, record[c], style.max_run);
            out += head ? "</th>" : "</td>";
        }
        out += "</tr>\n";
    }
    out += "</table>\n";
}

/// The table as one paragraph per record, "name: value" for each non-empty field (names from the
/// header, else column numbers): for tables too wide for a page's width.
void append_csv_records(std::string& out, const CsvTable& table, bool header) {
    const std::vector<std::string> none;
    const std::vector<std::string>& names = header ? table.rows.front() : none;
    for (std::size_t r = header ? 1 : 0; r < table.rows.size(); ++r) {
        out += "<p class=\"record\">";
        bool first = true;
        const auto& record = table.rows[r];
        for (std::size_t c = 0; c < record.size(); ++c) {
            if (trim_blanks(record[c]).empty()) continue;
            if (!first) out += "　";
            first = false;
            out += "<span class=\"name\">";
            if (c < names.size()) {
                append_csv_cell(out, names[c], kCsvMaxUnbreakableRun);
            } else {
                out += std::to_string(c + 1);
            }
            out += "：</span>";
            append_csv_cell(out, record[c], kMaxUnbreakableRun);
        }
        out += "</p>\n";
    }
}

// Rules between rows instead of boxed cells (see kPageCss); narrow page margins for wide tables.
// MuPDF 1.21 gives every column the same width (it ignores width, <col> and colspan), splits a
// tall row across pages and does not repeat a header row (<thead>) on later pages. Its CJK
// fallback font has no bold, so header cells are also shaded.
constexpr std::string_view kCsvCss =
    "@page { margin: 1.5cm; }\n"
    "table { border-top: 1pt solid #555; border-bottom: 1pt solid #555; margin: 0 0 0.7em 0; }\n"
    "tr { border-bottom: 0.4pt solid #bbb; }\n"
    "th, td { padding: 2pt 4pt; vertical-align: top; text-align: left; line-height: 1.35; }\n"
    "th { font-weight: bold; background-color: #eee; }\n"
    "table.c6 { font-size: 10pt; } table.c10 { font-size: 8.5pt; } table.c16 { font-size: 7pt; }\n"
    "table.cmax { font-size: 6pt; } table.cmax th, table.cmax td { padding: 1.5pt 2pt; }\n"
    "p.record { font-size: 9pt; line-height: 1.45; margin: 0; padding: 3pt 0;"
    " border-bottom: 0.4pt solid #bbb; }\n"
    "span.name { color: #555; }\n"
    "p.note { font-size: 9pt; color: #555; }\n";

}  // namespace

// --- Public functions -------------------------------------------------------------------------

const char* to_string(TextEncoding e) {
    switch (e) {
    case TextEncoding::utf8: return "utf8";
    case TextEncoding::utf8_bom: return "utf8_bom";
    case TextEncoding::utf16le_bom: return "utf16le_bom";
    case TextEncoding::utf16be_bom: return "utf16be_bom";
    case TextEncoding::gb18030: return "gb18030";
    case TextEncoding::latin1: return "latin1";
    }
    return "unknown";
}

TextEncoding detect_text_encoding(std::string_view bytes) {
    if (starts_with(bytes, "\xEF\xBB\xBF")) return TextEncoding::utf8_bom;
    if (starts_with(bytes, "\xFF\xFE")) return TextEncoding::utf16le_bom;
    if (starts_with(bytes, "\xFE\xFF")) return TextEncoding::utf16be_bom;
    const Utf8Scan utf8 = scan_utf8(bytes);
    // A lone cut-off sequence is only trusted as UTF-8 when real UTF-8 precedes it: "café" in
    // Latin-1 ends in 0xE9, which also starts a 3-byte UTF-8 sequence.
    if (utf8.invalid == 0 && (!utf8.truncated || utf8.multibyte > 0)) return TextEncoding::utf8;
    // UTF-8 with a few damaged bytes. Checked before GB18030 because UTF-8 Cyrillic or Greek can
    // pass for GB18030; GB18030 and Latin-1 text are never 90% valid UTF-8.
    if (utf8.multibyte > 0 && utf8.invalid * 10 <= utf8.multibyte) return TextEncoding::utf8;
    if (reads_as_chinese(scan_gb18030(bytes))) return TextEncoding::gb18030;
    return TextEncoding::latin1;
}

std::string decode_to_utf8(std::string_view bytes, TextEncoding encoding) {
    Utf8Builder out(true, expected_utf8_size(bytes.size(), encoding));
    decode_into(bytes, encoding, out);
    return out.take();
}

void prepare_text_decoding() { thread_gb18030_converter().get(); }

bool looks_like_text(std::string_view bytes, TextEncoding encoding) {
    const std::string_view head = bytes.substr(0, kSniffBytes);
    Utf8Builder builder(false, expected_utf8_size(head.size(), encoding));
    decode_into(head, encoding, builder);
    const std::string text = builder.take();
    std::size_t total = 0;
    std::size_t suspicious = 0;
    for (std::size_t i = 0; i < text.size();) {
        const Utf8Char c = next_utf8(text, i);  // always valid: the builder wrote it
        i += c.length;
        ++total;
        if (c.cp == 0) return false;
        const bool control = (c.cp < 0x20 && c.cp != '\t' && c.cp != '\n' && c.cp != '\r' && c.cp != '\f') ||
                             (c.cp >= 0x7F && c.cp <= 0x9F);
        if (control || c.cp == kReplacement) ++suspicious;
    }
    // A truncated last character of the 64 KiB window is not the file's fault.
    if (bytes.size() > head.size() && suspicious > 0) --suspicious;
    return suspicious * 20 <= total;
}

std::string text_to_html(std::string_view utf8) {
    const std::string text = decode_to_utf8(utf8, TextEncoding::utf8);
    std::string body;
    body.reserve(text.size() + text.size() / 8 + 64);
    BreakInserter breaks;
    bool in_paragraph = false;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string_view line(text.data() + pos, end - pos);
        pos = end + 1;
        while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);

        bool blank = true;
        for (std::size_t i = 0; i < line.size() && blank;) {
            const Utf8Char c = next_utf8(line, i);
            blank = is_blank_char(c.cp);
            i += c.length;
        }
        if (blank) {
            if (in_paragraph) body += "</p>\n";
            in_paragraph = false;
            continue;
        }
        // No '\n' after <br/>: under white-space: pre-wrap it would be a second line break.
        body += in_paragraph ? "<br/>" : "<p>";
        in_paragraph = true;
        std::size_t column = 0;
        for (std::size_t i = 0; i < line.size();) {
            const Utf8Char c = next_utf8(line, i);
            i += c.length;
            if (c.cp == '\t') {
                const std::size_t spaces = kTabWidth - column % kTabWidth;
                body.append(spaces, ' ');
                column += spaces;
                breaks.before(body, ' ');
                continue;
            }
            breaks.before(body, c.cp);
            append_escaped(body, c.cp);
            ++column;
        }
        breaks.before(body, '\n');
    }
    if (in_paragraph) body += "</p>\n";
    return html_document(kTextCss, body);
}

std::string markdown_to_html(std::string_view utf8) {
    const std::string text = decode_to_utf8(utf8, TextEncoding::utf8);
    const std::string_view source = skip_front_matter(text);
    if (source.size() > std::numeric_limits<MD_SIZE>::max()) return text_to_html(text);
    std::string raw;
    raw.reserve(source.size() + source.size() / 2 + 64);
    const int rc = md_html(source.data(), static_cast<MD_SIZE>(source.size()), append_to_string, &raw,
                           kMarkdownFlags, MD_HTML_FLAG_SKIP_UTF8_BOM);
    if (rc != 0) return text_to_html(text);  // md4c fails only when out of memory: show the source
    return html_document(kMarkdownCss, neutralize_markdown_html(raw));
}

std::string markdown_title(std::string_view utf8) {
    const std::string text = decode_to_utf8(utf8, TextEncoding::utf8);
    const std::string_view source = skip_front_matter(text);
    if (source.size() > std::numeric_limits<MD_SIZE>::max()) return {};
    HeadingCollector collector;
    MD_PARSER parser{};
    parser.abi_version = 0;
    // Raw HTML is recognised here (and left out of the title), unlike in rendering, so that
    // "# <img src=logo.png> Name" yields "Name". Nothing is rendered, so nothing can load.
    parser.flags = MD_DIALECT_GITHUB;
    parser.enter_block = heading_enter_block;
    parser.leave_block = heading_leave_block;
    parser.enter_span = heading_enter_span;
    parser.leave_span = heading_leave_span;
    parser.text = heading_text;
    md_parse(source.data(), static_cast<MD_SIZE>(source.size()), &parser, &collector);
    if (!collector.found) return {};  // no heading, or md4c failed (out of memory)
    return clean_title(collector.text, kMaxTitleCodePoints);
}

std::string first_line_title(std::string_view utf8) {
    std::string out;
    std::size_t count = 0;
    bool started = false;
    std::size_t i = 0;
    while (i < utf8.size() && count < kMaxTitleCodePoints) {
        const Utf8Char c = next_utf8(utf8, i);
        i += c.length;
        const bool line_end = c.cp == '\n' || c.cp == '\r';
        if (!started) {
            if (line_end || is_blank_char(c.cp) || is_dropped_control(c.cp)) continue;
            started = true;
        }
        if (line_end) break;
        if (is_dropped_control(c.cp)) continue;
        append_utf8(out, c.cp == '\t' ? ' ' : c.cp);
        ++count;
    }
    // Trim trailing blanks (ASCII, NBSP, ideographic space, BOM).
    while (!out.empty()) {
        std::size_t start = out.size() - 1;
        while (start > 0 && (static_cast<unsigned char>(out[start]) & 0xC0) == 0x80) --start;
        const Utf8Char last = next_utf8(out, start);
        if (!is_blank_char(last.cp)) break;
        out.resize(start);
    }
    return out;
}

std::string encode_from_utf8(std::string_view utf8, const char* charset) {
    iconv_t cd = ::iconv_open(charset, "UTF-8");
    if (cd == reinterpret_cast<iconv_t>(-1)) throw UsageError(std::string("iconv cannot encode ") + charset);
    std::string out(utf8.size() * 4 + 16, '\0');  // no charset needs more than 4 bytes per UTF-8 byte
    char* in_ptr = const_cast<char*>(utf8.data());
    std::size_t in_left = utf8.size();
    char* out_ptr = out.data();
    std::size_t out_left = out.size();
    const std::size_t rc = ::iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left);
    ::iconv_close(cd);
    if (rc == static_cast<std::size_t>(-1)) {
        throw UsageError(std::string("the text has characters ") + charset + " cannot encode");
    }
    out.resize(out.size() - out_left);
    return out;
}

char detect_csv_delimiter(std::string_view utf8) {
    const std::string_view sample = utf8.substr(0, kCsvSniffBytes);
    char best = ',';
    DelimiterFit best_fit;
    for (const char delimiter : kCsvDelimiters) {
        const DelimiterFit fit = fit_of(sample, delimiter);
        if (fit.fields < 2 || fit.records == 0) continue;
        // Compare matching/records as fractions; earlier candidates win ties.
        const bool better =
            best_fit.records == 0 || fit.matching * best_fit.records > best_fit.matching * fit.records;
        if (better) {
            best = delimiter;
            best_fit = fit;
        }
    }
    return best;
}

CsvTable parse_csv(std::string_view utf8, char delimiter, const CsvLimits& limits) {
    CsvTable table;
    CsvReader reader(utf8, delimiter);
    CsvRowBuilder row(limits, delimiter);
    std::size_t cells = 0;
    bool keep = true;
    while (true) {
        row.start(keep);
        if (!reader.read_record(row)) break;
        if (row.blank()) continue;
        ++table.total_rows;
        table.widest = std::max(table.widest, row.fields());
        if (!keep) continue;
        std::vector<std::string> record = row.take();
        cells += record.size();
        table.rows.push_back(std::move(record));
        keep = table.rows.size() < limits.max_rows && cells < limits.max_cells;
    }
    table.cells_cut = row.cut_any();
    return table;
}

std::string csv_to_html(std::string_view utf8) {
    const std::string text = decode_to_utf8(utf8, TextEncoding::utf8);
    const char delimiter = detect_csv_delimiter(text);
    const CsvLimits limits;
    const CsvTable table = parse_csv(text, delimiter, limits);
    std::size_t columns = 1;
    for (const auto& record : table.rows) columns = std::max(columns, record.size());
    const bool header = looks_like_header(table);

    std::string body;
    body.reserve(text.size() + text.size() / 4 + 256);
    if (table.widest > limits.max_columns) {
        body += "<p class=\"note\">此表共 " + group_thousands(table.widest) + " 列，第 " +
                std::to_string(limits.max_columns) + " 列及以后的内容合并显示在第 " +
                std::to_string(limits.max_columns) + " 列。</p>\n";
    }
    if (table.cells_cut) {
        body += "<p class=\"note\">超过 " + group_thousands(limits.max_cell_bytes) +
                " 字节的单元格内容已截断（以“…”结尾）。</p>\n";
    }
    if (columns <= kCsvMaxTableColumns) {
        append_csv_table(body, table, columns, header);
    } else {
        append_csv_records(body, table, header);
    }
    if (table.total_rows > table.rows.size()) {
        body += "<p class=\"note\">此表共 " + group_thousands(table.total_rows) + " 行，只显示了前 " +
                group_thousands(table.rows.size()) + " 行。</p>\n";
    }
    return html_document(kCsvCss, body);
}

}  // namespace wenku::worker
