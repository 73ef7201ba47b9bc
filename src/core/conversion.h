#pragma once
// What the converter worker is asked to do and what it answers: the one contract between the
// trusted side (importer, server) and the sandboxed side (src/worker/). Both sides speak it as JSON.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace wenku {

/// Stable error codes a conversion can end with; each comes with a human message.
namespace error_code {
inline constexpr const char* encrypted = "encrypted";      // password-protected
inline constexpr const char* corrupt = "corrupt";          // damaged or truncated
inline constexpr const char* empty = "empty";              // zero bytes or no pages
inline constexpr const char* unsupported = "unsupported";  // a format wenku does not convert
inline constexpr const char* too_large = "too_large";      // over a size, page or memory limit
inline constexpr const char* timeout = "timeout";          // the worker ran past its time limit
inline constexpr const char* crashed = "crashed";          // the worker died while converting
inline constexpr const char* duplicate = "duplicate";      // already in the library
inline constexpr const char* unsafe = "unsafe";            // hostile structure: zip-slip names, XML entities
}  // namespace error_code

/// File names inside a document's pages folder (and a worker's output folder): the one definition
/// shared by the worker that writes them, the pipeline that publishes them, the site that serves them
/// and `verify` that checks them.
std::string preview_file_name(int page_number);  // "p0001.webp"
inline constexpr const char* cover_file_name = "cover.webp";

/// What a request asks the worker to do.
enum class JobKind {
    convert,       // previews, page text and title of the document at input_path (the default)
    markdown_pdf,  // lay the Markdown at input_path out on A4 as a PDF in output_dir (see below)
};
NLOHMANN_JSON_SERIALIZE_ENUM(JobKind,
                             {{JobKind::convert, "convert"}, {JobKind::markdown_pdf, "markdown_pdf"}})

/// The PDF a markdown_pdf job writes inside output_dir; its result has ok, format "pdf" and the
/// title of the first heading, and no pages.
inline constexpr const char* markdown_pdf_file_name = "document.pdf";

struct ConvertRequest {
    JobKind job = JobKind::convert;
    std::string input_path;                     // the original file (read-only for the worker)
    std::string output_dir;                     // private job folder the worker writes previews into
    std::string original_name;                  // the uploader's file name, for title fallback and type hints
    int preview_width = 1000;                   // px width of page previews
    int thumb_width = 240;                      // px width of the cover thumbnail
    int webp_quality = 80;                      // 0-100 lossy WebP quality
    int max_pages = 2000;                       // refuse documents with more pages
    long long max_pixels = 40'000'000;          // refuse rendering a page above this many pixels
    std::string watermark;                      // text drawn across every preview; empty = none
    int watermark_opacity = 12;                 // percent, 0-100
    bool ocr = true;                            // recognise text on pages that have none (scans)
    std::string ocr_languages = "chi_sim+eng";  // tesseract language packs
    int ocr_page_seconds = 20;                  // time limit for recognising one page
    std::string paper = "a4";                   // "a4" or "letter": page size of documents that set none
    /// OCR time one document may use in all; pages after that keep their (empty) text and one
    /// warning says so. Keep it well below the per-document timeout (convert.timeout_seconds).
    double ocr_document_seconds = 60;
    /// Pixel budget of the grayscale image a page is rendered to for OCR (300 dpi unless that
    /// exceeds it). Tesseract's memory grows with it, ~12 bytes a pixel.
    long long ocr_max_pixels = 9'000'000;
};

struct PageResult {
    int number = 0;    // 1-based
    int width_px = 0;  // preview size
    int height_px = 0;
    std::string preview;  // file name inside output_dir, e.g. "p0001.webp"
    std::string text;     // page text in reading order, UTF-8, paragraphs separated by '\n'
    bool ocr = false;     // the text was recognised from the page image, not read from it
};

struct ConvertResult {
    bool ok = false;
    std::string error_code;  // one of error_code::*, when !ok
    std::string error;       // a message a user can act on, when !ok
    std::string format;      // detected format: "pdf", "txt", "md", ...
    std::string title;       // from metadata, else first heading or line; may be empty
    std::string cover;       // thumbnail file name inside output_dir
    std::vector<PageResult> pages;
    long long worker_peak_rss_kb = 0;   // the worker process's peak resident memory so far
    long long worker_rss_kb = 0;        // ... and its resident memory now, after the document
    std::vector<std::string> warnings;  // what was repaired, skipped or recognised (OCR) on the way
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ConvertRequest, job, input_path, output_dir, original_name,
                                                preview_width, thumb_width, webp_quality, max_pages,
                                                max_pixels, watermark, watermark_opacity, ocr, ocr_languages,
                                                ocr_page_seconds, ocr_document_seconds, ocr_max_pixels, paper)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(PageResult, number, width_px, height_px, preview, text, ocr)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ConvertResult, ok, error_code, error, format, title, cover,
                                                pages, worker_peak_rss_kb, worker_rss_kb, warnings)

}  // namespace wenku
