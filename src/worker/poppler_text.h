#pragma once
// Page text of a PDF in reading order, by poppler's text layout analysis (the order pdftotext
// gives): columns ("flows") in reading order, the paragraphs ("blocks") of each, their lines and
// words, with shadow and fake-bold copies of a glyph dropped. MuPDF draws the previews; its own
// text reader (mupdf_text.h) keeps the order a PDF draws in, which parts from the reading order on
// tables, slides, sheets and multi-column pages (docs/DECISIONS.md). Internal to src/worker/.
#include <memory>
#include <optional>
#include <string>

class PDFDoc;

namespace wenku::worker {

class PdfText {
  public:
    /// Opens `pdf_path` with empty passwords. Never throws: a file poppler cannot read gives
    /// page_count() 0, and the caller reads the text with MuPDF instead.
    explicit PdfText(const std::string& pdf_path);
    ~PdfText();
    PdfText(const PdfText&) = delete;
    PdfText& operator=(const PdfText&) = delete;

    /// Pages poppler sees; 0 when the file could not be opened.
    int page_count() const;

    /// The text of page `index` (0-based), as stext_page_text() shapes it: one paragraph per
    /// block, separated by '\n', lines joined by join_lines(), ligatures and presentation forms
    /// folded, invisible characters dropped; a line that starts with source_line_mark starts a
    /// paragraph of its own. Characters outside the crop box are not read. nullopt when poppler
    /// fails on the page.
    std::optional<std::string> page_text(int index);

  private:
    std::unique_ptr<PDFDoc> doc_;
};

}  // namespace wenku::worker
