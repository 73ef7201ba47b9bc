#pragma once
// How text is cut into what the index holds, the same way for documents, queries and highlights:
// each CJK character is a token (the index holds it and the pair it forms with the character
// before it), every other run of letters and digits is a word token. Operates on folded text.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace wenku::search {

struct Token {
    std::size_t begin = 0;  // code point offsets in the text
    std::size_t end = 0;
    bool cjk = false;     // a single CJK character (else a word)
    bool joined = false;  // only white space separates it from the token before
};

/// The tokens of folded text. Words longer than 64 code points are skipped (no one searches for
/// them, and the index has a term length limit); so are tokens past `max_tokens`.
std::vector<Token> tokenize(std::u32string_view folded, std::size_t max_tokens = 50'000'000);

/// The index term of a token (UTF-8), and of the pair of two joined CJK tokens.
std::string term_of(std::u32string_view folded, const Token& token);
std::string pair_term_of(std::u32string_view folded, const Token& first, const Token& second);

/// True when `b` directly follows `a` as a CJK pair (both CJK, b joined to a).
inline bool forms_pair(const Token& a, const Token& b) { return a.cjk && b.cjk && b.joined; }

}  // namespace wenku::search
