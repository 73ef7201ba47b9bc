#pragma once
// MuPDF-backed rendering of a laid-out document (a PDF, or HTML that text and Markdown become):
// page count, per-page text in reading order, a WebP preview per page and a cover thumbnail.
// Runs only inside the worker process. Failures throw InputError with a specific code
// (encrypted, corrupt, empty, too_large) and a message naming the file and what is wrong.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/conversion.h"

namespace wenku::worker {

struct RenderLimits {
    std::size_t memory_limit_bytes = std::size_t{1536} << 20;  // MuPDF allocator cap
};

/// Renders the PDF at `pdf_path`. Fills result.pages, result.cover and result.title (from the
/// document's metadata Title, when present). Writes previews into request.output_dir.
void render_pdf(const ConvertRequest& request, const RenderLimits& limits, ConvertResult& result);

/// Lays out `html` (UTF-8, self-contained, with its own CSS) on A4 pages with MuPDF's HTML engine
/// and renders it like a PDF. Chinese renders with the Noto CJK SC face.
void render_html(std::string_view html, const ConvertRequest& request, const RenderLimits& limits,
                 ConvertResult& result);

/// Writes `html` laid out on A4 pages as a PDF file (used to write demo documents and fixtures).
void write_html_as_pdf(std::string_view html, const std::filesystem::path& pdf_path);

}  // namespace wenku::worker
