#include "worker/watermark.h"

#include <algorithm>
#include <cmath>

namespace wenku::worker {

namespace {

// Layout, in units of the text size (which is a fraction of the page width).
constexpr float size_of_page_width = 0.045f;  // 27 pt on an A4 page
// ... but at least this fraction of the page diagonal, which bounds the number of copies on a
// page of extreme proportions (a 1 x 10000 pt strip) to a few hundred.
constexpr float min_size_of_diagonal = 1.0f / 80;
constexpr float gap_between_repeats = 3.0f;  // blank space between two copies in a row
constexpr float row_pitch = 5.5f;            // distance between rows
constexpr float baseline_shift = 0.35f;      // puts a row's centre, not its baseline, on the grid
constexpr float angle_degrees = -30.0f;      // counter-clockwise on screen (page space is y-down)
constexpr float grey = 0.5f;

bool is_control(int c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029; }

bool is_space(int c) {
    return c == ' ' || c == 0xA0 || c == 0x3000 || (c >= 0x2000 && c <= 0x200B) || c == 0xFEFF;
}

// The font Latin text is set in; Helvetica when MuPDF has its base-14 fonts built in, else the
// CJK font (whose Latin glyphs serve as well). Throws only when neither can be made.
fz_font* watermark_font(fz_context* ctx) {
    fz_font* font = nullptr;
    fz_var(font);
    fz_try(ctx) { font = fz_new_base14_font(ctx, "Helvetica"); }
    fz_catch(ctx) { font = nullptr; }
    return font ? font : fz_new_cjk_font(ctx, FZ_ADOBE_GB);
}

}  // namespace

Watermark::Watermark(std::string_view text, int opacity_percent) {
    alpha_ = static_cast<float>(std::clamp(opacity_percent, 0, 100)) / 100.0f;
    const std::string source(text);  // fz_chartorune reads up to a NUL
    std::size_t count = 0;
    bool pending_space = false;
    for (const char* s = source.c_str(); *s && count < max_code_points;) {
        int c = 0;
        s += fz_chartorune(&c, s);
        if (c == FZ_REPLACEMENT_CHARACTER) continue;  // invalid UTF-8
        if (is_space(c) || c == '\t' || c == '\n' || c == '\r') {
            pending_space = !text_.empty();
            continue;
        }
        if (is_control(c)) continue;
        if (pending_space) {
            text_ += ' ';
            ++count;
            pending_space = false;
            if (count >= max_code_points) break;
        }
        char utf8[FZ_UTFMAX];
        text_.append(utf8, static_cast<std::size_t>(fz_runetochar(utf8, c)));
        ++count;
    }
    while (!text_.empty() && text_.back() == ' ') text_.pop_back();
}

void Watermark::draw(fz_context* ctx, fz_pixmap* pixmap, fz_matrix ctm, fz_rect page) const {
    if (empty()) return;
    const float width = page.x1 - page.x0;
    const float height = page.y1 - page.y0;
    if (!(width > 0) || !(height > 0)) return;
    const char* utf8 = text_.c_str();
    const float alpha = alpha_;
    const float diagonal = std::hypot(width, height);
    const float size = std::max(width * size_of_page_width, diagonal * min_size_of_diagonal);
    const fz_matrix unit = fz_scale(size, -size);  // glyph space is y-up, page space y-down
    // A disc around the page centre covers the page whatever the angle.
    const float reach = diagonal / 2 + size;
    const fz_matrix frame_to_page =
        fz_concat(fz_rotate(angle_degrees), fz_translate((page.x0 + page.x1) / 2, (page.y0 + page.y1) / 2));
    const fz_matrix to_device = fz_concat(frame_to_page, ctm);

    fz_font* font = nullptr;
    fz_text* text = nullptr;
    fz_device* device = nullptr;
    fz_var(font);
    fz_var(text);
    fz_var(device);
    fz_try(ctx) {
        font = watermark_font(ctx);
        const float length = fz_measure_string(ctx, font, unit, utf8, 0, 0, FZ_BIDI_LTR, FZ_LANG_zh_Hans).e;
        const float pitch = std::max(length, size) + gap_between_repeats * size;
        text = fz_new_text(ctx);
        int row = 0;
        for (float v = -reach; v <= reach + row_pitch * size; v += row_pitch * size, ++row) {
            // Alternate rows start half a step later: the copies form a brick pattern.
            const float start = -reach - pitch - (row % 2 ? pitch / 2 : 0);
            for (float u = start; u <= reach; u += pitch) {
                fz_matrix trm = unit;
                trm.e = u;
                trm.f = v + baseline_shift * size;
                fz_show_string(ctx, text, font, trm, utf8, 0, 0, FZ_BIDI_LTR, FZ_LANG_zh_Hans);
            }
        }
        device = fz_new_draw_device(ctx, fz_identity, pixmap);
        fz_fill_text(ctx, device, text, to_device, fz_device_gray(ctx), &grey, alpha,
                     fz_default_color_params);
        fz_close_device(ctx, device);
    }
    fz_always(ctx) {
        fz_drop_device(ctx, device);
        fz_drop_text(ctx, text);
        fz_drop_font(ctx, font);
    }
    fz_catch(ctx) { fz_rethrow(ctx); }
}

}  // namespace wenku::worker
