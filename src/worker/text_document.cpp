#include "worker/text_document.h"

#include "core/markup.h"
#include "core/utf8.h"
#include "worker/page_html.h"
#include "worker/text_encoding.h"

namespace wenku::worker {
namespace {

/// Tab stops in plain text, in columns.
constexpr std::size_t tab_width = 4;

// Lines 1.45 em apart (under MuPDF's 1.5 em paragraph distance), so that the visual lines of one
// wrapped source line stay one block of the page text and are joined again.
constexpr std::string_view text_css = "p { white-space: pre-wrap; line-height: 1.45; }\n";

}  // namespace

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
        append_utf8(body, source_line_mark);
        in_paragraph = true;
        std::size_t column = 0;
        for (std::size_t i = 0; i < line.size();) {
            const Utf8Char c = next_utf8(line, i);
            i += c.length;
            if (c.cp == '\t') {
                const std::size_t spaces = tab_width - column % tab_width;
                body.append(spaces, ' ');
                column += spaces;
                breaks.before(body, ' ');
                continue;
            }
            breaks.before(body, c.cp);
            append_markup_escaped(body, c.cp);
            ++column;
        }
        breaks.before(body, '\n');
    }
    if (in_paragraph) body += "</p>\n";
    return html_document(text_css, body);
}

std::string first_line_title(std::string_view utf8) {
    std::string out;
    std::size_t count = 0;
    bool started = false;
    std::size_t i = 0;
    while (i < utf8.size() && count < max_title_code_points) {
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

}  // namespace wenku::worker
