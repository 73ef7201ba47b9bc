#include "worker/visual_lines.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace wenku::worker {

namespace {

// Baselines of one visual line lie within this share of the font size of each other.
constexpr float baseline_tolerance = 0.5f;
// Their boxes overlap by at least this share of the lower line's height.
constexpr float min_height_overlap = 0.5f;
// Runs that do not interleave join when the gap between them is at most this share of the font
// size: a quote or a full stop drawn by another font stands right beside its neighbour, while
// table cells and columns keep a cell's padding or a gutter between them.
constexpr float max_join_gap = 0.33f;
// A gap of this share of the font size between characters of different runs reads as a space.
constexpr float space_gap = 0.25f;

bool is_blank(char32_t c) { return c == ' ' || c == 0xA0 || c == 0x3000 || (c >= 0x2000 && c <= 0x200A); }

float center_x(const PlacedChar& ch) {
    const fz_rect r = fz_rect_from_quad(ch.quad);
    return (r.x0 + r.x1) / 2;
}

// Where a horizontal line stands: the extent and baseline of its visible characters.
struct LineExtent {
    std::size_t block = 0;
    std::size_t line = 0;
    std::size_t visible = 0;  // characters that are not blanks
    float baseline = 0;
    float size = 0;
    fz_rect box{};
};

// Is `line` written left to right along the x axis (a single character counts)?
bool is_left_to_right(const PlacedLine& line) {
    if (line.vertical || line.dir.x < 0.99f || std::fabs(line.dir.y) > 0.1f) return false;
    const PlacedChar* prev = nullptr;
    for (const PlacedChar& ch : line.chars) {
        if (is_blank(ch.c)) continue;
        if (prev && center_x(ch) < center_x(*prev) - 0.2f * std::max(prev->size, 1.0f)) return false;
        prev = &ch;
    }
    return true;
}

bool measure(const PlacedLine& line, LineExtent& extent) {
    float baselines = 0;
    for (const PlacedChar& ch : line.chars) {
        if (is_blank(ch.c)) continue;
        const fz_rect r = fz_rect_from_quad(ch.quad);
        extent.box = extent.visible == 0 ? r : fz_union_rect(extent.box, r);
        extent.size = std::max(extent.size, ch.size);
        baselines += ch.origin.y;
        ++extent.visible;
    }
    if (extent.visible == 0) return false;
    extent.baseline = baselines / static_cast<float>(extent.visible);
    extent.size = std::max(extent.size, 1.0f);
    return true;
}

bool same_visual_line(const LineExtent& a, const LineExtent& b) {
    const float size = std::max(a.size, b.size);
    if (std::fabs(a.baseline - b.baseline) > baseline_tolerance * size) return false;
    const float height = std::min(a.box.y1 - a.box.y0, b.box.y1 - b.box.y0);
    const float overlap_y = std::min(a.box.y1, b.box.y1) - std::max(a.box.y0, b.box.y0);
    if (overlap_y < min_height_overlap * height) return false;
    const float overlap_x = std::min(a.box.x1, b.box.x1) - std::max(a.box.x0, b.box.x0);
    return overlap_x > 0 || -overlap_x <= max_join_gap * size;
}

// Is one of two overlapping runs the other drawn again a little offset (a shadow, or bold faked by
// drawing twice)? Then they are one text, not two to interleave: most characters of the shorter
// run have the same character in the other within half a font size.
bool is_overdrawn(const PlacedLine& a, const PlacedLine& b, float size) {
    const PlacedLine& shorter = a.chars.size() <= b.chars.size() ? a : b;
    const PlacedLine& longer = &shorter == &a ? b : a;
    if (shorter.chars.size() * longer.chars.size() > 1'000'000) return true;  // never interleave those
    std::size_t visible = 0, doubled = 0;
    for (const PlacedChar& ch : shorter.chars) {
        if (is_blank(ch.c)) continue;
        ++visible;
        const float x = center_x(ch);
        for (const PlacedChar& other : longer.chars) {
            if (other.c == ch.c && std::fabs(center_x(other) - x) < 0.5f * size) {
                ++doubled;
                break;
            }
        }
    }
    return doubled * 2 > visible;
}

struct DisjointSets {
    std::vector<std::size_t> parent;
    explicit DisjointSets(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
    std::size_t find(std::size_t i) {
        while (parent[i] != i) i = parent[i] = parent[parent[i]];
        return i;
    }
    void join(std::size_t a, std::size_t b) {
        a = find(a);
        b = find(b);
        if (a != b) parent[std::max(a, b)] = std::min(a, b);
    }
};

// A character of a merged line and where it came from: its run (0 = the host) and its index there.
struct Sourced {
    PlacedChar ch;
    std::size_t run = 0;
    std::size_t index = 0;
};

// The host's characters in their order with the other runs' visible characters set in by position
// (those the host already draws at that place left out), spaces put back where runs meet at a gap
// or where a run had its own.
std::vector<PlacedChar> merge_runs(const std::vector<const PlacedLine*>& runs) {
    const auto& host = runs[0]->chars;
    // A guest character the host already has at the same place is the same glyph drawn again.
    const auto drawn_by_host = [&](const PlacedChar& ch) {
        return std::any_of(host.begin(), host.end(), [&](const PlacedChar& other) {
            return other.c == ch.c &&
                   std::fabs(center_x(other) - center_x(ch)) < 0.5f * std::max(ch.size, 1.0f);
        });
    };
    std::vector<Sourced> guests;
    for (std::size_t r = 1; r < runs.size(); ++r) {
        for (std::size_t i = 0; i < runs[r]->chars.size(); ++i) {
            const PlacedChar& ch = runs[r]->chars[i];
            if (!is_blank(ch.c) && !drawn_by_host(ch)) guests.push_back({ch, r, i});
        }
    }
    std::stable_sort(guests.begin(), guests.end(),
                     [](const Sourced& a, const Sourced& b) { return center_x(a.ch) < center_x(b.ch); });
    std::vector<Sourced> merged;
    std::size_t g = 0;
    for (std::size_t i = 0; i < host.size(); ++i) {
        while (g < guests.size() && center_x(guests[g].ch) < center_x(host[i])) merged.push_back(guests[g++]);
        merged.push_back({host[i], 0, i});
    }
    while (g < guests.size()) merged.push_back(guests[g++]);

    std::vector<PlacedChar> out;
    out.reserve(merged.size() + 4);
    for (std::size_t k = 0; k < merged.size(); ++k) {
        if (k > 0) {
            const Sourced& a = merged[k - 1];
            const Sourced& b = merged[k];
            bool space = false;
            if (is_blank(a.ch.c) || is_blank(b.ch.c)) {
                space = false;
            } else if (a.run == b.run && a.run != 0) {
                const auto& chars = runs[a.run]->chars;
                for (std::size_t i = a.index + 1; i < b.index && !space; ++i) space = is_blank(chars[i].c);
            } else if (a.run != b.run) {
                const float gap = fz_rect_from_quad(b.ch.quad).x0 - fz_rect_from_quad(a.ch.quad).x1;
                space = gap > space_gap * std::max({a.ch.size, b.ch.size, 1.0f});
            }
            if (space) {
                PlacedChar blank = a.ch;
                blank.c = ' ';
                const fz_rect left = fz_rect_from_quad(a.ch.quad);
                const fz_rect right = fz_rect_from_quad(b.ch.quad);
                blank.quad =
                    fz_quad_from_rect(fz_make_rect(left.x1, left.y0, std::max(left.x1, right.x0), left.y1));
                out.push_back(blank);
            }
        }
        out.push_back(merged[k].ch);
    }
    return out;
}

}  // namespace

void join_visual_lines(std::vector<PlacedBlock>& blocks) {
    std::vector<LineExtent> lines;
    float largest = 1;
    for (std::size_t b = 0; b < blocks.size(); ++b) {
        for (std::size_t l = 0; l < blocks[b].lines.size(); ++l) {
            LineExtent extent;
            extent.block = b;
            extent.line = l;
            if (!is_left_to_right(blocks[b].lines[l]) || !measure(blocks[b].lines[l], extent)) continue;
            largest = std::max(largest, extent.size);
            lines.push_back(extent);
        }
    }
    if (lines.size() < 2) return;
    // Compare each line only with those whose baseline is near enough to qualify.
    std::vector<std::size_t> by_baseline(lines.size());
    std::iota(by_baseline.begin(), by_baseline.end(), 0);
    std::sort(by_baseline.begin(), by_baseline.end(),
              [&](std::size_t a, std::size_t b) { return lines[a].baseline < lines[b].baseline; });
    DisjointSets sets(lines.size());
    bool any = false;
    for (std::size_t i = 0; i < by_baseline.size(); ++i) {
        const LineExtent& a = lines[by_baseline[i]];
        for (std::size_t j = i + 1; j < by_baseline.size(); ++j) {
            const LineExtent& b = lines[by_baseline[j]];
            if (b.baseline - a.baseline > baseline_tolerance * largest) break;
            if (same_visual_line(a, b) &&
                !is_overdrawn(blocks[a.block].lines[a.line], blocks[b.block].lines[b.line],
                              std::max(a.size, b.size))) {
                sets.join(by_baseline[i], by_baseline[j]);
                any = true;
            }
        }
    }
    if (!any) return;

    // Each group's host is the line with the most visible characters (the first on a tie).
    std::vector<std::vector<std::size_t>> groups(lines.size());
    for (std::size_t i = 0; i < lines.size(); ++i) groups[sets.find(i)].push_back(i);
    std::vector<std::vector<bool>> absorbed(blocks.size());
    for (std::size_t b = 0; b < blocks.size(); ++b) absorbed[b].assign(blocks[b].lines.size(), false);
    for (auto& group : groups) {
        if (group.size() < 2) continue;
        const auto host = *std::max_element(group.begin(), group.end(), [&](std::size_t a, std::size_t b) {
            return lines[a].visible < lines[b].visible || (lines[a].visible == lines[b].visible && a > b);
        });
        std::vector<const PlacedLine*> runs = {&blocks[lines[host].block].lines[lines[host].line]};
        for (std::size_t member : group) {
            if (member == host) continue;
            runs.push_back(&blocks[lines[member].block].lines[lines[member].line]);
            absorbed[lines[member].block][lines[member].line] = true;
        }
        std::vector<PlacedChar> chars = merge_runs(runs);
        blocks[lines[host].block].lines[lines[host].line].chars = std::move(chars);
    }
    for (std::size_t b = 0; b < blocks.size(); ++b) {
        auto& block_lines = blocks[b].lines;
        std::size_t kept = 0;
        for (std::size_t l = 0; l < block_lines.size(); ++l) {
            if (absorbed[b][l]) continue;
            if (kept != l) block_lines[kept] = std::move(block_lines[l]);
            ++kept;
        }
        block_lines.resize(kept);
    }
    std::erase_if(blocks, [](const PlacedBlock& block) { return block.lines.empty(); });
}

}  // namespace wenku::worker
