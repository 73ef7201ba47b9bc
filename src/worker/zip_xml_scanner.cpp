#include "worker/zip_xml_scanner.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace wenku::worker::zip {
namespace {

/// A document type declaration longer than this is judged a hazard without reading further.
constexpr std::size_t max_declaration = 4096;
/// The XML declaration (with its encoding) must lie within the first this many characters.
constexpr std::size_t head_size = 512;
/// Characters carried between pieces so that "schemaLocation" split by a piece boundary is found.
constexpr std::size_t kept_tail = 16;
/// Length of "<!DOCTYPE": a '<' closer than this to the end of the window waits for more input.
constexpr std::size_t longest_marker = 9;

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

bool istarts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view skip_spaces(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    return s;
}

/// Reads a quoted literal at the start of `s` (after spaces); advances `s` past it.
bool take_literal(std::string_view& s, std::string_view& literal) {
    s = skip_spaces(s);
    if (s.empty() || (s.front() != '"' && s.front() != '\'')) return false;
    const char quote = s.front();
    const auto close = s.find(quote, 1);
    if (close == std::string_view::npos) return false;
    literal = s.substr(1, close - 1);
    s.remove_prefix(close + 1);
    return true;
}

/// DTDs that XHTML, SVG, MathML, NCX and OEB documents name by convention; readers never need
/// to load them (and those that do resolve them from catalogues).
bool is_public_dtd(std::string_view system_id) {
    static constexpr std::array<std::string_view, 9> name_prefixes = {
        "http://www.w3.org/",     "https://www.w3.org/",       "http://www.daisy.org/",
        "https://www.daisy.org/", "http://www.idpf.org/",      "https://www.idpf.org/",
        "http://openebook.org/",  "http://www.openebook.org/", "about:legacy-compat",
    };
    return std::any_of(name_prefixes.begin(), name_prefixes.end(),
                       [&](std::string_view prefix) { return istarts_with(system_id, prefix); });
}

/// Encodings in which ASCII characters are single ASCII bytes, so that markup cannot hide from a
/// byte scan. (OPC, ODF and EPUB allow only UTF-8 and UTF-16; the rest is leniency for
/// embedded SVG and HTML.)
bool is_ascii_compatible_encoding(std::string_view name) {
    static constexpr std::array<std::string_view, 12> exact_names = {
        "utf-8",  "utf8", "us-ascii", "ascii",     "latin1", "latin-1",
        "gb2312", "gbk",  "gb18030",  "shift_jis", "sjis",   "cp936",
    };
    static constexpr std::array<std::string_view, 8> name_prefixes = {
        "iso-8859-", "iso8859-", "iso_8859-", "windows-125", "cp125", "big5", "euc-", "koi8-",
    };
    return std::any_of(exact_names.begin(), exact_names.end(),
                       [&](std::string_view e) { return iequals(name, e); }) ||
           std::any_of(name_prefixes.begin(), name_prefixes.end(),
                       [&](std::string_view prefix) { return istarts_with(name, prefix); });
}

bool is_utf16_encoding(std::string_view name) {
    return istarts_with(name, "utf-16") || istarts_with(name, "utf16") || iequals(name, "ucs-2") ||
           iequals(name, "iso-10646-ucs-2") || iequals(name, "unicode");
}

bool is_utf32_encoding(std::string_view name) {
    return istarts_with(name, "utf-32") || istarts_with(name, "utf32") || iequals(name, "ucs-4") ||
           iequals(name, "iso-10646-ucs-4");
}

std::string printable(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 200))
        out += (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F && !(c & 0x80)) ? c : '?';
    return out;
}

}  // namespace

XmlHazardScanner::XmlHazardScanner(XmlScanPolicy policy, std::size_t keep_bytes)
    : policy_(policy), keep_bytes_(keep_bytes) {}

void XmlHazardScanner::report(XmlHazard::Kind kind, std::string detail) {
    if (hazard_.kind != XmlHazard::Kind::none) return;
    hazard_.kind = kind;
    hazard_.detail = std::move(detail);
}

bool XmlHazardScanner::feed(std::string_view piece) {
    if (hazard_.kind != XmlHazard::Kind::none) return false;
    if (form_ == Form::undecided) {
        raw_pending_.append(piece);
        if (raw_pending_.size() < 4) return true;
        decide_form();
    } else {
        narrow(piece);
    }
    if (hazard_.kind == XmlHazard::Kind::none) scan(false);
    return hazard_.kind == XmlHazard::Kind::none;
}

void XmlHazardScanner::finish() {
    if (hazard_.kind != XmlHazard::Kind::none) return;
    if (form_ == Form::undecided) decide_form();
    if (hazard_.kind == XmlHazard::Kind::none) check_declaration(true);
    if (hazard_.kind == XmlHazard::Kind::none) scan(true);
}

void XmlHazardScanner::decide_form() {
    std::string raw;
    raw.swap(raw_pending_);  // narrow() keeps partial code units in raw_pending_
    std::array<unsigned, 4> first = {0x100, 0x100, 0x100, 0x100};  // 0x100: no such byte
    for (std::size_t i = 0; i < first.size() && i < raw.size(); ++i)
        first[i] = static_cast<unsigned char>(raw[i]);
    const auto b = [&first](std::size_t i) { return first[i]; };
    std::size_t bom = 0;
    if (b(0) == 0x00 && b(1) == 0x00 && b(2) == 0xFE && b(3) == 0xFF) {
        form_ = Form::utf32be, bom = 4;
    } else if (b(0) == 0xFF && b(1) == 0xFE && b(2) == 0x00 && b(3) == 0x00) {
        form_ = Form::utf32le, bom = 4;
    } else if (b(0) == 0xFE && b(1) == 0xFF) {
        form_ = Form::utf16be, bom = 2;
    } else if (b(0) == 0xFF && b(1) == 0xFE) {
        form_ = Form::utf16le, bom = 2;
    } else if (b(0) == 0xEF && b(1) == 0xBB && b(2) == 0xBF) {
        form_ = Form::bytes, bom = 3;
    } else if (b(0) == 0x00 && b(1) == 0x00 && b(2) == 0x00 && b(3) != 0x00 && b(3) < 0x80) {
        form_ = Form::utf32be;
    } else if (b(0) != 0x00 && b(0) < 0x80 && b(1) == 0x00 && b(2) == 0x00 && b(3) == 0x00) {
        form_ = Form::utf32le;
    } else if (b(0) == 0x00 && b(1) != 0x00 && b(1) < 0x80 && b(2) == 0x00) {
        form_ = Form::utf16be;
    } else if (b(0) != 0x00 && b(0) < 0x80 && b(1) == 0x00 && b(2) != 0x00 && b(3) == 0x00) {
        form_ = Form::utf16le;
    } else if ((b(0) == 0x00 && b(1) == 0x00 && b(2) == 0x3C && b(3) == 0x00) ||
               (b(0) == 0x00 && b(1) == 0x3C && b(2) == 0x00 && b(3) == 0x00)) {
        form_ = Form::bytes;
        report(XmlHazard::Kind::hidden_encoding, "UCS-4 in an unusual byte order");
        return;
    } else if (b(0) == 0x4C && b(1) == 0x6F && b(2) == 0xA7 && b(3) == 0x94) {
        form_ = Form::bytes;
        report(XmlHazard::Kind::hidden_encoding, "EBCDIC");
        return;
    } else {
        form_ = Form::bytes;
    }
    narrow(std::string_view(raw).substr(std::min(bom, raw.size())));
}

void XmlHazardScanner::narrow(std::string_view raw) {
    std::string narrowed;
    std::string_view chars;
    if (form_ == Form::bytes) {
        chars = raw;
    } else {
        const std::size_t unit = (form_ == Form::utf16le || form_ == Form::utf16be) ? 2 : 4;
        const bool little = form_ == Form::utf16le || form_ == Form::utf32le;
        std::string joined;
        if (!raw_pending_.empty()) {
            joined = raw_pending_;
            joined.append(raw);
            raw_pending_.clear();
            raw = joined;
        }
        const std::size_t whole = raw.size() / unit * unit;
        narrowed.reserve(whole / unit);
        for (std::size_t i = 0; i < whole; i += unit) {
            std::uint32_t value = 0;
            for (std::size_t k = 0; k < unit; ++k) {
                const auto byte = static_cast<unsigned char>(raw[i + (little ? unit - 1 - k : k)]);
                value = (value << 8) | byte;
            }
            narrowed += value < 0x80 ? static_cast<char>(value) : '\x80';
        }
        raw_pending_.assign(raw.substr(whole));
        chars = narrowed;
    }
    if (chars.empty()) return;

    if (!seen_content_) {
        for (char c : chars) {
            if (is_space(c)) continue;
            seen_content_ = true;
            first_char_ = c;
            break;
        }
    }
    if (kept_.size() < keep_bytes_) kept_.append(chars.substr(0, keep_bytes_ - kept_.size()));
    if (head_.size() < head_size) {
        head_.append(chars.substr(0, head_size - head_.size()));
        if (head_.size() >= head_size) check_declaration(false);
    }
    window_.append(chars);
}

void XmlHazardScanner::check_declaration(bool at_end) {
    if (declaration_checked_ || (!at_end && head_.size() < head_size)) return;
    declaration_checked_ = true;
    std::string_view head = head_;
    if (!istarts_with(head, "<?xml")) return;
    const auto close = head.find("?>");
    std::string_view declaration = head.substr(0, close);
    const auto at = declaration.find("encoding");
    if (at == std::string_view::npos) return;
    std::string_view rest = skip_spaces(declaration.substr(at + 8));
    if (rest.empty() || rest.front() != '=') return;
    rest.remove_prefix(1);
    std::string_view encoding;
    if (!take_literal(rest, encoding)) return;
    bool fine = false;
    switch (form_) {
        case Form::undecided:
        case Form::bytes:
            fine = is_ascii_compatible_encoding(encoding);
            break;
        case Form::utf16le:
        case Form::utf16be:
            fine = is_utf16_encoding(encoding);
            break;
        case Form::utf32le:
        case Form::utf32be:
            fine = is_utf32_encoding(encoding);
            break;
    }
    if (!fine) report(XmlHazard::Kind::hidden_encoding, printable(encoding));
}

bool XmlHazardScanner::judge_doctype(std::string_view declaration) {
    // `declaration` runs from "<!DOCTYPE" to its '>' or '[' (inclusive) or to the end of input.
    if (!policy_.allow_public_doctype) {
        report(XmlHazard::Kind::doctype);
        return false;
    }
    if (declaration.empty() || declaration.back() != '>') {
        report(XmlHazard::Kind::doctype);  // an internal subset, or no end at all
        return false;
    }
    std::string_view rest =
        skip_spaces(declaration.substr(longest_marker, declaration.size() - longest_marker - 1));
    while (!rest.empty() && !is_space(rest.front())) rest.remove_prefix(1);  // the root element name
    rest = skip_spaces(rest);
    std::string_view public_id;
    std::string_view system_id;
    if (istarts_with(rest, "PUBLIC")) {
        rest.remove_prefix(6);
        if (!take_literal(rest, public_id)) {
            report(XmlHazard::Kind::doctype);
            return false;
        }
        take_literal(rest, system_id);
    } else if (istarts_with(rest, "SYSTEM")) {
        rest.remove_prefix(6);
        if (!take_literal(rest, system_id)) {
            report(XmlHazard::Kind::doctype);
            return false;
        }
    }
    if (!skip_spaces(rest).empty()) {
        report(XmlHazard::Kind::doctype);
        return false;
    }
    if (!system_id.empty() && !is_public_dtd(system_id)) {
        report(XmlHazard::Kind::external_dtd, printable(system_id));
        return false;
    }
    return true;
}

void XmlHazardScanner::scan(bool at_end) {
    std::size_t pos = resume_;
    std::size_t carry_from = std::string::npos;
    const std::string_view window = window_;
    while (pos < window.size()) {
        const void* found = std::memchr(window.data() + pos, '<', window.size() - pos);
        if (found == nullptr) break;
        const std::size_t lt = static_cast<const char*>(found) - window.data();
        if (window.size() - lt < longest_marker && !at_end) {
            carry_from = lt;
            break;
        }
        if (lt + 1 < window.size() && window[lt + 1] == '!') {
            if (iequals(window.substr(lt + 2, 7), "DOCTYPE")) {
                // The declaration ends at its first '>' or '[' outside quoted literals.
                std::size_t end = lt + longest_marker;
                char quote = 0;
                bool closed = false;
                for (; end < window.size() && end - lt < max_declaration; ++end) {
                    const char c = window[end];
                    if (quote != 0) {
                        if (c == quote) quote = 0;
                    } else if (c == '"' || c == '\'') {
                        quote = c;
                    } else if (c == '>' || c == '[') {
                        closed = true;
                        break;
                    }
                }
                if (!closed && end - lt < max_declaration && !at_end && policy_.allow_public_doctype) {
                    carry_from = lt;
                    break;
                }
                const std::size_t length = closed ? end - lt + 1 : end - lt;
                if (!judge_doctype(window.substr(lt, length))) return;
                pos = lt + length;
                continue;
            }
            if (iequals(window.substr(lt + 2, 6), "ENTITY")) {
                report(XmlHazard::Kind::entity);
                return;
            }
        }
        pos = lt + 1;
    }
    if (policy_.forbid_schema_location) {
        const auto at = window.find("schemaLocation");
        if (at != std::string_view::npos) {
            std::string_view rest = skip_spaces(window.substr(at + 14));
            std::string_view location;
            if (!rest.empty() && rest.front() == '=') {
                rest.remove_prefix(1);
                if (!take_literal(rest, location)) location = skip_spaces(rest).substr(0, 80);
            }
            report(XmlHazard::Kind::external_schema, printable(location));
            return;
        }
    }
    // Markup before `resume_` is judged and never looked at again (re-reading from inside a
    // declaration would judge a quoted "<!DOCTYPE" as markup); only "schemaLocation" needs the tail.
    resume_ = carry_from != std::string::npos ? carry_from : window.size();
    std::size_t keep_from = window_.size() > kept_tail ? window_.size() - kept_tail : 0;
    keep_from = std::min(keep_from, resume_);
    window_.erase(0, keep_from);
    resume_ -= keep_from;
}

}  // namespace wenku::worker::zip
