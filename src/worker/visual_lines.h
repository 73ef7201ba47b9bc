#pragma once
// The lines a reader sees, rebuilt from the lines MuPDF made. MuPDF starts a new line, often a new
// block, where the font, size or baseline changes: LibreOffice draws “ ” in a Latin font inside
// Chinese text, so the quotes of `积极探索“互联网党建”` came out as a line of their own, away from the
// words they enclose. Characters of one visual line (same baseline band, left to right) belong
// together whatever run drew them. Pure functions on plain values; no MuPDF call.
#include <cstddef>
#include <vector>

#include <mupdf/fitz.h>

namespace wenku::worker {

/// One character as drawn: its code point, its quadrilateral, its baseline origin and its font
/// size.
struct PlacedChar {
    char32_t c = 0;
    fz_quad quad{};
    fz_point origin{};
    float size = 0;
};

/// Characters MuPDF put on one line, in its order, with the line's writing direction.
struct PlacedLine {
    std::vector<PlacedChar> chars;
    fz_point dir{1, 0};
    bool vertical = false;  // written top to bottom (wmode 1)
};

/// One of MuPDF's text blocks: a paragraph, or a piece of one.
struct PlacedBlock {
    std::vector<PlacedLine> lines;
};

/// Joins the horizontal, left-to-right lines that share a visual line: their baselines lie within
/// half a font size of each other, their boxes overlap by half a line's height, and they
/// interleave (one's characters fall between the other's) or stand closer than a third of the font
/// size. Transitively, so a row of runs becomes one line. The line with the most characters keeps
/// its place and its order; the others' characters are set into it by horizontal position, with a
/// space where a gap of a quarter of the font size separates characters of different runs (their
/// own spaces kept between their own characters). The lines absorbed are removed, and blocks left
/// empty with them. Vertical, rotated and right-to-left lines, and lines far apart (columns, table
/// cells), are left as they are. Never fails.
void join_visual_lines(std::vector<PlacedBlock>& blocks);

}  // namespace wenku::worker
