#pragma once
// MuPDF-backed rendering of a laid-out document (a PDF, or HTML that text, Markdown and CSV
// become): page count, per-page text in reading order (recognised by OCR on pages that have none),
// a WebP preview per page and a cover thumbnail, watermarked on request. Runs only inside the
// worker process. Failures throw InputError with a specific code (encrypted, corrupt, empty,
// too_large) and a message naming the file and what is wrong.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/conversion.h"

namespace wenku::worker {

struct RenderLimits {
    std::size_t memory_limit_bytes = std::size_t{1536} << 20;  // MuPDF allocator cap
    /// Folder with the tesseract traineddata; empty: $TESSDATA_PREFIX, else Debian's folder.
    std::string tessdata_dir;
};

/// Renders the PDF at request.input_path (parsed as PDF whatever its name says): one WebP preview
/// per page (p0001.webp, ... request.preview_width px wide, smaller when a page would exceed
/// request.max_pixels), cover.webp (page 1, request.thumb_width wide) and the text of every page,
/// all into request.output_dir. Fills result.pages, result.cover, result.title (the metadata
/// Title, cleaned by clean_document_title(); empty when there is none) and result.format = "pdf".
/// OCR (when request.ocr): a page without text, or with fewer than 32 visible characters while
/// images cover half of it, is rendered at 300 dpi in grayscale (blank pages are skipped) and read
/// by tesseract in request.ocr_languages within request.ocr_page_seconds (at least 1 s; see
/// worker/ocr.h), which keeps only the lines it is sure of. When those hold at least 16 visible
/// characters (fewer are a cover's title or letters seen in a picture) and more than the page had,
/// with a mean confidence of 40 or more, they become the page's text and PageResult::ocr is set. OCR never
/// fails a document: a page it cannot read keeps its text, with a warning; after request.ocr_document_seconds
/// of OCR the remaining pages are left as they are. Watermark (request.watermark not empty,
/// request.watermark_opacity > 0): drawn over every preview and the cover (see worker/watermark.h), never
/// into the text. Throws InputError: encrypted (needs a password; an empty user password is tried), corrupt
/// (MuPDF cannot parse or repair it; the message names the file and MuPDF's reason), empty
/// (0 bytes, or a well-formed PDF without pages), too_large (more than request.max_pages pages, or
/// more memory than limits.memory_limit_bytes). EnvironmentError when the input cannot be read or
/// a preview cannot be written. Files already written to output_dir are left for the caller.
void render_pdf(const ConvertRequest& request, const RenderLimits& limits, ConvertResult& result);

/// Lays out `html` (UTF-8, self-contained, with its own CSS) on pages of request.paper (A4 or US
/// Letter, see paper_size() in worker/html_layout.h; 11 pt em) with MuPDF's
/// HTML engine and renders it exactly like a PDF (OCR and watermark included). Han text renders
/// with Noto Sans/Serif CJK SC (TC, JP or KR when an element's lang asks for it). Leaves
/// result.format to the caller.
/// Throws InputError too_large (page or memory limit) or corrupt (MuPDF cannot lay it out).
void render_html(std::string_view html, const ConvertRequest& request, const RenderLimits& limits,
                 ConvertResult& result);

/// What the renderer worked around while still producing a result ("page 3 could not be drawn
/// completely: ...", MuPDF's repair notes, "page 2 read by OCR: 532 characters in 1.62 s ..."),
/// for the worker's log. Never part of the document.
using RenderWarnings = std::vector<std::string>;

/// render_pdf() that also reports what it worked around. A page that cannot be loaded or drawn
/// still gets a (blank or partial) preview and a warning; only when no page at all can be loaded
/// is the file refused as corrupt.
void render_pdf(const ConvertRequest& request, const RenderLimits& limits, ConvertResult& result,
                RenderWarnings& warnings);

/// Renders the EPUB at request.input_path, laid out on request.paper by MuPDF's HTML engine (the caller
/// has inspected the archive first: no bombs, no entities). Fails like render_pdf.
void render_epub(const ConvertRequest& request, const RenderLimits& limits, ConvertResult& result,
                 RenderWarnings& warnings);

/// render_html() that also reports what it worked around.
void render_html(std::string_view html, const ConvertRequest& request, const RenderLimits& limits,
                 ConvertResult& result, RenderWarnings& warnings);

/// A document Title from PDF metadata made presentable: whitespace tidied, "Microsoft Word - x.doc"
/// reduced to "x"; empty when it is a placeholder ("untitled", "无标题") or garbage.
std::string clean_document_title(std::string_view raw);

/// Writes `html` laid out on pages of `paper` ("a4" or "letter") as a PDF file (the demo
/// documents, test fixtures), with MuPDF allocating at most `memory_limit_bytes`. The PDF's Info Title is the
/// HTML <title>, when there is one. Text stays extractable: Latin fonts are embedded, CJK text refers to the
/// non-embedded Adobe ordering of its language (GB1 for Chinese; a <body> without a lang attribute is treated
/// as lang="zh-CN"). Throws EnvironmentError when the file cannot be written, InputError when the HTML cannot
/// be laid out.
void write_html_as_pdf(std::string_view html, const std::filesystem::path& pdf_path,
                       std::size_t memory_limit_bytes = RenderLimits{}.memory_limit_bytes,
                       std::string_view paper = "a4");

}  // namespace wenku::worker
