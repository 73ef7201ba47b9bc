#pragma once
// Page text from MuPDF's structured text: paragraphs in reading order, lines of a paragraph joined
// the way the language wants (no space inside Chinese and Japanese, one space between Latin words,
// hyphenated words rejoined). Pure functions; no MuPDF call can throw in here.
#include <string>
#include <string_view>
#include <vector>

#include <mupdf/fitz.h>

namespace wenku::worker {

/// Options page text is extracted with: ligatures expanded, whitespace normalised, characters
/// outside the page box ignored.
fz_stext_options page_text_options();

/// The text of `page`: one paragraph per MuPDF text block, separated by '\n'; a line that starts
/// with source_line_mark (worker/page_html.h: wenku's own layouts mark plain-text and code lines)
/// starts a paragraph of its own. Runs MuPDF split off one visual line (a quote or a stop in
/// another font, a baseline change) are set back in place first (join_visual_lines()); fragments
/// on the same baseline are glued back, visual lines joined by join_paragraph_lines() and tidied by
/// tidy_text_line(). Latin ligatures (U+FB00-U+FB06) and Arabic presentation forms become plain
/// letters; glyphs without Unicode (U+FFFD), zero-width spaces and joiners are dropped; private-use
/// code points are kept (poppler keeps them too). Always valid UTF-8; empty for a page without
/// text.
std::string stext_page_text(const fz_stext_page* page);

/// Joins the visual lines of one paragraph (UTF-8): no separator when the break falls between two
/// CJK characters (Han, kana, CJK and fullwidth punctuation; quotes and dashes next to them count
/// too); "hyphen-" + "ated" becomes "hyphenated" when a letter precedes the hyphen and the next
/// line starts lowercase, "pre-" + "War" stays "pre-War"; otherwise one space.
/// Hangul lines join with a space: Korean separates words with spaces.
std::string join_paragraph_lines(const std::vector<std::string>& lines);

/// One line of text made tidy: whitespace runs become one space, control characters and invalid
/// UTF-8 are dropped, a single space between two CJK characters (MuPDF puts one between widely
/// spaced glyphs) is removed, and the ends are trimmed.
std::string tidy_text_line(std::string_view utf8);

/// Han ideographs, kana, Bopomofo, CJK symbols and punctuation, fullwidth forms. Not Hangul.
bool is_cjk_char(char32_t c);

}  // namespace wenku::worker
