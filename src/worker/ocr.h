#pragma once
// Text recognition (OCR) of page images with tesseract, inside the worker process. The engine is
// started once per process, on the first page that needs it (loading chi_sim+eng takes ~0.3 s and
// ~60 MB), and kept for later pages and documents. Recognition runs single-threaded: tesseract's
// OpenMP teams oversubscribe the cores the worker shares with WebP encoding and other workers
// (measured 5x slower on 2 cores). Internal to src/worker/.
#include <cstddef>
#include <string>
#include <string_view>

namespace wenku::worker {

/// An 8-bit grayscale image (0 black .. 255 white), rows `stride` bytes apart; not owned.
struct GrayImage {
    const unsigned char* pixels = nullptr;
    int width = 0;
    int height = 0;
    std::ptrdiff_t stride = 0;
    int dpi = 300;  // the resolution the page was rendered at: tesseract sizes its filters by it
};

struct OcrSettings {
    std::string languages = "chi_sim+eng";  // tesseract language packs joined by '+'
    double page_seconds = 20;               // time limit for recognising one page
    std::string tessdata_dir;  // empty: $TESSDATA_PREFIX, else the first Debian tessdata folder found
};

/// What recognising one page gave.
struct OcrPageResult {
    bool ok = false;          // false: the engine failed or ran out of time; `error` says why
    bool timed_out = false;   // ran past settings.page_seconds (ok is false, text is empty)
    std::string text;         // clean_ocr_text() of the lines recognised with confidence; may be empty
    std::string error;        // why !ok, for a warning
    int mean_confidence = 0;  // tesseract's mean word confidence over the whole page, 0-100
    int unsure_lines = 0;     // lines left out of `text`: below ocr_min_line_confidence
    double seconds = 0;       // time spent on this page, not counting the engine's start
};

/// Text lines tesseract is less sure of than this (its line confidence, 0-100) are left out of
/// OcrPageResult::text: lines of clean print score 80-96, letters read into pictures, ornaments
/// and stylised cover titles score lower.
constexpr float ocr_min_line_confidence = 75;

/// Recognises the text of `image` in settings.languages, keeping only the lines recognised with
/// at least ocr_min_line_confidence. Starts the process's engine first when
/// needed, and restarts it when the languages or the tessdata folder changed. Page layout is
/// analysed automatically; with osd.traineddata installed, orientation and script detection lets
/// pages turned by 90, 180 or 270 degrees be read. Word recognition stops at the deadline
/// settings.page_seconds (tesseract's layout analysis before it is not interruptible; it is
/// bounded by the image size, ~1 s for 12 megapixels). Never throws: an invalid language list, a
/// missing traineddata file, an engine that cannot start (remembered, so later pages fail fast),
/// an allocation failure or the deadline all give ok = false and an `error`. Serialised: calls
/// from several threads wait for each other.
OcrPageResult recognize_page_text(const GrayImage& image, const OcrSettings& settings);

/// How long the process's engine took to start (seconds), or a negative value when it has not
/// been started. For logs and measurements.
double ocr_engine_start_seconds();

/// Tesseract's UTF-8 output made into page text: blank lines separate paragraphs, the lines of a
/// paragraph are joined by join_paragraph_lines() (no space between CJK characters, hyphenated
/// words rejoined), spaces tesseract puts between Chinese characters are removed, whitespace is
/// collapsed and invalid UTF-8 dropped. Paragraphs are separated by '\n'.
std::string clean_ocr_text(std::string_view raw);

}  // namespace wenku::worker
