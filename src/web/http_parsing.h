#pragma once
// Reading what a client sent, as pure functions of their arguments: byte ranges, ETag validators,
// numbers and ids in paths and query strings, percent coding, forms and uploaded file names. Each
// says what it does with malformed input. (Tested in tests/unit/http_helpers_test.cpp, fuzzed by
// fuzz/fuzz_http.cpp.)
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "web/http.h"

namespace wenku::web {

/// What a Range header asks of a file.
struct ByteRange {
    enum class Kind {
        whole,          // no single byte range asked for: send the whole file (200)
        part,           // bytes first..last (206)
        unsatisfiable,  // 416
    };
    Kind kind = Kind::whole;
    std::uint64_t first = 0;  // part: the first byte sent
    std::uint64_t last = 0;   // part: the last byte sent (inclusive; below the file's size)
};

/// A Range header against a file of `size` bytes. Only one "bytes=" range is honoured: no header,
/// another unit or a list of ranges is `whole`. "bytes=a-b" is bytes a to b, b cut to the file's
/// end; "bytes=a-" from a to the end; "bytes=-n" the last n bytes (all of them when n ≥ size). A
/// range that is malformed (signs, spaces, numbers past 2^64), starts beyond the end, ends before
/// it starts, asks for no bytes ("bytes=-0") or for any of an empty file is `unsatisfiable`.
ByteRange parse_range(std::string_view header, std::uint64_t size);

/// Whether an If-None-Match header matches `etag`: "*", or a comma-separated list of validators
/// compared weakly (a "W/" prefix ignored), spaces and tabs around them ignored. An empty header
/// matches nothing.
bool etag_matches(std::string_view if_none_match, std::string_view etag);

/// A number in a path naming something (a document id, a page number): decimal digits only, no
/// sign, no leading zero, from 1 to 2^63-1. Anything else names nothing: NotFoundError
/// ("no such number: …").
std::int64_t parse_id(std::string_view text);

/// A query parameter naming something by number (category=3), read as parse_id reads it;
/// BadRequestError ("category must be a number, not '…'") when it is not one, empty included.
std::int64_t parse_id_param(std::string_view name, std::string_view value);

/// A query parameter as a whole number in [lo, hi] (an optional '-', decimal digits), or
/// `fallback` when the value is empty; BadRequestError ("page must be a whole number from 1 to
/// 1000") when it is malformed or out of range.
long long parse_int_param(std::string_view name, std::string_view value, long long fallback, long long lo,
                          long long hi);

/// The request's query parameter `name`, read by parse_id_param.
inline std::int64_t id_param(const Request& req, const std::string& name) {
    return parse_id_param(name, req.param(name));
}

/// The request's query parameter `name`, read by parse_int_param.
inline long long int_param(const Request& req, const std::string& name, long long fallback, long long lo,
                           long long hi) {
    return parse_int_param(name, req.param(name), fallback, lo, hi);
}

/// An absolute-form request target ("http://host:8080/path?q", as a client speaking to a proxy
/// sends it; RFC 9112 §3.2.2) split into its authority ("host:8080") and its origin form
/// ("/path?q"; "/" for an empty path, "/?q" for a query alone). The scheme (http or https) is
/// matched without regard to case. None for any other target, an empty authority included.
struct AbsoluteTarget {
    std::string authority;
    std::string origin;
};
std::optional<AbsoluteTarget> split_absolute_target(std::string_view target);

/// Percent-decoding ('+' as a space when `form`); none for a truncated or non-hex escape or a NUL.
std::optional<std::string> percent_decode(std::string_view s, bool form);

/// Every byte but ASCII letters, digits and "-_.~" as %XX (upper-case hex).
std::string percent_encode(std::string_view s);

/// Adds the pairs of "a=1&b=2" (a form body or a query string) to `out`: names and values
/// percent-decoded with '+' as a space, a pair without '=' as an empty value. A pair whose name or
/// value does not decode is skipped, and so is a name `out` holds already (the first value wins).
void parse_form(std::string_view s, std::map<std::string, std::string>& out);

/// A file name as a client sent it, made safe to store and show: its last path component ('/' or
/// '\\'), without control characters (C0, DEL, C1), bidi overrides (U+202D, U+202E), invalid
/// UTF-8 and leading dots and spaces, cut to at most 200 bytes at a character boundary; "upload"
/// when nothing is left.
std::string clean_file_name(std::string_view name);

}  // namespace wenku::web
