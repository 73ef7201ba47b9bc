#include "worker/mupdf_text.h"

#include <algorithm>
#include <cmath>

#include "core/utf8.h"
#include "worker/page_html.h"
#include "worker/text_lines.h"
#include "worker/visual_lines.h"

namespace wenku::worker {

namespace {

float distance(fz_point a, fz_point b) { return std::hypot(a.x - b.x, a.y - b.y); }

// Does `next` continue `prev` on the same baseline (MuPDF starts a new line object when the font
// changes, e.g. at a fallback-font space between two Chinese characters)? Sets `gap_is_space`
// when the distance between them is wide enough to read as a word space.
bool continues_baseline(const PlacedLine& prev, const PlacedLine& next, bool& gap_is_space) {
    if (prev.chars.empty() || next.chars.empty() || prev.vertical != next.vertical) return false;
    const PlacedChar& a = prev.chars.back();
    const PlacedChar& b = next.chars.front();
    const fz_point dir = prev.dir;
    if (dir.x * next.dir.x + dir.y * next.dir.y < 0.99f) return false;
    const float dx = b.origin.x - a.origin.x;
    const float dy = b.origin.y - a.origin.y;
    const float along = dx * dir.x + dy * dir.y;
    const float across = -dx * dir.y + dy * dir.x;
    const float size = std::max({a.size, b.size, 1.0f});
    if (std::fabs(across) > 0.3f * size || along < 0) return false;
    const float advance = prev.vertical ? distance(a.quad.ul, a.quad.ll) : distance(a.quad.ll, a.quad.lr);
    gap_is_space = along - advance > 0.2f * size;
    return true;
}

// MuPDF gives U+FFFD to a glyph it has no Unicode for (and -1 to none); both are dropped with the
// layout hints.
bool is_invisible_code(int c) { return c < 0 || is_invisible(static_cast<char32_t>(c)); }

// The page's text blocks as plain values, without invisible characters and empty lines.
std::vector<PlacedBlock> placed_blocks(const fz_stext_page* page) {
    std::vector<PlacedBlock> blocks;
    for (const fz_stext_block* block = page->first_block; block; block = block->next) {
        if (block->type != FZ_STEXT_BLOCK_TEXT) continue;
        PlacedBlock placed;
        for (const fz_stext_line* line = block->u.t.first_line; line; line = line->next) {
            PlacedLine placed_line;
            placed_line.dir = line->dir;
            placed_line.vertical = line->wmode != 0;
            for (const fz_stext_char* ch = line->first_char; ch; ch = ch->next) {
                if (is_invisible_code(ch->c) && ch->c != static_cast<int>(source_line_mark)) continue;
                placed_line.chars.push_back({static_cast<char32_t>(ch->c), ch->quad, ch->origin, ch->size});
            }
            if (!placed_line.chars.empty()) placed.lines.push_back(std::move(placed_line));
        }
        if (!placed.lines.empty()) blocks.push_back(std::move(placed));
    }
    return blocks;
}

fz_rect line_box(const PlacedLine& line) {
    fz_rect box = fz_empty_rect;
    for (const PlacedChar& ch : line.chars) box = fz_union_rect(box, fz_rect_from_quad(ch.quad));
    return box;
}

std::u32string line_chars(const PlacedLine& line) {
    std::u32string s;
    for (const PlacedChar& ch : line.chars) {
        if (!is_invisible(ch.c)) append_folded(s, ch.c);
    }
    return s;
}

}  // namespace

fz_stext_options page_text_options() {
    fz_stext_options options{};
    options.flags = FZ_STEXT_MEDIABOX_CLIP;
    return options;
}

namespace {

/// A paragraph being assembled: its visual lines and where they stand on the page.
struct Paragraph {
    std::vector<std::u32string> lines;
    fz_rect box{};        // union of the lines
    fz_rect last_line{};  // the last visual line
    float size = 0;       // font size of the first character
    bool horizontal = true;
    bool source_line = false;  // starts with source_line_mark: never joined to what precedes it
};

/// Does block `next` continue paragraph `prev`? MuPDF starts a new block when the line spacing
/// is wide (1.5-spaced Chinese documents, HTML with line-height), so a paragraph's lines can be
/// spread over several blocks. They belong together when they are set in the same size, follow
/// at a line's distance, start at the paragraph's left edge, and the previous line ran to the
/// right edge (a line that ends early ends its paragraph).
bool continues_paragraph(const Paragraph& prev, const Paragraph& next) {
    if (next.source_line) return false;
    if (!prev.horizontal || !next.horizontal || prev.lines.empty() || next.lines.empty()) return false;
    const float size = std::max(prev.size, next.size);
    if (size <= 0 || std::fabs(prev.size - next.size) > 0.15f * size) return false;
    const float gap = next.box.y0 - prev.last_line.y1;
    if (gap < -0.3f * size || gap > 1.2f * size) return false;
    if (std::fabs(next.box.x0 - prev.box.x0) > 1.5f * size) return false;
    const float right = std::max(prev.box.x1, next.box.x1);
    return prev.last_line.x1 >= right - 1.5f * size;
}

}  // namespace

std::string stext_page_text(const fz_stext_page* page) {
    std::string text;
    if (!page) return text;
    std::vector<PlacedBlock> blocks = placed_blocks(page);
    join_visual_lines(blocks);
    std::vector<Paragraph> paragraphs;
    const auto finish = [&paragraphs](Paragraph& para) {
        for (auto& line : para.lines) line = tidy_line(line);
        std::erase_if(para.lines, [](const std::u32string& l) { return l.empty(); });
        if (para.lines.empty()) return;
        if (!paragraphs.empty() && continues_paragraph(paragraphs.back(), para)) {
            Paragraph& into = paragraphs.back();
            into.lines.insert(into.lines.end(), para.lines.begin(), para.lines.end());
            into.box = fz_union_rect(into.box, para.box);
            into.last_line = para.last_line;
        } else {
            paragraphs.push_back(std::move(para));
        }
    };
    for (const PlacedBlock& block : blocks) {
        Paragraph para;
        const PlacedLine* prev = nullptr;
        for (const PlacedLine& line : block.lines) {
            if (line.chars.front().c == source_line_mark) {
                if (!para.lines.empty()) finish(para);
                para = Paragraph{};
                para.source_line = true;
            }
            std::u32string chars = line_chars(line);
            if (chars.empty()) continue;
            const fz_rect box = line_box(line);
            bool gap_is_space = false;
            if (prev && !para.lines.empty() && continues_baseline(*prev, line, gap_is_space)) {
                if (gap_is_space) para.lines.back().push_back(' ');
                para.lines.back() += chars;
                para.last_line = fz_union_rect(para.last_line, box);
            } else {
                para.lines.push_back(std::move(chars));
                para.last_line = box;
            }
            if (para.lines.size() == 1 && para.size == 0) para.size = line.chars.front().size;
            para.horizontal = para.horizontal && !line.vertical && line.dir.x > 0.99f;
            para.box = fz_is_empty_rect(para.box) ? box : fz_union_rect(para.box, box);
            prev = &line;
        }
        finish(para);
    }
    for (const Paragraph& para : paragraphs) {
        const std::u32string joined = join_lines(para.lines);
        if (joined.empty()) continue;
        if (!text.empty()) text.push_back('\n');
        text += encode_utf8(joined);
    }
    return text;
}

}  // namespace wenku::worker
