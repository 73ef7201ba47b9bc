#pragma once
// Lines of page text made into readable, searchable paragraphs, whichever reader found them
// (poppler_text, mupdf_text, OCR): spacing tidied, CJK lines joined without a space, Latin
// hyphenation undone, ligatures and presentation forms written as the letters people type.
// Pure functions.
#include <string>
#include <string_view>
#include <vector>

namespace wenku::worker {

/// Appends `c` to `out`; Latin ligatures (U+FB00-U+FB06) and Arabic presentation forms become
/// their plain letters.
void append_folded(std::u32string& out, char32_t c);

/// Layout hints and stand-ins that are never text a reader or a search should see: zero-width
/// spaces and joiners (text_to_html inserts U+200B as a break opportunity; U+2060 is also
/// source_line_mark, read off a line's first character before it is dropped), the byte-order
/// mark, and U+FFFD, the stand-in for a glyph without Unicode (poppler drops those glyphs too).
bool is_invisible(char32_t c);

/// One line made tidy: whitespace runs become one space, control characters are dropped, a
/// single space between two CJK characters (readers put one between widely spaced glyphs) is
/// removed, and the ends are trimmed.
std::u32string tidy_line(const std::u32string& line);

/// Does `line` end in a word broken by hyphenation: a hyphen after a Latin, Greek or Cyrillic
/// letter? "IEEE-" and "2008-" do not: a hyphen after a digit or a dash is the document's own.
bool ends_in_hyphenation(const std::u32string& line);

/// Does `line` start with a Latin, Greek or Cyrillic letter?
bool starts_with_letter(const std::u32string& line);

/// Joins the tidy visual lines of one paragraph: no separator when the break falls between two
/// CJK characters (Han, kana, CJK and fullwidth punctuation; quotes and dashes next to them count
/// too); "hyphen-" + "ated" becomes "hyphenated" and "Trace-" + "Monkey" "TraceMonkey" (a line
/// that ends_in_hyphenation() before one that starts with a letter), as poppler joins them, while
/// "IEEE-" + "754" keeps its hyphen (poppler drops it); a soft hyphen at a break is dropped;
/// otherwise one space. Hangul lines join with a space: Korean separates words with spaces.
std::u32string join_lines(const std::vector<std::u32string>& lines);

/// tidy_line() on UTF-8; invalid UTF-8 is dropped.
std::string tidy_text_line(std::string_view utf8);

/// join_lines() of the lines tidied, on UTF-8.
std::string join_paragraph_lines(const std::vector<std::string>& lines);

/// Han ideographs, kana, Bopomofo, CJK symbols and punctuation, fullwidth forms. Not Hangul.
bool is_cjk_char(char32_t c);

}  // namespace wenku::worker
