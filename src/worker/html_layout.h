#pragma once
// HTML laid out on A4 pages by MuPDF's HTML engine: the page geometry every reflowable document
// (HTML from text, Markdown and CSV; EPUB) is laid out with. Internal to src/worker/.
#include <string>
#include <string_view>

#include "worker/mupdf_context.h"

namespace wenku::worker {

/// A4 in points, and the body text size (1 em) reflowable documents are laid out with.
constexpr float a4_width = 595.0f;
constexpr float a4_height = 842.0f;
constexpr float html_em = 11.0f;

/// Opens `html` (UTF-8, self-contained) into `doc` and lays it out on A4 pages. `name` is the
/// document's name in messages. Throws InputError too_large (memory) or corrupt (MuPDF cannot lay
/// it out).
void open_html(MupdfContext& mu, std::string_view html, FzDocument& doc, const std::string& name);

}  // namespace wenku::worker
