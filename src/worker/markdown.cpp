#include "worker/markdown.h"

#include <md4c.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <utility>
#include <vector>

#include <md4c-html.h>

#include "core/utf8.h"
#include "worker/page_html.h"
#include "worker/text_document.h"
#include "worker/text_encoding.h"

namespace wenku::worker {
namespace {

/// Heading text collected for markdown_title() before it is cut (bounds memory on huge headings).
constexpr std::size_t max_heading_bytes = 4096;
/// Elements nested deeper than this are dropped from Markdown output (their text is kept): the HTML
/// parser and layout engine recurse per level.
constexpr std::size_t max_html_nesting = 32;

constexpr unsigned markdown_flags = MD_DIALECT_GITHUB | MD_FLAG_NOHTML;

constexpr std::string_view markdown_css =
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

std::string_view skip_front_matter(std::string_view text);
std::string neutralize_markdown_html(std::string_view html);
void append_text_with_breaks(std::string& out, std::string_view text, BreakInserter& breaks);
std::string with_source_line_marks(std::string_view text, bool& at_line_start);
void append_to_string(const MD_CHAR* text, MD_SIZE size, void* userdata);

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

int heading_enter_block(MD_BLOCKTYPE type, void*, void* userdata);
int heading_leave_block(MD_BLOCKTYPE type, void*, void* userdata);
int heading_enter_span(MD_SPANTYPE type, void*, void* userdata);
int heading_leave_span(MD_SPANTYPE type, void*, void* userdata);
int heading_text(MD_TEXTTYPE type, const MD_CHAR* text, MD_SIZE size, void* userdata);
std::string clean_title(std::string_view text, std::size_t max_code_points);

}  // namespace

std::string markdown_to_html(std::string_view utf8) {
    const std::string text = decode_to_utf8(utf8, TextEncoding::utf8);
    const std::string_view source = skip_front_matter(text);
    if (source.size() > std::numeric_limits<MD_SIZE>::max()) return text_to_html(text);
    std::string raw;
    raw.reserve(source.size() + source.size() / 2 + 64);
    const int rc = md_html(source.data(), static_cast<MD_SIZE>(source.size()), append_to_string, &raw,
                           markdown_flags, MD_HTML_FLAG_SKIP_UTF8_BOM);
    if (rc != 0) return text_to_html(text);  // md4c fails only when out of memory: show the source
    return html_document(markdown_css, neutralize_markdown_html(raw));
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
    return clean_title(collector.text, max_title_code_points);
}

namespace {

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
    if (!first.starts_with("---") || !is_rest_blank(first.substr(3))) return text;
    std::size_t pos = end + 1;
    while (pos < text.size()) {
        end = line_end(pos);
        const std::string_view line = text.substr(pos, end - pos);
        if ((line.starts_with("---") || line.starts_with("...")) && is_rest_blank(line.substr(3))) {
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
        if (attr.size() == name.size() &&
            std::equal(attr.begin(), attr.end(), name.begin(),
                       [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; })) {
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
           starts_with_ignoring_case(href, "mailto:") || href.starts_with("#");
}

bool is_void_element(std::string_view name) {
    return name == "img" || name == "br" || name == "hr" || name == "input" || name == "meta" ||
           name == "link";
}

/// Rewrites md4c's HTML (in which every '<' starts a tag md4c wrote: text '<' is always escaped)
/// into what the layout engine may see: images become their alt text, unsafe link targets are
/// dropped, task-list checkboxes become "[x]"/"[ ]", nesting is capped and long words get
/// break opportunities.
std::string neutralize_markdown_html(std::string_view html) {
    std::string out;
    out.reserve(html.size() + html.size() / 16);
    BreakInserter breaks;
    std::vector<std::string_view> open;  // elements kept, at most max_html_nesting
    std::size_t dropped_open = 0;        // elements dropped for depth, all nested inside `open`
    bool at_line_start = false;          // inside <pre>: the next character starts a source line
    std::size_t i = 0;
    while (i < html.size()) {
        if (html[i] != '<') {
            std::size_t end = html.find('<', i);
            if (end == std::string_view::npos) end = html.size();
            const std::string_view text = html.substr(i, end - i);
            if (std::find(open.begin(), open.end(), "pre") != open.end()) {
                // Code keeps its lines in the page text as it does on the page.
                append_text_with_breaks(out, with_source_line_marks(text, at_line_start), breaks);
            } else {
                append_text_with_breaks(out, text, breaks);
            }
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
        if (dropped_open > 0 || open.size() >= max_html_nesting) {
            ++dropped_open;
            continue;
        }
        open.push_back(tag.name);
        if (tag.name == "pre") at_line_start = true;
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
            if (c >= '0' && c <= '9')
                d = c - '0';
            else if (hex && c >= 'a' && c <= 'f')
                d = c - 'a' + 10;
            else if (hex && c >= 'A' && c <= 'F')
                d = c - 'A' + 10;
            if (d < 0 || ++digits > 8) {
                ok = false;
                break;
            }
            value = value * (hex ? 16 : 10) + static_cast<char32_t>(d);
        }
        if (!ok || digits == 0 || value == 0 || value > 0x10FFFF) value = replacement_character;
        append_utf8(out, value);
        return;
    }
    static constexpr std::pair<std::string_view, char32_t> named_entities[] = {
        {"&amp;", '&'},      {"&lt;", '<'},       {"&gt;", '>'},       {"&quot;", '"'},
        {"&apos;", '\''},    {"&nbsp;", 0xA0},    {"&copy;", 0xA9},    {"&reg;", 0xAE},
        {"&middot;", 0xB7},  {"&ndash;", 0x2013}, {"&mdash;", 0x2014}, {"&lsquo;", 0x2018},
        {"&rsquo;", 0x2019}, {"&ldquo;", 0x201C}, {"&rdquo;", 0x201D}, {"&hellip;", 0x2026},
        {"&trade;", 0x2122}, {"&times;", 0xD7},
    };
    for (const auto& [name, cp] : named_entities) {
        if (entity == name) {
            append_utf8(out, cp);
            return;
        }
    }
    out.append(entity);
}

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
    if (!c->in_heading || c->image_depth > 0 || c->text.size() >= max_heading_bytes) return 0;
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
            append_utf8(c->text, replacement_character);
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

/// Appends already-escaped HTML text, counting an entity (&amp;) as one character for `breaks`.
/// `text` with source_line_mark before the first character of every line; `at_line_start` carries
/// over from one piece of a <pre> to the next.
std::string with_source_line_marks(std::string_view text, bool& at_line_start) {
    std::string out;
    out.reserve(text.size() + 16);
    for (const char c : text) {
        if (at_line_start && c != '\n') append_utf8(out, source_line_mark);
        at_line_start = c == '\n';
        out += c;
    }
    return out;
}

void append_text_with_breaks(std::string& out, std::string_view text, BreakInserter& breaks) {
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == '&') {
            std::size_t end = i + 1;
            while (end < text.size() && end - i < 12 && text[end] != ';' && text[end] != '&' &&
                   text[end] != '<')
                ++end;
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
            append_utf8(out, replacement_character);
        }
        i += c.length;
    }
}

}  // namespace
}  // namespace wenku::worker
