// join_visual_lines() on synthetic pages: runs MuPDF split off a visual line (quotes in a Latin
// font inside Chinese, a word on a shifted baseline) are set back in place; columns, table cells,
// the next line, vertical and right-to-left lines are left alone.
#include "worker/visual_lines.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/utf8.h"

namespace wenku::worker {
namespace {

// A run of `text` drawn from x = `x`, each character `advance` wide, on `baseline`, in `size`.
// A '_' draws nothing but moves the pen on, so runs can interleave.
PlacedLine run(const std::u32string& text, float x, float baseline, float advance, float size = 10) {
    PlacedLine line;
    for (char32_t c : text) {
        if (c != U'_') {
            PlacedChar ch;
            ch.c = c;
            ch.quad = fz_quad_from_rect(
                fz_make_rect(x, baseline - 0.88f * size, x + advance, baseline + 0.12f * size));
            ch.origin = fz_make_point(x, baseline);
            ch.size = size;
            line.chars.push_back(ch);
        }
        x += advance;
    }
    return line;
}

std::string text_of(const PlacedLine& line) {
    std::u32string s;
    for (const auto& ch : line.chars) s.push_back(ch.c);
    return encode_utf8(s);
}

// Every block's lines, "|" between lines and "#" between blocks.
std::string text_of(const std::vector<PlacedBlock>& blocks) {
    std::string out;
    for (const auto& block : blocks) {
        if (!out.empty()) out += "#";
        for (std::size_t i = 0; i < block.lines.size(); ++i) out += (i ? "|" : "") + text_of(block.lines[i]);
    }
    return out;
}

TEST(VisualLinesTest, QuotesInTheirOwnBlockGoBackBetweenTheWords) {
    // 积极探索“互联网党建”“智慧党建”模式: the quotes drawn by a Latin font on a baseline 0.6 pt
    // lower, which MuPDF put in a block before the words.
    std::vector<PlacedBlock> blocks(2);
    blocks[0].lines.push_back(run(U"____“_____”“____”", 0, 100.6f, 10, 9.5f));
    blocks[1].lines.push_back(run(U"积极探索_互联网党建__智慧党建_模式", 0, 100, 10));
    join_visual_lines(blocks);
    EXPECT_EQ(text_of(blocks), "积极探索“互联网党建”“智慧党建”模式");
}

TEST(VisualLinesTest, PunctuationBesideTheLineJoinsItInAnyScript) {
    std::vector<PlacedBlock> blocks(1);
    blocks[0].lines.push_back(run(U"模式。", 0, 100, 10));
    blocks[0].lines.push_back(run(U"”", 30, 100.5f, 4));
    blocks[0].lines.push_back(run(U"下一行", 0, 118, 10));
    join_visual_lines(blocks);
    EXPECT_EQ(text_of(blocks), "模式。”|下一行");

    std::vector<PlacedBlock> latin(2);
    latin[0].lines.push_back(run(U"He said", 0, 50, 5));
    latin[1].lines.push_back(run(U"“big world”", 38, 49, 5));  // a word space after "said"
    join_visual_lines(latin);
    EXPECT_EQ(text_of(latin), "He said “big world”");
}

TEST(VisualLinesTest, ColumnsTableCellsAndOtherLinesStayApart) {
    std::vector<PlacedBlock> columns(2);
    columns[0].lines.push_back(run(U"左栏第一行", 0, 100, 10));
    columns[1].lines.push_back(run(U"右栏第一行", 70, 100, 10));  // a 2-em gutter
    join_visual_lines(columns);
    EXPECT_EQ(text_of(columns), "左栏第一行#右栏第一行");

    std::vector<PlacedBlock> cells(2);
    cells[0].lines.push_back(run(U"姓名", 0, 100, 10));
    cells[1].lines.push_back(run(U"张三", 26, 100, 10));  // 0.6 em of cell padding
    join_visual_lines(cells);
    EXPECT_EQ(text_of(cells), "姓名#张三");

    std::vector<PlacedBlock> lines(1);
    lines[0].lines.push_back(run(U"第一行", 0, 100, 10));
    lines[0].lines.push_back(run(U"第二行", 0, 112, 10));  // tight leading, still the next line
    join_visual_lines(lines);
    EXPECT_EQ(text_of(lines), "第一行|第二行");
}

TEST(VisualLinesTest, AShadowDrawnUnderTheTextIsNotInterleavedWithIt) {
    std::vector<PlacedBlock> blocks(2);
    blocks[0].lines.push_back(run(U"Answer 1", 1.5f, 101.5f, 6));  // the shadow, offset down right
    blocks[1].lines.push_back(run(U"Answer 1", 0, 100, 6));
    join_visual_lines(blocks);
    EXPECT_EQ(text_of(blocks), "Answer 1#Answer 1");

    // A run that overlaps a shadowed word and goes on: the word once, the rest in place.
    std::vector<PlacedBlock> partly(2);
    partly[0].lines.push_back(run(U"bold, “shadow", 0, 100, 6));
    partly[1].lines.push_back(run(U"_______shadow”, next", 1, 100.5f, 6));
    join_visual_lines(partly);
    EXPECT_EQ(text_of(partly), "bold, “shadow”, next");
}

TEST(VisualLinesTest, VerticalAndRightToLeftLinesAreLeftAlone) {
    std::vector<PlacedBlock> blocks(2);
    PlacedLine vertical = run(U"竖排", 0, 100, 10);
    vertical.vertical = true;
    blocks[0].lines.push_back(vertical);
    PlacedLine rtl = run(U"שלום", 0, 100, 5);
    std::reverse(rtl.chars.begin(), rtl.chars.end());  // logical order, drawn right to left
    blocks[1].lines.push_back(rtl);
    blocks[1].lines.push_back(run(U".", 20, 100, 2));
    join_visual_lines(blocks);
    EXPECT_EQ(text_of(blocks), "竖排#םולש|.");
}

TEST(VisualLinesTest, AnEmptyBlockLeftByTheMergeIsRemoved) {
    std::vector<PlacedBlock> blocks(3);
    blocks[0].lines.push_back(run(U"标题", 0, 50, 10));
    blocks[1].lines.push_back(run(U"《", 0, 100.4f, 10));
    blocks[2].lines.push_back(run(U"_书名号》", 0, 100, 10));
    join_visual_lines(blocks);
    ASSERT_EQ(blocks.size(), 2u);
    EXPECT_EQ(text_of(blocks), "标题#《书名号》");
}

}  // namespace
}  // namespace wenku::worker
