#pragma once
// The text watermark drawn across page previews (preview.watermark): the text repeated in
// staggered rows over the whole page, turned 30 degrees counter-clockwise, mid grey at the
// configured opacity, its size a fixed fraction of the page width so that every preview and the
// cover look alike. Drawn onto the rendered pixmap only: it never enters the page text, the OCR
// input or the original file. Internal to src/worker/.
#include <cstddef>
#include <string>
#include <string_view>

#include <mupdf/fitz.h>

namespace wenku::worker {

class Watermark {
  public:
    /// Longest watermark kept, in code points; the rest is cut off.
    static constexpr std::size_t max_code_points = 64;

    /// Prepares `text` (UTF-8): invalid sequences and control characters are dropped, whitespace
    /// runs become one space, the ends are trimmed and the text is cut to max_code_points.
    /// `opacity_percent` is clamped to 0-100. Never fails; see empty().
    Watermark(std::string_view text, int opacity_percent);

    /// True when nothing would be drawn: no visible text, or opacity 0.
    bool empty() const { return text_.empty() || alpha_ <= 0; }

    /// The text as it is drawn.
    const std::string& text() const { return text_; }

    /// Draws the watermark onto `pixmap`, which shows the page area `page` (page space, points)
    /// transformed by `ctm` (the same matrix the page was drawn with). Latin text is set in
    /// Helvetica, Han and other CJK characters in MuPDF's fallback font (Noto Sans CJK SC through
    /// the loader MupdfContext installs). Does nothing when empty(). MuPDF errors (allocation)
    /// propagate as MuPDF exceptions, so call it inside MupdfContext::attempt(); nothing it
    /// allocated is left behind when it throws, and the pixmap may then be partly drawn.
    void draw(fz_context* ctx, fz_pixmap* pixmap, fz_matrix ctm, fz_rect page) const;

  private:
    std::string text_;
    float alpha_ = 0;
};

}  // namespace wenku::worker
