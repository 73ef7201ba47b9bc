#pragma once
// Folding text for matching: what a reader considers the same character becomes the same code
// point, one code point for one, so that an offset in folded text is an offset in the original
// (highlights and snippets show the document's own characters).
#include <string>
#include <string_view>

namespace wenku::search {

/// `c` folded: Traditional Chinese → Simplified (OpenCC's character table, t2s), full-width ASCII
/// → ASCII, the ideographic space → space, curly and corner quotes → '"', letters → lower case.
/// Anything else is returned unchanged.
char32_t fold_char(char32_t c);

/// Every code point of `text` through fold_char().
std::u32string fold(std::u32string_view text);

/// fold() of UTF-8 text, as UTF-8 (invalid sequences dropped).
std::string fold_utf8(std::string_view utf8);

/// Han ideographs, kana and hangul: searched as single characters and character pairs.
bool is_cjk(char32_t c);

/// Letters, digits and marks of every other script: searched as words.
bool is_word_char(char32_t c);

/// Loads the Traditional → Simplified table now (it is otherwise loaded on first use; ~50 ms).
/// Throws EnvironmentError when OpenCC's data is missing.
void prepare_folding();

}  // namespace wenku::search
