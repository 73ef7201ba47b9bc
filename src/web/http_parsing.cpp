#include "web/http_parsing.h"

#include <cctype>
#include <charconv>

#include "core/errors.h"
#include "core/utf8.h"
#include "web/errors.h"

namespace wenku::web {

namespace {

/// A whole string of decimal digits as an unsigned number; false for anything else or an overflow.
bool parse_unsigned(std::string_view s, std::uint64_t& out) {
    const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return !s.empty() && r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool is_unsafe_in_name(char32_t c) {
    return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x202e || c == 0x202d;
}

}  // namespace

ByteRange parse_range(std::string_view header, std::uint64_t size) {
    constexpr std::string_view unit = "bytes=";
    if (!header.starts_with(unit) || header.find(',') != std::string_view::npos) return {};
    const std::string_view spec = header.substr(unit.size());
    const auto dash = spec.find('-');
    constexpr ByteRange unsatisfiable{ByteRange::Kind::unsatisfiable};
    if (dash == std::string_view::npos || size == 0) return unsatisfiable;
    const std::string_view from = spec.substr(0, dash), to = spec.substr(dash + 1);
    ByteRange range{ByteRange::Kind::part, 0, size - 1};
    if (from.empty()) {  // the last n bytes
        std::uint64_t n = 0;
        if (!parse_unsigned(to, n) || n == 0) return unsatisfiable;
        range.first = n >= size ? 0 : size - n;
        return range;
    }
    if (!parse_unsigned(from, range.first) || (!to.empty() && !parse_unsigned(to, range.last))) {
        return unsatisfiable;
    }
    if (range.last >= size) range.last = size - 1;
    if (range.first > range.last || range.first >= size) return unsatisfiable;
    return range;
}

bool etag_matches(std::string_view header, std::string_view etag) {
    while (!header.empty()) {
        const auto comma = header.find(',');
        std::string_view tag = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
        while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
        while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
        if (tag == "*") return true;
        if (tag.starts_with("W/")) tag.remove_prefix(2);  // weak comparison, as for GET
        if (tag == etag) return true;
    }
    return false;
}

std::int64_t parse_id(std::string_view text) {
    std::int64_t id = 0;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), id);
    if (r.ec != std::errc{} || r.ptr != text.data() + text.size() || id <= 0 || text.starts_with('0')) {
        throw NotFoundError("no such number: " + std::string(text));
    }
    return id;
}

std::int64_t parse_id_param(std::string_view name, std::string_view value) {
    try {
        return parse_id(value);
    } catch (const NotFoundError&) {
        throw BadRequestError(std::string(name) + " must be a number, not '" + std::string(value) + "'");
    }
}

long long parse_int_param(std::string_view name, std::string_view value, long long fallback, long long lo,
                          long long hi) {
    if (value.empty()) return fallback;
    long long n = 0;
    const auto r = std::from_chars(value.data(), value.data() + value.size(), n);
    if (r.ec != std::errc{} || r.ptr != value.data() + value.size() || n < lo || n > hi) {
        throw BadRequestError(std::string(name) + " must be a whole number from " + std::to_string(lo) +
                              " to " + std::to_string(hi));
    }
    return n;
}

std::optional<AbsoluteTarget> split_absolute_target(std::string_view target) {
    const auto scheme_end = target.find("://");
    if (scheme_end == std::string_view::npos) return std::nullopt;
    std::string scheme(target.substr(0, scheme_end));
    for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (scheme != "http" && scheme != "https") return std::nullopt;
    const std::string_view rest = target.substr(scheme_end + 3);
    const auto path_start = rest.find_first_of("/?#");
    AbsoluteTarget out;
    out.authority = std::string(rest.substr(0, path_start));
    if (out.authority.empty()) return std::nullopt;
    const std::string_view origin =
        path_start == std::string_view::npos ? std::string_view{} : rest.substr(path_start);
    out.origin = origin.starts_with('/') ? std::string(origin) : "/" + std::string(origin);
    if (const auto fragment = out.origin.find('#'); fragment != std::string::npos)
        out.origin.resize(fragment);
    return out;
}

std::optional<std::string> percent_decode(std::string_view s, bool form) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= s.size()) return std::nullopt;
            const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            c = static_cast<char>(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && form) {
            c = ' ';
        }
        if (c == '\0') return std::nullopt;
        out += c;
    }
    return out;
}

std::string percent_encode(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

void parse_form(std::string_view s, std::map<std::string, std::string>& out) {
    while (!s.empty()) {
        const auto amp = s.find('&');
        const std::string_view pair = s.substr(0, amp);
        s = amp == std::string_view::npos ? std::string_view{} : s.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        auto name = percent_decode(pair.substr(0, eq), true);
        auto value =
            percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
        if (name && value) out.emplace(std::move(*name), std::move(*value));
    }
}

std::string clean_file_name(std::string_view name) {
    if (const auto slash = name.find_last_of("/\\"); slash != std::string_view::npos)
        name.remove_prefix(slash + 1);
    std::u32string kept;
    for (char32_t c : decode_utf8(name)) {
        if (!is_unsafe_in_name(c)) kept += c;
    }
    const auto start = kept.find_first_not_of(U". ");
    std::string out;
    for (char32_t c : std::u32string_view(kept).substr(start == std::u32string::npos ? kept.size() : start)) {
        std::string one;
        append_utf8(one, c);
        if (out.size() + one.size() > 200) break;
        out += one;
    }
    return out.empty() ? "upload" : out;
}

}  // namespace wenku::web
