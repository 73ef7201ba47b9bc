#include "worker/text_encoding.h"

#include <iconv.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <utility>

#include "core/errors.h"
#include "core/utf8.h"

namespace wenku::worker {
namespace {

/// looks_like_text() judges the file by this many leading bytes.
constexpr std::size_t sniff_bytes = 64 * 1024;

/// Collects decoded code points as UTF-8: drops a leading BOM, turns CRLF and CR into '\n' and,
/// when asked, drops control characters.
class Utf8Builder {
  public:
    explicit Utf8Builder(bool drop_controls, std::size_t expected_bytes) : drop_controls_(drop_controls) {
        out_.reserve(expected_bytes);
    }

    void put(char32_t cp) {
        const bool first = at_start_;
        at_start_ = false;
        if (first && cp == 0xFEFF) return;
        const bool after_cr = after_cr_;
        after_cr_ = false;
        if (cp == '\r') {
            out_ += '\n';
            after_cr_ = true;
            return;
        }
        if (cp == '\n' && after_cr) return;
        if (drop_controls_ && is_dropped_control(cp)) return;
        append_utf8(out_, cp);
    }

    std::string take() { return std::move(out_); }

  private:
    std::string out_;
    bool drop_controls_;
    bool at_start_ = true;
    bool after_cr_ = false;
};

void decode_into(std::string_view bytes, TextEncoding encoding, Utf8Builder& out);
std::size_t expected_utf8_size(std::size_t byte_count, TextEncoding encoding);
void open_iconv_decoders();

/// UTF-32 without a byte-order mark: the byte order in which every unit is a scalar value.
std::optional<TextEncoding> unmarked_utf32(std::string_view bytes);

struct Utf8Scan {
    std::size_t multibyte = 0;  // valid sequences of 2-4 bytes
    std::size_t invalid = 0;    // invalid sequences, not counting one cut off at the end
    bool truncated = false;     // the input ends inside a sequence
};
Utf8Scan scan_utf8(std::string_view bytes);

struct Gb18030Scan {
    std::size_t double_byte = 0;  // structurally valid 2-byte characters
    std::size_t gb2312 = 0;       // ... of which in GB2312's rows (lead 0xA1-0xF7, trail 0xA1-0xFE)
    std::size_t frequent = 0;     // ... of which GB2312 symbols (lead 0xA1-0xA3) or level-1 hanzi
    std::size_t four_byte = 0;    // structurally valid 4-byte characters
    std::size_t invalid = 0;      // bytes that fit no GB18030 sequence
};
Gb18030Scan scan_gb18030(std::string_view bytes);
bool reads_as_chinese(const Gb18030Scan& scan);

struct Big5Scan {
    std::size_t double_byte = 0;  // structurally valid 2-byte characters
    std::size_t frequent = 0;     // ... of which Big5 symbols (lead 0xA1-0xA3) or frequent hanzi
    std::size_t invalid = 0;      // bytes that fit no Big5 sequence
};
Big5Scan scan_big5(std::string_view bytes);
bool reads_as_big5(const Big5Scan& big5, const Gb18030Scan& gb);

}  // namespace

const char* to_string(TextEncoding e) {
    switch (e) {
        case TextEncoding::utf8:
            return "utf8";
        case TextEncoding::utf8_bom:
            return "utf8_bom";
        case TextEncoding::utf16le_bom:
            return "utf16le_bom";
        case TextEncoding::utf16be_bom:
            return "utf16be_bom";
        case TextEncoding::utf32le:
            return "utf32le";
        case TextEncoding::utf32be:
            return "utf32be";
        case TextEncoding::gb18030:
            return "gb18030";
        case TextEncoding::big5:
            return "big5";
        case TextEncoding::latin1:
            return "latin1";
    }
    return "unknown";
}

TextEncoding detect_text_encoding(std::string_view bytes) {
    if (bytes.starts_with(std::string_view("\xFF\xFE\0\0", 4))) return TextEncoding::utf32le;
    if (bytes.starts_with(std::string_view("\0\0\xFE\xFF", 4))) return TextEncoding::utf32be;
    if (bytes.starts_with("\xEF\xBB\xBF")) return TextEncoding::utf8_bom;
    if (bytes.starts_with("\xFF\xFE")) return TextEncoding::utf16le_bom;
    if (bytes.starts_with("\xFE\xFF")) return TextEncoding::utf16be_bom;
    if (const auto utf32 = unmarked_utf32(bytes)) return *utf32;
    const Utf8Scan utf8 = scan_utf8(bytes);
    // A lone cut-off sequence is only trusted as UTF-8 when real UTF-8 precedes it: "café" in
    // Latin-1 ends in 0xE9, which also starts a 3-byte UTF-8 sequence.
    if (utf8.invalid == 0 && (!utf8.truncated || utf8.multibyte > 0)) return TextEncoding::utf8;
    // UTF-8 with a few damaged bytes. Checked before GB18030 because UTF-8 Cyrillic or Greek can
    // pass for GB18030; GB18030 and Latin-1 text are never 90% valid UTF-8.
    if (utf8.multibyte > 0 && utf8.invalid * 10 <= utf8.multibyte) return TextEncoding::utf8;
    const Gb18030Scan gb = scan_gb18030(bytes);
    if (reads_as_big5(scan_big5(bytes), gb)) return TextEncoding::big5;
    if (reads_as_chinese(gb)) return TextEncoding::gb18030;
    return TextEncoding::latin1;
}

std::string decode_to_utf8(std::string_view bytes, TextEncoding encoding) {
    Utf8Builder out(true, expected_utf8_size(bytes.size(), encoding));
    decode_into(bytes, encoding, out);
    return out.take();
}

void prepare_text_decoding() { open_iconv_decoders(); }

bool looks_like_text(std::string_view bytes, TextEncoding encoding) {
    const std::string_view head = bytes.substr(0, sniff_bytes);
    Utf8Builder builder(false, expected_utf8_size(head.size(), encoding));
    decode_into(head, encoding, builder);
    const std::string text = builder.take();
    std::size_t total = 0;
    std::size_t suspicious = 0;
    for (std::size_t i = 0; i < text.size();) {
        const Utf8Char c = next_utf8(text, i);  // always valid: the builder wrote it
        i += c.length;
        ++total;
        if (c.cp == 0) return false;
        const bool control = (c.cp < 0x20 && c.cp != '\t' && c.cp != '\n' && c.cp != '\r' && c.cp != '\f') ||
                             (c.cp >= 0x7F && c.cp <= 0x9F);
        if (control || c.cp == replacement_character) ++suspicious;
    }
    // A truncated last character of the 64 KiB window is not the file's fault.
    if (bytes.size() > head.size() && suspicious > 0) --suspicious;
    return suspicious * 20 <= total;
}

namespace {

unsigned byte_at(std::string_view s, std::size_t i) { return static_cast<unsigned char>(s[i]); }

bool is_scalar_value(char32_t u) { return u <= 0x10FFFF && (u < 0xD800 || u > 0xDFFF); }

// --- Decoders ---------------------------------------------------------------------------------

void decode_utf8_into(std::string_view bytes, Utf8Builder& out) {
    for (std::size_t i = 0; i < bytes.size();) {
        const Utf8Char c = next_utf8(bytes, i);
        out.put(c.cp);
        i += c.length;
    }
}

void decode_utf16(std::string_view bytes, bool little_endian, Utf8Builder& out) {
    const auto unit = [&](std::size_t i) -> char32_t {
        const unsigned first = byte_at(bytes, i);
        const unsigned second = byte_at(bytes, i + 1);
        return little_endian ? (second << 8 | first) : (first << 8 | second);
    };
    std::size_t i = 0;
    while (i + 1 < bytes.size()) {
        const char32_t u = unit(i);
        i += 2;
        if (u >= 0xD800 && u <= 0xDBFF) {
            if (i + 1 < bytes.size()) {
                const char32_t low = unit(i);
                if (low >= 0xDC00 && low <= 0xDFFF) {
                    i += 2;
                    out.put(0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00));
                    continue;
                }
            }
            out.put(replacement_character);  // high surrogate without its low half
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
            out.put(replacement_character);  // low surrogate alone
        } else {
            out.put(u);
        }
    }
    if (i < bytes.size()) out.put(replacement_character);  // odd trailing byte
}

/// UTF-32 in either byte order; units that are no scalar value (surrogates, above U+10FFFF) and
/// a cut-off last unit become U+FFFD.
void decode_utf32(std::string_view bytes, bool little_endian, Utf8Builder& out) {
    std::size_t i = 0;
    for (; i + 3 < bytes.size(); i += 4) {
        const char32_t b0 = byte_at(bytes, i), b1 = byte_at(bytes, i + 1);
        const char32_t b2 = byte_at(bytes, i + 2), b3 = byte_at(bytes, i + 3);
        const char32_t u =
            little_endian ? (b3 << 24 | b2 << 16 | b1 << 8 | b0) : (b0 << 24 | b1 << 16 | b2 << 8 | b3);
        out.put(is_scalar_value(u) ? u : replacement_character);
    }
    if (i < bytes.size()) out.put(replacement_character);
}

/// windows-1252's 0x80-0x9F; its five unassigned bytes become U+FFFD.
constexpr std::array<char16_t, 32> windows1252_high = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

void decode_windows1252(std::string_view bytes, Utf8Builder& out) {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const unsigned b = byte_at(bytes, i);
        out.put(b >= 0x80 && b < 0xA0 ? windows1252_high[b - 0x80] : b);
    }
}

/// One glibc converter from `charset` to UTF-8 per thread and charset, opened on first use and
/// kept open, so that the gconv module stays loaded once the worker is sandboxed.
class IconvDecoder {
  public:
    explicit IconvDecoder(const char* charset, const char* name) : charset_(charset), name_(name) {}
    IconvDecoder(const IconvDecoder&) = delete;
    IconvDecoder& operator=(const IconvDecoder&) = delete;
    ~IconvDecoder() {
        if (is_open()) ::iconv_close(cd_);
    }

    /// The converter in its initial state; throws EnvironmentError when glibc cannot provide it.
    iconv_t get() {
        if (!is_open()) {
            cd_ = ::iconv_open("UTF-8", charset_);
            if (!is_open()) {
                throw EnvironmentError(std::string("cannot decode ") + name_ + " text: iconv_open failed (" +
                                       std::strerror(errno) + "); are glibc's gconv modules installed?");
            }
        }
        ::iconv(cd_, nullptr, nullptr, nullptr, nullptr);
        return cd_;
    }

  private:
    bool is_open() const { return cd_ != closed; }
    static inline const iconv_t closed = reinterpret_cast<iconv_t>(static_cast<std::intptr_t>(-1));
    const char* charset_;
    const char* name_;
    iconv_t cd_ = closed;
};

IconvDecoder& thread_gb18030_decoder() {
    thread_local IconvDecoder decoder("GB18030", "GB18030");
    return decoder;
}

IconvDecoder& thread_big5_decoder() {
    thread_local IconvDecoder decoder("CP950", "Big5");
    return decoder;
}

void open_iconv_decoders() {
    thread_gb18030_decoder().get();
    thread_big5_decoder().get();
}

/// Decodes with a glibc converter; a byte that starts no valid sequence becomes U+FFFD and
/// decoding resumes after it.
void decode_with_iconv(std::string_view bytes, IconvDecoder& decoder, Utf8Builder& out) {
    iconv_t cd = decoder.get();
    char* in = const_cast<char*>(bytes.data());  // iconv's signature; it never writes the input
    std::size_t in_left = bytes.size();
    std::array<char, 16384> buffer{};
    while (true) {
        char* out_ptr = buffer.data();
        std::size_t out_left = buffer.size();
        const std::size_t rc = ::iconv(cd, &in, &in_left, &out_ptr, &out_left);
        const int error = errno;
        // iconv writes whole characters only, so the buffer is always complete UTF-8.
        const auto produced = static_cast<std::size_t>(out_ptr - buffer.data());
        decode_utf8_into(std::string_view(buffer.data(), produced), out);
        if (rc != static_cast<std::size_t>(-1)) break;  // all input converted
        if (error == E2BIG && produced > 0) continue;
        if (error == EILSEQ && in_left > 0) {
            out.put(replacement_character);  // skip one byte and resynchronise
            ++in;
            --in_left;
            continue;
        }
        out.put(replacement_character);  // EINVAL: a sequence cut off by the end of the input
        break;
    }
}

void decode_into(std::string_view bytes, TextEncoding encoding, Utf8Builder& out) {
    switch (encoding) {
        case TextEncoding::utf8:
        case TextEncoding::utf8_bom:
            decode_utf8_into(bytes, out);
            return;
        case TextEncoding::utf16le_bom:
            decode_utf16(bytes, true, out);
            return;
        case TextEncoding::utf16be_bom:
            decode_utf16(bytes, false, out);
            return;
        case TextEncoding::utf32le:
            decode_utf32(bytes, true, out);
            return;
        case TextEncoding::utf32be:
            decode_utf32(bytes, false, out);
            return;
        case TextEncoding::gb18030:
            decode_with_iconv(bytes, thread_gb18030_decoder(), out);
            return;
        case TextEncoding::big5:
            decode_with_iconv(bytes, thread_big5_decoder(), out);
            return;
        case TextEncoding::latin1:
            decode_windows1252(bytes, out);
            return;
    }
    decode_windows1252(bytes, out);  // an out-of-range enum value: every byte is some character
}

std::size_t expected_utf8_size(std::size_t byte_count, TextEncoding encoding) {
    switch (encoding) {
        case TextEncoding::utf16le_bom:
        case TextEncoding::utf16be_bom:
        case TextEncoding::gb18030:
        case TextEncoding::big5:
            return byte_count + byte_count / 2;
        case TextEncoding::utf32le:
        case TextEncoding::utf32be:
            return byte_count;
        case TextEncoding::latin1:
            return byte_count + byte_count / 8;
        default:
            return byte_count;
    }
}

// --- Detection --------------------------------------------------------------------------------

Utf8Scan scan_utf8(std::string_view bytes) {
    Utf8Scan scan;
    for (std::size_t i = 0; i < bytes.size();) {
        const Utf8Char c = next_utf8(bytes, i);
        if (c.valid) {
            if (c.length > 1) ++scan.multibyte;
        } else if (c.truncated) {
            scan.truncated = true;
        } else {
            ++scan.invalid;
        }
        i += c.length;
    }
    return scan;
}

bool in_range(unsigned b, unsigned lo, unsigned hi) { return b >= lo && b <= hi; }

/// Walks text in a double-byte encoding (GB18030, Big5): ASCII bytes pass; a byte that cannot
/// lead (outside 0x81-0xFE) counts in `invalid`; a lead byte at the very end is tolerated (the
/// input was cut there). Otherwise `sequence(lead, i)` gives the bytes the sequence at i takes:
/// 0 for a broken one (counted in `invalid`, one byte skipped), npos to stop (cut off by the end).
template <class Sequence>
void walk_double_byte(std::string_view bytes, std::size_t& invalid, Sequence&& sequence) {
    const std::size_t n = bytes.size();
    for (std::size_t i = 0; i < n;) {
        const unsigned lead = byte_at(bytes, i);
        if (lead < 0x80) {
            ++i;
            continue;
        }
        if (!in_range(lead, 0x81, 0xFE)) {
            ++invalid;
            ++i;
            continue;
        }
        if (i + 1 >= n) return;
        const std::size_t taken = sequence(lead, i);
        if (taken == std::string_view::npos) return;
        if (taken == 0) ++invalid;
        i += taken == 0 ? 1 : taken;
    }
}

Gb18030Scan scan_gb18030(std::string_view bytes) {
    Gb18030Scan scan;
    walk_double_byte(bytes, scan.invalid, [&](unsigned lead, std::size_t i) -> std::size_t {
        const unsigned second = byte_at(bytes, i + 1);
        if (in_range(second, 0x30, 0x39)) {
            if (i + 3 >= bytes.size()) return std::string_view::npos;
            if (!in_range(byte_at(bytes, i + 2), 0x81, 0xFE) || !in_range(byte_at(bytes, i + 3), 0x30, 0x39))
                return 0;
            ++scan.four_byte;
            return 4;
        }
        if (!in_range(second, 0x40, 0x7E) && !in_range(second, 0x80, 0xFE)) return 0;
        ++scan.double_byte;
        if (in_range(lead, 0xA1, 0xF7) && in_range(second, 0xA1, 0xFE)) {
            ++scan.gb2312;
            if (in_range(lead, 0xA1, 0xA3) || in_range(lead, 0xB0, 0xD7)) ++scan.frequent;
        }
        return 2;
    });
    return scan;
}

/// GB18030 structure with at most 1% broken sequences, and more than half of the double-byte
/// characters in GB2312's hanzi and punctuation rows: Latin-1 text, whose accented letters pair up
/// with ASCII (é + a is a valid GBK pair, but outside GB2312), fails the second test.
bool reads_as_chinese(const Gb18030Scan& scan) {
    return scan.double_byte > 0 && scan.invalid * 100 <= scan.double_byte + scan.four_byte &&
           scan.gb2312 * 2 > scan.double_byte;
}

std::optional<TextEncoding> unmarked_utf32(std::string_view bytes) {
    // Whole units only, and more than one: the sniffed head of a file (8 KiB) is whole units too.
    if (bytes.size() < 8 || bytes.size() % 4 != 0) return std::nullopt;
    bool little = true;
    bool big = true;
    for (std::size_t i = 0; i < bytes.size() && (little || big); i += 4) {
        const char32_t b0 = byte_at(bytes, i), b1 = byte_at(bytes, i + 1);
        const char32_t b2 = byte_at(bytes, i + 2), b3 = byte_at(bytes, i + 3);
        const char32_t le = b3 << 24 | b2 << 16 | b1 << 8 | b0;
        const char32_t be = b0 << 24 | b1 << 16 | b2 << 8 | b3;
        little = little && le != 0 && is_scalar_value(le);
        big = big && be != 0 && is_scalar_value(be);
    }
    if (little == big) return std::nullopt;  // neither, or units that read the same both ways
    return little ? TextEncoding::utf32le : TextEncoding::utf32be;
}

Big5Scan scan_big5(std::string_view bytes) {
    Big5Scan scan;
    walk_double_byte(bytes, scan.invalid, [&](unsigned lead, std::size_t i) -> std::size_t {
        const unsigned trail = byte_at(bytes, i + 1);
        if (!in_range(trail, 0x40, 0x7E) && !in_range(trail, 0xA1, 0xFE)) return 0;
        ++scan.double_byte;
        // Symbols and punctuation (0xA140-0xA3BF), then the 5401 frequent hanzi (0xA440-0xC67E).
        if (in_range(lead, 0xA1, 0xC5) || (lead == 0xC6 && trail <= 0x7E)) ++scan.frequent;
        return 2;
    });
    return scan;
}

/// Big5 and GBK share their structure, so both readings of Chinese double-byte text are valid; the
/// wrong one lands on rare characters. Traditional text in Big5 read as GBK gives kana, Greek and
/// box-drawing rows and level-2 hanzi (its frequent hanzi start at lead 0xA4 and half of them have
/// a trail byte below 0x80, outside GB2312); Simplified text in GB2312 read as Big5 gives
/// less-frequent hanzi for every lead byte above 0xC6. So Big5 wins when at most 1% of its
/// sequences are broken, at least 70% of its characters are frequent ones, and more of them are
/// than in the GB18030 reading.
bool reads_as_big5(const Big5Scan& big5, const Gb18030Scan& gb) {
    return big5.double_byte > 0 && big5.invalid * 100 <= big5.double_byte &&
           big5.frequent * 10 >= big5.double_byte * 7 && big5.frequent > gb.frequent;
}

}  // namespace
}  // namespace wenku::worker
