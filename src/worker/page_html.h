#pragma once
// The HTML page that plain text, Markdown and CSV are laid out in (by render_html(), on A4 or US
// Letter): the shared page CSS and document frame, break opportunities for MuPDF's line breaker,
// and the mark that keeps a source line a line of the page text. Internal to src/worker/.
#include <cstddef>
#include <string>
#include <string_view>

#include "core/utf8.h"

namespace wenku::worker {

/// Titles taken from text (first line, first heading) are cut to this many code points.
constexpr std::size_t max_title_code_points = 80;

/// After this many code points without a break opportunity, a U+200B is inserted so that MuPDF can
/// wrap the line (it overflows the page otherwise). 32 wide Latin glyphs still fit an A4 line.
constexpr int max_unbreakable_run = 32;

/// Starts every source line that must stay a line of the page text: each line of plain text and
/// of code. U+2060 WORD JOINER has no width and allows no break, so the page looks the same; the
/// page text reader (stext_page_text) begins a new line of text at it and never shows it.
constexpr char32_t source_line_mark = 0x2060;

/// A complete HTML document: the page CSS, then `css`, around `body`. The body is marked
/// lang="zh-CN" so that Han text is drawn with Simplified Chinese faces.
std::string html_document(std::string_view css, std::string_view body);

/// Whitespace for trimming titles and finding blank lines: ASCII blanks, NBSP, ideographic space,
/// and a stray byte-order mark.
bool is_blank_char(char32_t cp);

/// Inserts U+200B into long runs of code points that offer no line-break opportunity.
class BreakInserter {
  public:
    /// Inserts a break after `max_run` code points without a break opportunity.
    explicit BreakInserter(int max_run = max_unbreakable_run) : max_run_(max_run) {}

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

}  // namespace wenku::worker
