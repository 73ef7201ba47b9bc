#include "search/fold.h"

#include <xapian.h>

#include <array>
#include <filesystem>
#include <memory>
#include <unordered_map>
#include <vector>

#include <opencc/SimpleConverter.hpp>

#include "core/errors.h"
#include "core/utf8.h"

namespace wenku::search {

namespace {

// OpenCC's configuration for Traditional → Simplified (Debian's libopencc-data).
constexpr const char* t2s_config = "/usr/share/opencc/t2s.json";

// Code points OpenCC's character table covers: CJK Unified Ideographs with Extension A, the
// compatibility ideographs, and the supplementary ideographic plane.
constexpr std::array<std::pair<char32_t, char32_t>, 4> han_blocks{
    {{0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xF900, 0xFAFF}, {0x20000, 0x2FA1F}}};

/// The Traditional → Simplified table: identity except where OpenCC turns one character into one
/// other character. Built once by converting every Han code point, one per line, in one call.
class HanTable {
  public:
    HanTable() : bmp_(0x10000) {
        for (char32_t c = 0; c < 0x10000; ++c) bmp_[c] = c;
        if (!std::filesystem::exists(t2s_config)) {
            throw EnvironmentError(std::string("OpenCC's Traditional→Simplified data is missing: ") +
                                   t2s_config + " (install libopencc-data)");
        }
        std::u32string all;
        for (const auto& [first, last] : han_blocks) {
            for (char32_t c = first; c <= last; ++c) {
                all.push_back(c);
                all.push_back(U'\n');
            }
        }
        const opencc::SimpleConverter converter(t2s_config);
        const std::u32string converted = decode_utf8(converter.Convert(encode_utf8(all)));
        // Character tables map one character to one; lines keep the two aligned whatever happens.
        std::size_t in = 0;
        std::size_t out = 0;
        while (in < all.size() && out < converted.size()) {
            const std::size_t in_end = all.find(U'\n', in);
            const std::size_t out_end = converted.find(U'\n', out);
            if (in_end == std::u32string::npos || out_end == std::u32string::npos) break;
            if (in_end - in == 1 && out_end - out == 1 && all[in] != converted[out])
                set(all[in], converted[out]);
            in = in_end + 1;
            out = out_end + 1;
        }
    }

    char32_t operator()(char32_t c) const {
        if (c < 0x10000) return bmp_[c];
        const auto it = supplementary_.find(c);
        return it == supplementary_.end() ? c : it->second;
    }

  private:
    void set(char32_t from, char32_t to) {
        if (from < 0x10000) {
            bmp_[from] = to;
        } else {
            supplementary_[from] = to;
        }
    }

    std::vector<char32_t> bmp_;
    std::unordered_map<char32_t, char32_t> supplementary_;
};

const HanTable& han_table() {
    static const HanTable table;
    return table;
}

}  // namespace

void prepare_folding() { (void)han_table(); }

bool is_cjk(char32_t c) {
    return (c >= 0x3040 && c <= 0x30FF) ||    // hiragana, katakana
           (c >= 0x3100 && c <= 0x312F) ||    // bopomofo
           (c >= 0x3400 && c <= 0x4DBF) ||    // CJK Extension A
           (c >= 0x4E00 && c <= 0x9FFF) ||    // CJK Unified Ideographs
           (c >= 0xAC00 && c <= 0xD7AF) ||    // hangul syllables
           (c >= 0xF900 && c <= 0xFAFF) ||    // compatibility ideographs
           (c >= 0x20000 && c <= 0x2FA1F) ||  // supplementary ideographic plane
           c == 0x3007;                       // 〇
}

bool is_word_char(char32_t c) {
    if (is_cjk(c)) return false;
    if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    return Xapian::Unicode::is_wordchar(static_cast<unsigned>(c));
}

char32_t fold_char(char32_t c) {
    if (c < 0x80) return c >= 'A' && c <= 'Z' ? c + 32 : c;
    if (c >= 0xFF01 && c <= 0xFF5E) return fold_char(c - 0xFF01 + 0x21);  // full-width ASCII
    switch (c) {
        case 0x3000:
            return U' ';
        case 0x201C:
        case 0x201D:
        case 0x300C:
        case 0x300D:
        case 0x300E:
        case 0x300F:
            return U'"';
        default:
            break;
    }
    if (c >= 0x3400) return han_table()(c);
    return static_cast<char32_t>(Xapian::Unicode::tolower(static_cast<unsigned>(c)));
}

std::u32string fold(std::u32string_view text) {
    std::u32string out(text);
    for (auto& c : out) c = fold_char(c);
    return out;
}

std::string fold_utf8(std::string_view utf8) { return encode_utf8(fold(decode_utf8(utf8))); }

}  // namespace wenku::search
