#include "worker/renderer.h"

#include <fcntl.h>
#include <mupdf/fitz.h>
#include <mupdf/pdf.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <future>
#include <optional>
#include <vector>

#include "core/errors.h"
#include "worker/mupdf_context.h"
#include "worker/mupdf_text.h"
#include "worker/ocr.h"
#include "worker/watermark.h"
#include "worker/webp_encoder.h"

namespace wenku::worker {

namespace {

namespace fs = std::filesystem;

// A4 in points, and the body text size HTML is laid out with.
constexpr float a4_width = 595.0f;
constexpr float a4_height = 842.0f;
constexpr float html_em = 11.0f;

// Page boxes outside this range (points) are treated as broken and drawn as A4.
constexpr float min_page_side = 1.0f;
constexpr float max_page_side = 14400.0f * 64;

// How many of MuPDF's own diagnostics are passed on as warnings.
constexpr std::size_t mupdf_messages_kept = 20;

constexpr std::size_t mib = std::size_t{1} << 20;

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

// Owns one MuPDF object; dropping never throws.
template <class T, void (*Drop)(fz_context*, T*)>
class FzHandle {
  public:
    explicit FzHandle(fz_context* ctx) : ctx_(ctx) {}
    ~FzHandle() { reset(); }
    FzHandle(const FzHandle&) = delete;
    FzHandle& operator=(const FzHandle&) = delete;
    T* get() const { return ptr_; }
    T*& slot() { return ptr_; }  // for assignment inside MupdfContext::attempt
    void reset() {
        if (ptr_) Drop(ctx_, ptr_);
        ptr_ = nullptr;
    }

  private:
    fz_context* ctx_;
    T* ptr_ = nullptr;
};

using Document = FzHandle<fz_document, fz_drop_document>;
using Stream = FzHandle<fz_stream, fz_drop_stream>;
using Page = FzHandle<fz_page, fz_drop_page>;
using DisplayList = FzHandle<fz_display_list, fz_drop_display_list>;
using Device = FzHandle<fz_device, fz_drop_device>;
using Pixmap = FzHandle<fz_pixmap, fz_drop_pixmap>;
using TextPage = FzHandle<fz_stext_page, fz_drop_stext_page>;
using PdfDocument = FzHandle<pdf_document, pdf_drop_document>;
using PdfObject = FzHandle<pdf_obj, pdf_drop_obj>;
using Buffer = FzHandle<fz_buffer, fz_drop_buffer>;

std::string display_name(const ConvertRequest& request) {
    if (!request.original_name.empty()) return request.original_name;
    return fs::path(request.input_path).filename().string();
}

bool is_out_of_memory(const MupdfError& error) {
    return error.code == FZ_ERROR_MEMORY || error.message.find("malloc") != std::string::npos ||
           error.message.find("out of memory") != std::string::npos;
}

// "1536 MiB", or KiB for limits under a mebibyte.
std::string format_limit(std::size_t bytes) {
    if (bytes < mib) return std::to_string(bytes >> 10) + " KiB";
    return std::to_string(bytes / mib) + " MiB";
}

[[noreturn]] void throw_too_large(std::size_t limit, const std::string& name) {
    throw InputError(error_code::too_large, name + " needs more than " + format_limit(limit) + " to render");
}

[[noreturn]] void throw_too_large(const MupdfContext& mu, const std::string& name) {
    throw_too_large(mu.memory_limit(), name);
}

// Creates the MuPDF context for one conversion; when not even that fits in the memory limit, the
// document is too large like any other that exceeds it.
void start_context(std::optional<MupdfContext>& context, const RenderLimits& limits,
                   const std::string& name) {
    try {
        context.emplace(limits.memory_limit_bytes);
    } catch (const InputError&) {
        throw_too_large(limits.memory_limit_bytes, name);
    }
}

// Turns an error MuPDF threw while reading the document into the InputError a user sees. An
// allocation that failed earlier may be what broke the document's structure, so any memory
// error counts as "too large" rather than "damaged".
[[noreturn]] void throw_document_error(const MupdfContext& mu, const MupdfError& error,
                                       const std::string& name) {
    if (is_out_of_memory(error) || mu.memory_error_count() > 0) throw_too_large(mu, name);
    throw InputError(error_code::corrupt, name + " is damaged: " + error.message);
}

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

// Where a page lands in pixels: `target_width` px wide unless that would exceed `max_pixels` or the
// largest side WebP allows, in which case the scale shrinks to fit.
struct Raster {
    float scale = 1;
    fz_irect box{};
    int width() const { return box.x1 - box.x0; }
    int height() const { return box.y1 - box.y0; }
};

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

// One page drawn: packed RGB rows, not yet encoded.
struct Picture {
    std::vector<unsigned char> rgb;
    int width = 0;
    int height = 0;
};

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

// Everything one conversion shares while it walks the pages.
class PageRenderer {
  public:
    PageRenderer(MupdfContext& mu, fz_document* doc, const ConvertRequest& request,
                 const RenderLimits& limits, std::string name, RenderWarnings& warnings)
        : mu_(mu),
          ctx_(mu.get()),
          doc_(doc),
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
            encoding = std::async(std::launch::async, [preview = std::move(preview), cover = std::move(cover),
                                                       path = out_dir / page.preview, out_dir,
                                                       quality = request_.webp_quality] {
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
        Page page(ctx_);
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
            warn("page " + std::to_string(number) + " has an unusable size; drawn as a blank A4 page");
            return blank_page(cover, number);
        }

        // Record the page once; the preview, the cover, the text and OCR all replay the recording.
        DisplayList list(ctx_);
        error = mu_.attempt([&](fz_context* c) { list.slot() = fz_new_display_list(c, bounds); });
        if (error) throw_document_error(mu_, *error, name_);
        {
            Device device(ctx_);
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

        {
            TextPage stext(ctx_);
            error = mu_.attempt([&](fz_context* c) {
                const fz_stext_options options = page_text_options();
                stext.slot() = fz_new_stext_page_from_display_list(c, list.get(), &options);
            });
            if (survive(error, number, "text could not be extracted")) result.text = stext_page_text(stext.get());
        }
        // MuPDF leaves out what it could not allocate (an image, a font) and carries on; a page
        // drawn like that would be silently incomplete, so the document is refused instead.
        if (mu_.memory_error_count() != memory_errors) throw_too_large(mu_, name_);

        if (request_.ocr) {
            const std::size_t chars = count_visible_chars(result.text);
            // Only a page with next to no text is worth the second look at its images.
            const float coverage = chars > 0 && chars < ocr_max_chars_present ? page_image_coverage(list.get(), bounds) : 0;
            if (needs_ocr(chars, coverage)) recognise(list.get(), bounds, number, result);
        }
        return preview;
    }

    // Replaces result.text by what OCR reads on the page, when that is more than the page's own
    // text. Any failure (memory for the image, tesseract, the time limit) leaves the text as it
    // was and adds a warning; a document is never refused because of OCR.
    // Share of the page covered by images (scans are pictures of text), from a text extraction
    // that keeps image blocks. 0 when it fails.
    float page_image_coverage(fz_display_list* list, fz_rect bounds) {
        TextPage stext(ctx_);
        const auto error = mu_.attempt([&](fz_context* c) {
            fz_stext_options options = page_text_options();
            options.flags |= FZ_STEXT_PRESERVE_IMAGES;
            stext.slot() = fz_new_stext_page_from_display_list(c, list, &options);
        });
        return error ? 0.0f : image_coverage(stext.get(), bounds);
    }

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
        Pixmap gray(ctx_);
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
            Device device(ctx_);
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
                                    " (mean confidence " + std::to_string(ocr.mean_confidence) + ")";
        if (chars > 0 && ocr.mean_confidence < ocr_min_confidence) {
            warn(page_name + ": OCR output ignored as unreadable: " + figures);
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
        const fz_rect a4{0, 0, a4_width, a4_height};
        if (cover) *cover = draw(nullptr, a4, request_.thumb_width, number);
        return draw(nullptr, a4, request_.preview_width, number);
    }

    // Replays `list` (none: a blank page) onto a white RGB canvas `width` px wide, then draws the
    // watermark over it. Drawing errors leave what was drawn so far (with a warning); running out
    // of memory throws too_large.
    Picture draw(fz_display_list* list, fz_rect bounds, int width, int number) {
        const Raster r = fit_width(bounds, width, request_.max_pixels);
        Pixmap pixmap(ctx_);
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
            Device device(ctx_);
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
    const ConvertRequest& request_;
    const RenderLimits& limits_;
    std::string name_;
    RenderWarnings& warnings_;
    Watermark watermark_;
    double ocr_seconds_ = 0;  // spent on OCR in this document so far
    bool ocr_budget_warned_ = false;
};

// Appends what MuPDF reported (repairs, font substitutions) to the caller's warnings.
void pass_on_messages(const MupdfContext& mu, RenderWarnings& warnings) {
    const auto& messages = mu.messages();
    const std::size_t n = std::min(messages.size(), mupdf_messages_kept);
    for (std::size_t i = 0; i < n; ++i) warnings.push_back("mupdf " + messages[i]);
    if (messages.size() > n) {
        warnings.push_back("mupdf: " + std::to_string(messages.size() - n) + " more messages not shown");
    }
}

// " (MuPDF's first error)", or empty when it reported none.
std::string first_error_of(const MupdfContext& mu) {
    for (const auto& message : mu.messages()) {
        if (message.rfind("error: ", 0) == 0) return " (" + message.substr(7) + ")";
    }
    return {};
}

// Counts pages, enforcing the page limit. No pages in a file MuPDF had to repair, or threw errors
// about while opening, means damage (a lost page tree) rather than an empty document.
int count_pages(MupdfContext& mu, fz_document* doc, const ConvertRequest& request, const std::string& name,
                bool& repaired) {
    int pages = 0;
    int rebuilt = 0;
    if (auto error = mu.attempt([&](fz_context* c) {
            pages = fz_count_pages(c, doc);
            if (pdf_document* pdf = pdf_specifics(c, doc)) rebuilt = pdf_was_repaired(c, pdf);
        })) {
        throw_document_error(mu, *error, name);
    }
    repaired = rebuilt != 0;
    if (pages <= 0) {
        if (mu.memory_error_count() > 0) throw_too_large(mu, name);
        if (repaired || mu.error_count() > 0) {
            throw InputError(error_code::corrupt,
                             name + " is damaged: no pages can be found in it" + first_error_of(mu));
        }
        throw InputError(error_code::empty, name + " has no pages");
    }
    if (pages > request.max_pages) {
        throw InputError(error_code::too_large, name + " has " + std::to_string(pages) +
                                                    " pages; the limit is " +
                                                    std::to_string(request.max_pages));
    }
    return pages;
}

std::string lookup_title(MupdfContext& mu, fz_document* doc) {
    char buffer[1024] = {};
    int length = -1;
    mu.attempt([&](fz_context* c) {
        length = fz_lookup_metadata(c, doc, FZ_META_INFO_TITLE, buffer, sizeof buffer);
    });
    if (length <= 0) return {};
    buffer[sizeof buffer - 1] = '\0';
    return buffer;
}

// Opens `html` (UTF-8) with MuPDF's HTML engine and lays it out on A4 pages.
void open_html(MupdfContext& mu, std::string_view html, Document& doc, const std::string& name) {
    Stream stream(mu.get());
    auto error = mu.attempt([&](fz_context* c) {
        stream.slot() = fz_open_memory(c, reinterpret_cast<const unsigned char*>(html.data()), html.size());
        doc.slot() = fz_open_document_with_stream(c, "text/html", stream.get());
        fz_layout_document(c, doc.get(), a4_width, a4_height, html_em);
    });
    if (error) {
        if (is_out_of_memory(*error)) throw_too_large(mu, name);
        throw InputError(error_code::corrupt, name + " could not be laid out: " + error->message);
    }
}

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
    return out;
}

bool has_word_character(std::string_view s) {
    for (unsigned char c : s) {
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80)
            return true;
    }
    return false;
}

// MuPDF 1.21 tags Han text without a language as Japanese when it writes PDF, and encodes it with
// UniJIS, which drops simplified-only characters (员, 说, ...). wenku's default language is
// Simplified Chinese, so a <body> without a lang attribute gets lang="zh-CN". (MuPDF ignores lang
// on <html>.) HTML without a <body> tag is returned unchanged.
std::string with_body_language(std::string_view html) {
    const std::string lower = ascii_lower(html);
    std::size_t body = lower.find("<body");
    while (body != std::string::npos) {
        const char next = body + 5 < lower.size() ? lower[body + 5] : '\0';
        if (next == '>' || next == ' ' || next == '\t' || next == '\n' || next == '\r' || next == '/') break;
        body = lower.find("<body", body + 5);
    }
    if (body == std::string::npos) return std::string(html);
    const std::size_t end = lower.find('>', body);
    if (end == std::string::npos) return std::string(html);
    const std::string_view tag = std::string_view(lower).substr(body, end - body);
    if (tag.find(" lang=") != std::string_view::npos || tag.find("\tlang=") != std::string_view::npos ||
        tag.find("\nlang=") != std::string_view::npos) {
        return std::string(html);
    }
    std::string out(html);
    out.insert(body + 5, " lang=\"zh-CN\"");
    return out;
}

}  // namespace

std::string clean_document_title(std::string_view raw) {
    std::string title = tidy_text_line(raw);
    for (const char* prefix : {"microsoft word - ", "microsoft powerpoint - ", "microsoft excel - "}) {
        if (ascii_lower(title).rfind(prefix, 0) == 0) {
            title.erase(0, std::strlen(prefix));
            for (const char* ext : {".docx", ".doc", ".pptx", ".ppt", ".xlsx", ".xls", ".rtf"}) {
                const std::size_t n = std::strlen(ext);
                if (title.size() > n && ascii_lower(title.substr(title.size() - n)) == ext) {
                    title.erase(title.size() - n);
                    break;
                }
            }
            title = tidy_text_line(title);
            break;
        }
    }
    static const char* const placeholders[] = {
        "untitled", "untitled document", "no title", "title",      "document",
        "无标题",   "无标题文档",        "未命名",   "未命名文档", "文档"};
    const std::string lower = ascii_lower(title);
    for (const char* placeholder : placeholders) {
        if (lower == placeholder) return {};
    }
    if (lower.rfind("untitled-", 0) == 0 || lower.rfind("untitled ", 0) == 0) return {};
    if (!has_word_character(title) || title.find("\xEF\xBF\xBD") != std::string::npos) return {};
    return title;
}

namespace {

/// Opens request.input_path as `magic` (never by its name), lays out reflowable formats on A4,
/// and renders it. `format` goes into the result.
void render_file(const ConvertRequest& request, const RenderLimits& limits, ConvertResult& result,
                 RenderWarnings& warnings, const char* magic, const char* format) {
    const std::string name = display_name(request);
    std::error_code ec;
    const auto size = fs::file_size(request.input_path, ec);
    if (ec) throw EnvironmentError("cannot read " + request.input_path + ": " + ec.message());
    if (size == 0) throw InputError(error_code::empty, name + " is empty (0 bytes)");

    std::optional<MupdfContext> context;
    start_context(context, limits, name);
    MupdfContext& mu = *context;
    try {
        Document doc(mu.get());
        {
            Stream stream(mu.get());
            if (auto error = mu.attempt(
                    [&](fz_context* c) { stream.slot() = fz_open_file(c, request.input_path.c_str()); })) {
                throw EnvironmentError("cannot open " + request.input_path + ": " + error->message);
            }
            // The content decides the format: always parse as `magic`, whatever the name says.
            if (auto error = mu.attempt([&](fz_context* c) {
                    doc.slot() = fz_open_document_with_stream(c, magic, stream.get());
                    if (fz_is_document_reflowable(c, doc.get())) {
                        fz_layout_document(c, doc.get(), a4_width, a4_height, html_em);
                    }
                })) {
                throw_document_error(mu, *error, name);
            }
        }
        int needs_password = 0;
        int unlocked = 0;
        auto error = mu.attempt([&](fz_context* c) {
            needs_password = fz_needs_password(c, doc.get());
            if (needs_password) unlocked = fz_authenticate_password(c, doc.get(), "");
        });
        if (error) throw_document_error(mu, *error, name);
        if (needs_password && !unlocked)
            throw InputError(error_code::encrypted, name + " is password-protected");

        bool repaired = false;
        const int pages = count_pages(mu, doc.get(), request, name, repaired);
        if (repaired)
            warnings.push_back(name + " was damaged and has been repaired; some content may be missing");
        result.title = clean_document_title(lookup_title(mu, doc.get()));
        PageRenderer(mu, doc.get(), request, limits, name, warnings).render_all(pages, result);
        result.format = format;
    } catch (...) {
        pass_on_messages(mu, warnings);
        throw;
    }
    pass_on_messages(mu, warnings);
}

}  // namespace

void render_pdf(const ConvertRequest& request, const RenderLimits& limits, ConvertResult& result,
                RenderWarnings& warnings) {
    render_file(request, limits, result, warnings, "application/pdf", "pdf");
}

void render_epub(const ConvertRequest& request, const RenderLimits& limits, ConvertResult& result,
                 RenderWarnings& warnings) {
    render_file(request, limits, result, warnings, "application/epub+zip", "epub");
}

void render_pdf(const ConvertRequest& request, const RenderLimits& limits, ConvertResult& result) {
    RenderWarnings ignored;
    render_pdf(request, limits, result, ignored);
}

void render_html(std::string_view html, const ConvertRequest& request, const RenderLimits& limits,
                 ConvertResult& result, RenderWarnings& warnings) {
    const std::string name = display_name(request);
    std::optional<MupdfContext> context;
    start_context(context, limits, name);
    MupdfContext& mu = *context;
    try {
        Document doc(mu.get());
        open_html(mu, html, doc, name);
        bool repaired = false;
        const int pages = count_pages(mu, doc.get(), request, name, repaired);
        PageRenderer(mu, doc.get(), request, limits, name, warnings).render_all(pages, result);
    } catch (...) {
        pass_on_messages(mu, warnings);
        throw;
    }
    pass_on_messages(mu, warnings);
}

void render_html(std::string_view html, const ConvertRequest& request, const RenderLimits& limits,
                 ConvertResult& result) {
    RenderWarnings ignored;
    render_html(html, request, limits, result, ignored);
}

void write_html_as_pdf(std::string_view html, const std::filesystem::path& pdf_path) {
    MupdfContext mu(RenderLimits{}.memory_limit_bytes);
    const std::string name = pdf_path.filename().string();
    const std::string tagged = with_body_language(html);
    Document doc(mu.get());
    open_html(mu, tagged, doc, name);
    PdfDocument pdf(mu.get());
    char title[1024] = {};
    auto error = mu.attempt([&](fz_context* c) {
        pdf.slot() = pdf_create_document(c);
        if (fz_lookup_metadata(c, doc.get(), FZ_META_INFO_TITLE, title, sizeof title) > 0 && title[0]) {
            pdf_obj* info = pdf_add_new_dict(c, pdf.get(), 1);
            pdf_dict_put_drop(c, pdf_trailer(c, pdf.get()), PDF_NAME(Info), info);
            pdf_dict_put_text_string(c, info, PDF_NAME(Title), title);
        }
    });
    if (error) throw EnvironmentError("cannot start " + pdf_path.string() + ": " + error->message);

    int page_count = 0;
    error = mu.attempt([&](fz_context* c) { page_count = fz_count_pages(c, doc.get()); });
    for (int i = 0; !error && i < page_count; ++i) {
        Page page(mu.get());
        Device device(mu.get());
        Buffer contents(mu.get());
        PdfObject resources(mu.get());
        PdfObject page_object(mu.get());
        error = mu.attempt([&](fz_context* c) {
            page.slot() = fz_load_page(c, doc.get(), i);
            const fz_rect box = fz_bound_page(c, page.get());
            device.slot() = pdf_page_write(c, pdf.get(), box, &resources.slot(), &contents.slot());
            fz_run_page(c, page.get(), device.get(), fz_identity, nullptr);
            fz_close_device(c, device.get());
            page_object.slot() = pdf_add_page(c, pdf.get(), box, 0, resources.get(), contents.get());
            pdf_insert_page(c, pdf.get(), -1, page_object.get());
        });
    }
    if (!error) {
        error = mu.attempt([&](fz_context* c) {
            pdf_write_options options = pdf_default_write_options;
            options.do_compress = 1;
            options.do_compress_fonts = 1;
            options.do_garbage = 1;
            pdf_save_document(c, pdf.get(), pdf_path.c_str(), &options);
        });
    }
    if (error) throw EnvironmentError("cannot write " + pdf_path.string() + ": " + error->message);
}

}  // namespace wenku::worker
