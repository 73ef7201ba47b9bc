#pragma once
// HTML laid out on pages by MuPDF's HTML engine: the page geometry every reflowable document
// (HTML from text, Markdown and CSV; EPUB) is laid out with, A4 or US Letter as the settings say
// (ConvertRequest::paper). Internal to src/worker/.
#include <string>
#include <string_view>

#include "worker/mupdf_context.h"

namespace wenku::worker {

/// A page size in points.
struct PaperSize {
    float width = 595.0f;
    float height = 842.0f;
};
/// A4 (595 x 842 pt) and US Letter (612 x 792 pt).
constexpr PaperSize a4_paper{595.0f, 842.0f};
constexpr PaperSize letter_paper{612.0f, 792.0f};
/// The body text size (1 em) reflowable documents are laid out with.
constexpr float html_em = 11.0f;

/// The paper a ConvertRequest::paper value names: "letter" is US Letter, anything else A4 (the
/// settings accept only "a4" and "letter").
PaperSize paper_size(std::string_view paper);

/// Opens `html` (UTF-8, self-contained) into `doc` and lays it out on pages of `paper`. `name` is
/// the document's name in messages. Throws InputError too_large (memory) or corrupt (MuPDF cannot
/// lay it out).
void open_html(MupdfContext& mu, std::string_view html, PaperSize paper, FzDocument& doc,
               const std::string& name);

}  // namespace wenku::worker
