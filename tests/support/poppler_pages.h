#pragma once
// Our page text against poppler's (pdftotext, reading order) for the same PDF, page by page: both
// reduced to their visible characters in order, and the first difference shown in a few
// characters of context so that the reason can be read off a table.
#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/conversion.h"
#include "core/utf8.h"
#include "support/test_support.h"

namespace wenku::test {

/// `utf8` reduced to what a reader and a search see, in order: whitespace (form feeds, ideographic
/// and no-break spaces included), control characters, zero-width spaces and joiners and U+FFFD
/// (a glyph without Unicode: we drop it, poppler drops it unless a font maps a code to U+FFFD
/// itself) removed; the Latin ligatures U+FB00-U+FB06 written as their letters (we expand them,
/// poppler keeps the code point).
inline std::u32string comparable_text(std::string_view utf8) {
    static constexpr const char32_t* ligatures[] = {U"ff", U"fi", U"fl", U"ffi", U"ffl", U"st", U"st"};
    std::u32string out;
    for (char32_t c : decode_utf8(utf8)) {
        const bool space = c <= 0x20 || (c >= 0x7F && c <= 0xA0) || c == 0x1680 ||
                           (c >= 0x2000 && c <= 0x200B) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
                           c == 0x205F || c == 0x2060 || c == 0x3000 || c == 0xFEFF || c == 0xFFFD;
        if (space) continue;
        if (c >= 0xFB00 && c <= 0xFB06) {
            out += ligatures[c - 0xFB00];
            continue;
        }
        out.push_back(c);
    }
    return out;
}

/// pdftotext's text (default reading-order mode, UTF-8) of every page of `pdf`, in order; empty
/// when pdftotext fails.
inline std::vector<std::string> poppler_pages(const std::filesystem::path& pdf) {
    const auto run = run_command({"pdftotext", "-enc", "UTF-8", pdf.string(), "-"});
    std::vector<std::string> pages;
    if (run.exit_code != 0) return pages;
    std::size_t start = 0;
    for (std::size_t feed; (feed = run.out.find('\f', start)) != std::string::npos; start = feed + 1)
        pages.push_back(run.out.substr(start, feed - start));
    return pages;
}

/// Empty when `ours` and `theirs` are the same; else where they part, as "@index ours|theirs" with
/// a few characters either side.
inline std::string first_difference(const std::u32string& ours, const std::u32string& theirs) {
    const auto mismatch = std::mismatch(ours.begin(), ours.end(), theirs.begin(), theirs.end());
    const auto at = static_cast<std::size_t>(mismatch.first - ours.begin());
    if (at == ours.size() && at == theirs.size()) return "";
    const std::size_t from = at > 6 ? at - 6 : 0;
    const auto cut = [&](const std::u32string& s) {
        return from >= s.size() ? std::u32string() : s.substr(from, 16);
    };
    return "@" + std::to_string(at) + " " + encode_utf8(cut(ours)) + " | " + encode_utf8(cut(theirs));
}

/// Is `theirs` `ours` with some hyphen-minus signs left out, and nothing else? pdftotext drops the
/// hyphen at the end of every line that has another after it, as hyphenation, also where it is
/// the document's own ("IEEE-754", "2008-02", a GUID, "--"); our text keeps those.
inline bool differs_only_by_dropped_hyphens(const std::u32string& ours, const std::u32string& theirs) {
    if (ours.size() <= theirs.size()) return false;
    std::size_t j = 0;
    for (const char32_t c : ours) {
        if (j < theirs.size() && c == theirs[j]) {
            ++j;
        } else if (c != U'-') {
            return false;
        }
    }
    return j == theirs.size();
}

/// How many U+FFFD the pages of `result` hold.
inline long replacement_characters(const ConvertResult& result) {
    long n = 0;
    for (const auto& page : result.pages)
        for (char32_t c : decode_utf8(page.text)) n += c == 0xFFFD;
    return n;
}

}  // namespace wenku::test
