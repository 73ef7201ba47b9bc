#pragma once
// Drawing the pages of an open MuPDF document: a WebP preview per page and the cover thumbnail,
// watermarked on request, and each page's text, recognised by OCR on pages that have none.
// Internal to src/worker/ (renderer.h is the public face).
#include <string>

#include <mupdf/fitz.h>

#include "core/conversion.h"
#include "worker/mupdf_context.h"
#include "worker/poppler_text.h"
#include "worker/renderer.h"

namespace wenku::worker {

/// Renders pages 1..page_count of `doc` (opened, and laid out when reflowable, in `mu`) into
/// request.output_dir and fills result.pages and result.cover; see render_pdf() for the preview
/// sizes, OCR and the watermark. The page text comes from `pdf_text` when it is given and reads
/// the page, from MuPDF otherwise. `name` is the document's name in messages.
/// A page that cannot be loaded or drawn gets a blank or partial preview and a warning; when no
/// page at all can be loaded the document is refused: InputError corrupt. Running out of memory
/// throws InputError too_large; a preview that cannot be written throws EnvironmentError.
void render_pages(MupdfContext& mu, fz_document* doc, PdfText* pdf_text, int page_count,
                  const ConvertRequest& request, const RenderLimits& limits, const std::string& name,
                  ConvertResult& result, RenderWarnings& warnings);

}  // namespace wenku::worker
