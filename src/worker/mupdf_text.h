#pragma once
// Page text from MuPDF's structured text, for what MuPDF lays out itself (HTML, EPUB, wenku's own
// text layouts) and PDFs poppler cannot read (worker/poppler_text.h): paragraphs in drawing order,
// lines joined by text_lines.h. Pure functions; no MuPDF call can throw in here.
#include <string>

#include <mupdf/fitz.h>

#include "worker/text_lines.h"

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

}  // namespace wenku::worker
