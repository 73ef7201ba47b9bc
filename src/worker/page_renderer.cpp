#include "worker/page_renderer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <optional>
#include <vector>

#include "core/errors.h"
#include "worker/html_layout.h"
#include "worker/mupdf_text.h"
#include "worker/ocr.h"
#include "worker/watermark.h"
#include "worker/webp_encoder.h"

namespace wenku::worker {
namespace {

namespace fs = std::filesystem;

// Page boxes outside this range (points) are treated as broken and drawn blank on request.paper.
constexpr float min_page_side = 1.0f;
constexpr float max_page_side = 14400.0f * 64;

// OCR. Pages are rendered for tesseract at 300 dpi (what it is trained for; Chinese characters
// need ~30 px), in grayscale, lower when ConvertRequest::ocr_max_pixels would be exceeded.
constexpr double ocr_resolution = 300;
// A page whose own text has fewer visible characters than this, and whose area is mostly
// (ocr_min_image_coverage) covered by images, is a scan and gets OCR'd too.
constexpr std::size_t ocr_max_chars_present = 32;
constexpr float ocr_min_image_coverage = 0.5f;
// A page with fewer pixels darker than ocr_ink_level (sampled every 4th row) is blank: no OCR.
constexpr unsigned char ocr_ink_level = 160;
constexpr std::size_t ocr_min_ink_pixels = 16;
// OCR output whose mean word confidence (0-100) is below this is noise read into pictures, boxes
// and rules, not text: clean scans score 85-96, such noise 30 or less.
constexpr int ocr_min_confidence = 40;
// Fewer visible characters than this, of lines read with confidence (worker/ocr.h), are a cover's
// stylised title or letters seen in a picture, not a page of text: the page keeps its own text.
constexpr std::size_t ocr_min_text_chars = 16;

// One page drawn: packed RGB rows, not yet encoded.
struct Picture {
    std::vector<unsigned char> rgb;
    int width = 0;
    int height = 0;
};

// Where a page lands in pixels: `target_width` px wide unless that would exceed `max_pixels` or the
// largest side WebP allows, in which case the scale shrinks to fit.
struct Raster {
    float scale = 1;
    fz_irect box{};
    int width() const { return box.x1 - box.x0; }
    int height() const { return box.y1 - box.y0; }
};

bool usable_bounds(fz_rect r);
Raster fit_width(fz_rect bounds, int target_width, long long max_pixels);
void write_webp(const Picture& picture, const fs::path& path, int quality);
std::size_t count_visible_chars(std::string_view utf8);
float image_coverage(const fz_stext_page* page, fz_rect bounds);
bool needs_ocr(std::size_t text_chars, float coverage);
bool has_ink(const unsigned char* samples, int width, int height, std::ptrdiff_t stride);
std::string format_seconds(double seconds);

// Everything one conversion shares while it walks the pages.
class PageRenderer {
  public:
    PageRenderer(MupdfContext& mu, fz_document* doc, PdfText* pdf_text, const ConvertRequest& request,
                 const RenderLimits& limits, std::string name, RenderWarnings& warnings)
        : mu_(mu),
          ctx_(mu.get()),
          doc_(doc),
          pdf_text_(pdf_text),
          request_(request),
          limits_(limits),
          name_(std::move(name)),
          warnings_(warnings),
          watermark_(request.watermark, request.watermark_opacity) {}

    // Renders every page into request.output_dir and fills result.pages and result.cover.
    void render_all(int page_count, ConvertResult& result) {
        const fs::path out_dir(request_.output_dir);
        std::error_code ec;
        fs::create_directories(out_dir, ec);
        result.pages.clear();
        result.pages.reserve(static_cast<std::size_t>(page_count));
        int loaded = 0;
        std::string first_failure;
        // WebP encoding (most of a page's cost) of page N runs on a second thread while page N+1
        // is drawn: a single large document then uses two cores.
        std::future<void> encoding;
        for (int index = 0; index < page_count; ++index) {
            PageResult page;
            page.number = index + 1;
            page.preview = preview_file_name(page.number);
            std::optional<Picture> cover;
            std::string failure;
            Picture preview = render_page(index, page, index == 0 ? &cover : nullptr, failure);
            if (failure.empty()) {
                ++loaded;
            } else if (first_failure.empty()) {
                first_failure = failure;
            }
            page.width_px = preview.width;
            page.height_px = preview.height;
            if (encoding.valid()) encoding.get();  // rethrows an encoder failure
            encoding = std::async(std::launch::async,
                                  [preview = std::move(preview), cover = std::move(cover),
                                   path = out_dir / page.preview, out_dir, quality = request_.webp_quality] {
                                      write_webp(preview, path, quality);
                                      if (cover) write_webp(*cover, out_dir / cover_file_name, quality);
                                  });
            if (index == 0) result.cover = cover_file_name;
            result.pages.push_back(std::move(page));
        }
        if (encoding.valid()) encoding.get();
        if (loaded == 0) {
            throw InputError(error_code::corrupt, name_ + " is damaged: none of its " +
                                                      std::to_string(page_count) + " pages can be read (" +
                                                      first_failure + ")");
        }
    }

  private:
    // Throws too_large for memory errors; other errors become a warning about page `number`.
    bool survive(const std::optional<MupdfError>& error, int number, const char* what) {
        if (!error) return true;
        if (is_out_of_memory(*error)) throw_too_large(mu_, name_);
        warn("page " + std::to_string(number) + " " + what + ": " + error->message);
        return false;
    }

    void warn(std::string message) { warnings_.push_back(std::move(message)); }

    // Draws page `index` and fills `result.text` (and result.ocr when the text was recognised);
    // `cover` (when asked for) receives the thumbnail. A page that cannot be loaded becomes a
    // blank preview and `failure` says why.
    Picture render_page(int index, PageResult& result, std::optional<Picture>* cover, std::string& failure) {
        const int number = index + 1;
        const std::size_t memory_errors = mu_.memory_error_count();
        FzPage page(ctx_);
        fz_rect bounds = fz_empty_rect;
        auto error = mu_.attempt([&](fz_context* c) {
            page.slot() = fz_load_page(c, doc_, index);
            bounds = fz_bound_page(c, page.get());
        });
        if (!survive(error, number, "cannot be loaded")) {
            failure = error->message;
            return blank_page(cover, number);
        }
        if (!usable_bounds(bounds)) {
            warn("page " + std::to_string(number) + " has an unusable size; drawn as a blank page");
            return blank_page(cover, number);
        }

        // Record the page once; the preview, the cover, the text and OCR all replay the recording.
        FzDisplayList list(ctx_);
        error = mu_.attempt([&](fz_context* c) { list.slot() = fz_new_display_list(c, bounds); });
        if (error) throw_document_error(mu_, *error, name_);
        {
            FzDevice device(ctx_);
            fz_cookie cookie{};
            error = mu_.attempt([&](fz_context* c) {
                device.slot() = fz_new_list_device(c, list.get());
                fz_run_page(c, page.get(), device.get(), fz_identity, &cookie);
                fz_close_device(c, device.get());
            });
            if (survive(error, number, "could not be read completely") && cookie.errors > 0) {
                warn("page " + std::to_string(number) + " has " + std::to_string(cookie.errors) +
                     " damaged drawing instructions; its preview may be incomplete");
            }
        }

        Picture preview = draw(list.get(), bounds, request_.preview_width, number);
        if (cover) *cover = draw(list.get(), bounds, request_.thumb_width, number);

        if (auto text = pdf_text_ ? pdf_text_->page_text(index) : std::nullopt) {
            result.text = std::move(*text);
        } else {
            FzTextPage stext(ctx_);
            error = mu_.attempt([&](fz_context* c) {
                const fz_stext_options options = page_text_options();
                stext.slot() = fz_new_stext_page_from_display_list(c, list.get(), &options);
            });
            if (survive(error, number, "text could not be extracted"))
                result.text = stext_page_text(stext.get());
        }
        // MuPDF leaves out what it could not allocate (an image, a font) and carries on; a page
        // drawn like that would be silently incomplete, so the document is refused instead.
        if (mu_.memory_error_count() != memory_errors) throw_too_large(mu_, name_);

        if (request_.ocr) {
            const std::size_t chars = count_visible_chars(result.text);
            // Only a page with next to no text is worth the second look at its images.
            const float coverage =
                chars > 0 && chars < ocr_max_chars_present ? page_image_coverage(list.get(), bounds) : 0;
            if (needs_ocr(chars, coverage)) recognise(list.get(), bounds, number, result);
        }
        return preview;
    }

    // Share of the page covered by images (scans are pictures of text), from a text extraction
    // that keeps image blocks. 0 when it fails.
    float page_image_coverage(fz_display_list* list, fz_rect bounds) {
        FzTextPage stext(ctx_);
        const auto error = mu_.attempt([&](fz_context* c) {
            fz_stext_options options = page_text_options();
            options.flags |= FZ_STEXT_PRESERVE_IMAGES;
            stext.slot() = fz_new_stext_page_from_display_list(c, list, &options);
        });
        return error ? 0.0f : image_coverage(stext.get(), bounds);
    }

    // Replaces result.text by what OCR reads on the page, when that is more than the page's own
    // text. Any failure (memory for the image, tesseract, the time limit) leaves the text as it
    // was and adds a warning; a document is never refused because of OCR.
    void recognise(fz_display_list* list, fz_rect bounds, int number, PageResult& result) {
        const std::string page_name = "page " + std::to_string(number);
        const double budget = request_.ocr_document_seconds - ocr_seconds_;
        if (budget <= 0) {
            if (!ocr_budget_warned_) {
                warn(page_name + " and later pages were not recognised: OCR of this document already took " +
                     format_seconds(ocr_seconds_) + " (the limit is " +
                     format_seconds(request_.ocr_document_seconds) + ")");
                ocr_budget_warned_ = true;
            }
            return;
        }
        const double dpi = ocr_dpi(bounds);
        const float scale = static_cast<float>(dpi / 72.0);
        const fz_irect box = fz_round_rect(fz_transform_rect(bounds, fz_scale(scale, scale)));
        FzPixmap gray(ctx_);
        auto error = mu_.attempt([&](fz_context* c) {
            gray.slot() = fz_new_pixmap_with_bbox(c, fz_device_gray(c), box, nullptr, 0);
            fz_clear_pixmap_with_value(c, gray.get(), 255);
        });
        if (error) {
            warn(page_name + " was not recognised: no memory for its " + std::to_string(box.x1 - box.x0) +
                 "x" + std::to_string(box.y1 - box.y0) + " image (" + error->message + ")");
            return;
        }
        {
            FzDevice device(ctx_);
            error = mu_.attempt([&](fz_context* c) {
                device.slot() = fz_new_draw_device(c, fz_identity, gray.get());
                fz_run_display_list(c, list, device.get(), fz_scale(scale, scale), fz_infinite_rect, nullptr);
                fz_close_device(c, device.get());
            });
            // A partly drawn page is still worth reading; a missing page is not.
            if (error && is_out_of_memory(*error)) {
                warn(page_name + " was not recognised: " + error->message);
                return;
            }
        }
        fz_pixmap* pix = gray.get();
        GrayImage image;
        image.pixels = fz_pixmap_samples(ctx_, pix);
        image.width = fz_pixmap_width(ctx_, pix);
        image.height = fz_pixmap_height(ctx_, pix);
        image.stride = fz_pixmap_stride(ctx_, pix);
        image.dpi = static_cast<int>(std::lround(dpi));
        if (!has_ink(image.pixels, image.width, image.height, image.stride)) return;  // a blank page

        OcrSettings settings;
        settings.languages = request_.ocr_languages;
        settings.tessdata_dir = limits_.tessdata_dir;
        settings.page_seconds = std::min<double>(std::max(1, request_.ocr_page_seconds), budget);
        const OcrPageResult ocr = recognize_page_text(image, settings);
        ocr_seconds_ += ocr.seconds;
        if (!ocr.ok) {
            warn(page_name + " was not recognised: " + ocr.error);
            return;
        }
        // Notes for the worker's log: OCR is what makes a scanned document slow to convert.
        const std::size_t chars = count_visible_chars(ocr.text);
        const std::string figures = std::to_string(chars) + " characters in " + format_seconds(ocr.seconds) +
                                    " (mean confidence " + std::to_string(ocr.mean_confidence) + ", " +
                                    std::to_string(ocr.unsure_lines) + " unsure lines left out)";
        if (chars > 0 && ocr.mean_confidence < ocr_min_confidence) {
            warn(page_name + ": OCR output ignored as unreadable: " + figures);
            return;
        }
        if (chars < ocr_min_text_chars) {
            if (chars > 0 || ocr.unsure_lines > 0)
                warn(page_name + ": OCR output ignored as not text: " + figures);
            return;
        }
        warn(page_name + " read by OCR: " + figures);
        if (chars > count_visible_chars(result.text)) {
            result.text = ocr.text;
            result.ocr = true;
        }
    }

    // OCR resolution for a page: ocr_dpi, lower when the page would exceed the OCR pixel budget.
    double ocr_dpi(fz_rect bounds) const {
        const double w = (bounds.x1 - bounds.x0) / 72.0;  // inches
        const double h = (bounds.y1 - bounds.y0) / 72.0;
        double dpi = ocr_resolution;
        const double budget = static_cast<double>(std::max(1LL, request_.ocr_max_pixels));
        if (w * dpi * h * dpi > budget) dpi = std::sqrt(budget / (w * h));
        return dpi;
    }

    Picture blank_page(std::optional<Picture>* cover, int number) {
        const PaperSize paper = paper_size(request_.paper);
        const fz_rect page{0, 0, paper.width, paper.height};
        if (cover) *cover = draw(nullptr, page, request_.thumb_width, number);
        return draw(nullptr, page, request_.preview_width, number);
    }

    // Replays `list` (none: a blank page) onto a white RGB canvas `width` px wide, then draws the
    // watermark over it. Drawing errors leave what was drawn so far (with a warning); running out
    // of memory throws too_large.
    Picture draw(fz_display_list* list, fz_rect bounds, int width, int number) {
        const Raster r = fit_width(bounds, width, request_.max_pixels);
        FzPixmap pixmap(ctx_);
        auto error = mu_.attempt([&](fz_context* c) {
            pixmap.slot() = fz_new_pixmap_with_bbox(c, fz_device_rgb(c), r.box, nullptr, 0);
            fz_clear_pixmap_with_value(c, pixmap.get(), 255);
        });
        if (error) {
            if (is_out_of_memory(*error)) throw_too_large(mu_, name_);
            throw EnvironmentError("cannot make a " + std::to_string(r.width()) + "x" +
                                   std::to_string(r.height()) + " canvas for page " + std::to_string(number) +
                                   ": " + error->message);
        }
        const fz_matrix ctm = fz_scale(r.scale, r.scale);
        if (list) {
            FzDevice device(ctx_);
            error = mu_.attempt([&](fz_context* c) {
                device.slot() = fz_new_draw_device(c, fz_identity, pixmap.get());
                fz_run_display_list(c, list, device.get(), ctm, fz_infinite_rect, nullptr);
                fz_close_device(c, device.get());
            });
            survive(error, number, "could not be drawn completely");
        }
        if (!watermark_.empty()) {
            error = mu_.attempt([&](fz_context* c) { watermark_.draw(c, pixmap.get(), ctm, bounds); });
            if (error) {
                if (is_out_of_memory(*error)) throw_too_large(mu_, name_);
                // A preview must not go out without its watermark.
                throw EnvironmentError("cannot draw the watermark on page " + std::to_string(number) + ": " +
                                       error->message);
            }
        }
        fz_pixmap* pix = pixmap.get();
        Picture picture;
        picture.width = fz_pixmap_width(ctx_, pix);
        picture.height = fz_pixmap_height(ctx_, pix);
        const std::size_t row = static_cast<std::size_t>(picture.width) * 3;
        picture.rgb.resize(row * static_cast<std::size_t>(picture.height));
        const unsigned char* samples = fz_pixmap_samples(ctx_, pix);
        const std::ptrdiff_t stride = fz_pixmap_stride(ctx_, pix);
        for (int y = 0; y < picture.height; ++y) {
            std::memcpy(picture.rgb.data() + row * static_cast<std::size_t>(y), samples + stride * y, row);
        }
        return picture;
    }

    MupdfContext& mu_;
    fz_context* ctx_;
    fz_document* doc_;
    PdfText* pdf_text_;  // reads the page text when set (PDFs); MuPDF does otherwise
    const ConvertRequest& request_;
    const RenderLimits& limits_;
    std::string name_;
    RenderWarnings& warnings_;
    Watermark watermark_;
    double ocr_seconds_ = 0;  // spent on OCR in this document so far
    bool ocr_budget_warned_ = false;
};

}  // namespace

void render_pages(MupdfContext& mu, fz_document* doc, PdfText* pdf_text, int page_count,
                  const ConvertRequest& request, const RenderLimits& limits, const std::string& name,
                  ConvertResult& result, RenderWarnings& warnings) {
    PageRenderer(mu, doc, pdf_text, request, limits, name, warnings).render_all(page_count, result);
}

namespace {

// Writes `bytes` to `path` (created or truncated) and flushes it to disk.
// Throws EnvironmentError naming the file when any step fails.
void write_file_synced(const fs::path& path, const std::string& bytes) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw EnvironmentError("cannot create " + path.string() + ": " + std::strerror(errno));
    const char* data = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, data, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int saved = errno;
            ::close(fd);
            throw EnvironmentError("cannot write " + path.string() + ": " + std::strerror(saved));
        }
        data += n;
        left -= static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        const int saved = errno;
        ::close(fd);
        throw EnvironmentError("cannot flush " + path.string() + ": " + std::strerror(saved));
    }
    if (::close(fd) != 0)
        throw EnvironmentError("cannot close " + path.string() + ": " + std::strerror(errno));
}

bool usable_bounds(fz_rect r) {
    const float w = r.x1 - r.x0;
    const float h = r.y1 - r.y0;
    return std::isfinite(r.x0) && std::isfinite(r.y0) && std::isfinite(w) && std::isfinite(h) &&
           w >= min_page_side && h >= min_page_side && w <= max_page_side && h <= max_page_side;
}

Raster fit_width(fz_rect bounds, int target_width, long long max_pixels) {
    const double w = bounds.x1 - bounds.x0;
    const double h = bounds.y1 - bounds.y0;
    double scale = std::max(1, target_width) / w;
    if (max_pixels > 0 && w * scale * h * scale > static_cast<double>(max_pixels)) {
        scale = std::sqrt(static_cast<double>(max_pixels) / (w * h));
    }
    scale = std::min({scale, webp_max_dimension / w, webp_max_dimension / h});
    const int wpx = std::clamp(static_cast<int>(std::lround(w * scale)), 1, webp_max_dimension);
    const int hpx = std::clamp(static_cast<int>(std::lround(h * scale)), 1, webp_max_dimension);
    Raster r;
    r.scale = static_cast<float>(scale);
    r.box.x0 = static_cast<int>(std::floor(bounds.x0 * scale));
    r.box.y0 = static_cast<int>(std::floor(bounds.y0 * scale));
    r.box.x1 = r.box.x0 + wpx;
    r.box.y1 = r.box.y0 + hpx;
    return r;
}

// Encodes `picture` as WebP into `path`.
void write_webp(const Picture& picture, const fs::path& path, int quality) {
    write_file_synced(path, encode_webp_rgb(picture.rgb.data(), picture.width, picture.height,
                                            std::ptrdiff_t{3} * picture.width, WebpOptions{quality}));
}

// Counts code points that are not whitespace (valid UTF-8 assumed: continuation bytes are skipped).
std::size_t count_visible_chars(std::string_view utf8) {
    std::size_t n = 0;
    for (const char ch : utf8) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c & 0xC0) == 0x80 || c == ' ' || c == '\n' || c == '\t' || c == '\r') continue;
        ++n;
    }
    return n;
}

// The share of the page area (0-1) that images cover, from the image blocks of `page` (made with
// FZ_STEXT_PRESERVE_IMAGES). Overlapping images count twice; the sum is capped at 1.
float image_coverage(const fz_stext_page* page, fz_rect bounds) {
    const float page_area = (bounds.x1 - bounds.x0) * (bounds.y1 - bounds.y0);
    if (!page || !(page_area > 0)) return 0;
    float covered = 0;
    for (const fz_stext_block* block = page->first_block; block; block = block->next) {
        if (block->type != FZ_STEXT_BLOCK_IMAGE) continue;
        const fz_rect r = fz_intersect_rect(block->bbox, bounds);
        if (fz_is_empty_rect(r)) continue;
        covered += (r.x1 - r.x0) * (r.y1 - r.y0);
    }
    return std::min(1.0f, covered / page_area);
}

// Does a page with this much text and image area need OCR? A page without any text does (a scan,
// or text drawn as outlines); so does one with only a few characters (a stamped page number, a
// scanner's "Scanned by" line) when images cover most of it.
bool needs_ocr(std::size_t text_chars, float coverage) {
    return text_chars == 0 || (text_chars < ocr_max_chars_present && coverage >= ocr_min_image_coverage);
}

// Is there anything dark enough to be writing on this grayscale page? Blank pages are not sent to
// tesseract. Every 4th row is looked at, which is plenty for text at OCR resolution.
bool has_ink(const unsigned char* samples, int width, int height, std::ptrdiff_t stride) {
    std::size_t dark = 0;
    for (int y = 0; y < height; y += 4) {
        const unsigned char* row = samples + stride * y;
        for (int x = 0; x < width; ++x) dark += row[x] < ocr_ink_level;
        if (dark >= ocr_min_ink_pixels) return true;
    }
    return false;
}

std::string format_seconds(double seconds) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.2f s", seconds);
    return buffer;
}

}  // namespace
}  // namespace wenku::worker
