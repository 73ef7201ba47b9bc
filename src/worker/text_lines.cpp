#include "worker/text_lines.h"

#include <algorithm>
#include <iterator>

#include "core/utf8.h"

namespace wenku::worker {

namespace {

// Arabic presentation forms (the shaped glyphs some PDFs map their text to) folded to the letters
// people type and search for: {first code point, run length, letter, second letter or 0}.
// The single-letter forms of U+FB50-U+FDFF and U+FE80-U+FEFC plus the lam-alef ligatures,
// generated from the Unicode 14 decompositions <isolated>/<initial>/<medial>/<final>. One change:
// the initial and medial Farsi yeh (U+FBFE, U+FBFF) look exactly like Arabic yeh's, and fonts such
// as Arial map Arabic text to them, so they fold to Arabic yeh U+064A (as poppler does).
struct PresentationRun {
    char32_t first;
    char32_t length;
    char32_t letter;
    char32_t second;
};
constexpr PresentationRun arabic_presentation_forms[] = {
    {0xFB50, 2, 0x0671, 0x0000}, {0xFB52, 4, 0x067B, 0x0000}, {0xFB56, 4, 0x067E, 0x0000},
    {0xFB5A, 4, 0x0680, 0x0000}, {0xFB5E, 4, 0x067A, 0x0000}, {0xFB62, 4, 0x067F, 0x0000},
    {0xFB66, 4, 0x0679, 0x0000}, {0xFB6A, 4, 0x06A4, 0x0000}, {0xFB6E, 4, 0x06A6, 0x0000},
    {0xFB72, 4, 0x0684, 0x0000}, {0xFB76, 4, 0x0683, 0x0000}, {0xFB7A, 4, 0x0686, 0x0000},
    {0xFB7E, 4, 0x0687, 0x0000}, {0xFB82, 2, 0x068D, 0x0000}, {0xFB84, 2, 0x068C, 0x0000},
    {0xFB86, 2, 0x068E, 0x0000}, {0xFB88, 2, 0x0688, 0x0000}, {0xFB8A, 2, 0x0698, 0x0000},
    {0xFB8C, 2, 0x0691, 0x0000}, {0xFB8E, 4, 0x06A9, 0x0000}, {0xFB92, 4, 0x06AF, 0x0000},
    {0xFB96, 4, 0x06B3, 0x0000}, {0xFB9A, 4, 0x06B1, 0x0000}, {0xFB9E, 2, 0x06BA, 0x0000},
    {0xFBA0, 4, 0x06BB, 0x0000}, {0xFBA4, 2, 0x06C0, 0x0000}, {0xFBA6, 4, 0x06C1, 0x0000},
    {0xFBAA, 4, 0x06BE, 0x0000}, {0xFBAE, 2, 0x06D2, 0x0000}, {0xFBB0, 2, 0x06D3, 0x0000},
    {0xFBD3, 4, 0x06AD, 0x0000}, {0xFBD7, 2, 0x06C7, 0x0000}, {0xFBD9, 2, 0x06C6, 0x0000},
    {0xFBDB, 2, 0x06C8, 0x0000}, {0xFBDD, 1, 0x0677, 0x0000}, {0xFBDE, 2, 0x06CB, 0x0000},
    {0xFBE0, 2, 0x06C5, 0x0000}, {0xFBE2, 2, 0x06C9, 0x0000}, {0xFBE4, 4, 0x06D0, 0x0000},
    {0xFBE8, 2, 0x0649, 0x0000}, {0xFBFC, 2, 0x06CC, 0x0000}, {0xFBFE, 2, 0x064A, 0x0000},
    {0xFE80, 1, 0x0621, 0x0000}, {0xFE81, 2, 0x0622, 0x0000}, {0xFE83, 2, 0x0623, 0x0000},
    {0xFE85, 2, 0x0624, 0x0000}, {0xFE87, 2, 0x0625, 0x0000}, {0xFE89, 4, 0x0626, 0x0000},
    {0xFE8D, 2, 0x0627, 0x0000}, {0xFE8F, 4, 0x0628, 0x0000}, {0xFE93, 2, 0x0629, 0x0000},
    {0xFE95, 4, 0x062A, 0x0000}, {0xFE99, 4, 0x062B, 0x0000}, {0xFE9D, 4, 0x062C, 0x0000},
    {0xFEA1, 4, 0x062D, 0x0000}, {0xFEA5, 4, 0x062E, 0x0000}, {0xFEA9, 2, 0x062F, 0x0000},
    {0xFEAB, 2, 0x0630, 0x0000}, {0xFEAD, 2, 0x0631, 0x0000}, {0xFEAF, 2, 0x0632, 0x0000},
    {0xFEB1, 4, 0x0633, 0x0000}, {0xFEB5, 4, 0x0634, 0x0000}, {0xFEB9, 4, 0x0635, 0x0000},
    {0xFEBD, 4, 0x0636, 0x0000}, {0xFEC1, 4, 0x0637, 0x0000}, {0xFEC5, 4, 0x0638, 0x0000},
    {0xFEC9, 4, 0x0639, 0x0000}, {0xFECD, 4, 0x063A, 0x0000}, {0xFED1, 4, 0x0641, 0x0000},
    {0xFED5, 4, 0x0642, 0x0000}, {0xFED9, 4, 0x0643, 0x0000}, {0xFEDD, 4, 0x0644, 0x0000},
    {0xFEE1, 4, 0x0645, 0x0000}, {0xFEE5, 4, 0x0646, 0x0000}, {0xFEE9, 4, 0x0647, 0x0000},
    {0xFEED, 2, 0x0648, 0x0000}, {0xFEEF, 2, 0x0649, 0x0000}, {0xFEF1, 4, 0x064A, 0x0000},
    {0xFEF5, 2, 0x0644, 0x0622}, {0xFEF7, 2, 0x0644, 0x0623}, {0xFEF9, 2, 0x0644, 0x0625},
    {0xFEFB, 2, 0x0644, 0x0627}};

// The Latin ligatures U+FB00-U+FB06 (ff, fi, fl, ffi, ffl, long s t, st) as the letters people
// type and search for.
constexpr const char32_t* latin_ligatures[] = {U"ff", U"fi", U"fl", U"ffi", U"ffl", U"st", U"st"};

// How far inward from a line break to look past quotes and dashes for the character that decides.
constexpr int neutral_scan = 4;

// Punctuation shared by CJK and Latin text: it takes the side of the characters around it.
bool is_neutral_punct(char32_t c) {
    return c == 0x2018 || c == 0x2019 || c == 0x201C || c == 0x201D || c == 0x2014 || c == 0x2015 ||
           c == 0x2026 || c == 0x00B7 || c == 0x2027;
}

bool is_space(char32_t c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == 0xA0 ||
           c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
           c == 0x205F || c == 0x3000;
}

bool is_dropped(char32_t c) {
    return c < 0x20 || (c >= 0x7F && c <= 0x9F) || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF ||
           c == 0xFEFF || c == 0xFFFE || c == 0xFFFF;
}

bool is_letter(char32_t c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) || (c >= 0x370 && c <= 0x52F);
}

bool is_hyphen(char32_t c) { return c == '-' || c == 0x2010; }

bool is_alphanumeric(char32_t c) { return is_letter(c) || (c >= '0' && c <= '9'); }

}  // namespace

bool ends_in_hyphenation(const std::u32string& line) {
    const std::size_t n = line.size();
    return n >= 2 && is_hyphen(line[n - 1]) && is_letter(line[n - 2]);
}

bool starts_with_letter(const std::u32string& line) { return !line.empty() && is_letter(line.front()); }

namespace {

enum class Side { cjk, neutral_only, other };

// Classifies the text on one side of a break: the first character that is not a shared quote or
// dash decides, scanning from `from` in direction `step`.
Side side_of(const std::u32string& s, std::ptrdiff_t from, std::ptrdiff_t step) {
    for (int i = 0; i < neutral_scan; ++i, from += step) {
        if (from < 0 || from >= static_cast<std::ptrdiff_t>(s.size())) return Side::neutral_only;
        const char32_t c = s[static_cast<std::size_t>(from)];
        if (is_neutral_punct(c)) continue;
        return is_cjk_char(c) ? Side::cjk : Side::other;
    }
    return Side::neutral_only;
}

// True when nothing should separate the text ending at `left[left_end]` from the text starting at
// `right[right_start]`.
bool cjk_joins(const std::u32string& left, std::ptrdiff_t left_end, const std::u32string& right,
               std::ptrdiff_t right_start) {
    const Side a = side_of(left, left_end, -1);
    const Side b = side_of(right, right_start, +1);
    return (a == Side::cjk && b != Side::other) || (a == Side::neutral_only && b == Side::cjk);
}

}  // namespace

void append_folded(std::u32string& out, char32_t c) {
    if (c >= 0xFB00 && c <= 0xFB06) {
        out += latin_ligatures[c - 0xFB00];
        return;
    }
    if (c >= 0xFB50 && c <= 0xFEFC) {
        const auto* end = std::end(arabic_presentation_forms);
        const auto* run = std::upper_bound(std::begin(arabic_presentation_forms), end, c,
                                           [](char32_t v, const PresentationRun& r) { return v < r.first; });
        if (run != std::begin(arabic_presentation_forms)) {
            --run;
            if (c < run->first + run->length) {
                out.push_back(run->letter);
                if (run->second) out.push_back(run->second);
                return;
            }
        }
    }
    out.push_back(c);
}

std::u32string tidy_line(const std::u32string& in) {
    // Whitespace runs become one space; remember which spaces stood alone.
    std::u32string text;
    std::vector<bool> lone_space;
    text.reserve(in.size());
    std::size_t run = 0;
    auto flush_run = [&] {
        if (run > 0 && !text.empty()) {
            text.push_back(' ');
            lone_space.push_back(run == 1);
        }
        run = 0;
    };
    for (char32_t c : in) {
        if (is_space(c)) {
            ++run;
            continue;
        }
        if (is_dropped(c)) continue;
        flush_run();
        text.push_back(c);
        lone_space.push_back(false);
    }
    // A trailing run is dropped (trim).
    std::u32string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == ' ' && lone_space[i] && i + 1 < text.size() &&
            cjk_joins(text, static_cast<std::ptrdiff_t>(i) - 1, text, static_cast<std::ptrdiff_t>(i) + 1)) {
            continue;
        }
        out.push_back(text[i]);
    }
    return out;
}

std::u32string join_lines(const std::vector<std::u32string>& lines) {
    std::u32string out;
    for (const auto& line : lines) {
        if (line.empty()) continue;
        if (out.empty()) {
            out = line;
            continue;
        }
        const std::size_t n = out.size();
        const char32_t last = out[n - 1];
        const char32_t first = line.front();
        if (last == 0xAD) {  // soft hyphen: a break opportunity, never a character
            out.pop_back();
        } else if (ends_in_hyphenation(out) && starts_with_letter(line)) {
            out.pop_back();  // "hyphen-" + "ated", "Trace-" + "Monkey"
        } else if (is_hyphen(last) && n >= 2 && is_alphanumeric(out[n - 2]) && is_alphanumeric(first)) {
            // "IEEE-" + "754", "2008-" + "02": the document's own hyphen, kept without a space
        } else if (!cjk_joins(out, static_cast<std::ptrdiff_t>(n) - 1, line, 0)) {
            out.push_back(' ');
        }
        out += line;
    }
    return out;
}

bool is_cjk_char(char32_t c) {
    return (c >= 0x2E80 && c <= 0x2FFF) || (c >= 0x3001 && c <= 0x303F) || (c >= 0x3040 && c <= 0x312F) ||
           (c >= 0x31A0 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0xFE10 && c <= 0xFE1F) || (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF01 && c <= 0xFF9F) ||
           (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x20000 && c <= 0x3FFFF);
}

bool is_invisible(char32_t c) { return c == 0x200B || c == 0x2060 || c == 0xFEFF || c == 0xFFFD; }

std::string tidy_text_line(std::string_view utf8) { return encode_utf8(tidy_line(decode_utf8(utf8))); }

std::string join_paragraph_lines(const std::vector<std::string>& lines) {
    std::vector<std::u32string> tidied;
    tidied.reserve(lines.size());
    for (const auto& line : lines) tidied.push_back(tidy_line(decode_utf8(line)));
    return encode_utf8(join_lines(tidied));
}

}  // namespace wenku::worker
