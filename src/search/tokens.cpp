#include "search/tokens.h"

#include "core/utf8.h"
#include "search/fold.h"

namespace wenku::search {

namespace {

constexpr std::size_t max_word_length = 64;

bool is_space(char32_t c) {
    return c == U' ' || c == U'\t' || c == U'\n' || c == U'\r' || c == U'\f' || c == U'\v';
}

}  // namespace

std::vector<Token> tokenize(std::u32string_view folded, std::size_t max_tokens) {
    std::vector<Token> tokens;
    bool only_space_since_last = false;  // nothing but white space since the last token
    std::size_t i = 0;
    while (i < folded.size() && tokens.size() < max_tokens) {
        const char32_t c = folded[i];
        if (is_cjk(c)) {
            tokens.push_back({i, i + 1, true, only_space_since_last});
            only_space_since_last = true;
            ++i;
        } else if (is_word_char(c)) {
            std::size_t end = i + 1;
            while (end < folded.size() && is_word_char(folded[end])) ++end;
            if (end - i <= max_word_length) {
                tokens.push_back({i, end, false, only_space_since_last});
                only_space_since_last = true;
            } else {
                only_space_since_last = false;
            }
            i = end;
        } else {
            if (!is_space(c)) only_space_since_last = false;
            ++i;
        }
    }
    return tokens;
}

std::string term_of(std::u32string_view folded, const Token& token) {
    return encode_utf8(folded.substr(token.begin, token.end - token.begin));
}

std::string pair_term_of(std::u32string_view folded, const Token& first, const Token& second) {
    std::string term;
    append_utf8(term, folded[first.begin]);
    append_utf8(term, folded[second.begin]);
    return term;
}

}  // namespace wenku::search
