// Fuzz target: the search box's syntax and what is built from it: parsing, the canonical spelling,
// highlights and snippets of arbitrary text, with the promises of query.h and highlight.h as
// invariants.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/utf8.h"
#include "fuzz_check.h"
#include "search/fold.h"
#include "search/highlight.h"
#include "search/query.h"

using namespace wenku::search;
using wenku::fuzz::require;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    prepare_folding();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The first half is the query, the rest the text it is matched against.
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const std::string_view query_bytes = bytes.substr(0, size / 2);
    const std::string_view text = bytes.substr(size / 2);

    const ParsedQuery query = parse_query(query_bytes);
    const std::string canonical = query.canonical();
    require(wenku::fuzz::is_valid_utf8(canonical), "canonical() produced invalid UTF-8");
    // (A canonical spelling longer than the input limit is cut when parsed again.)
    require(wenku::decode_utf8(canonical).size() > 900 || parse_query(canonical).canonical() == canonical,
            "the canonical spelling does not parse to itself");
    for (const auto& part : query.parts) {
        require(!part.tokens.empty(), "a part without tokens was kept");
        for (const auto& t : part.tokens)
            require(t.begin < t.end && t.end <= part.folded.size(), "a token outside its part");
        for (const auto& run : token_runs(part, true)) require(!run.empty(), "an empty token run");
    }

    const std::u32string chars = wenku::decode_utf8(text);
    std::size_t last_end = 0;
    for (const auto& span : match_spans(chars, query)) {
        require(span.begin < span.end && span.end <= chars.size(), "a span outside the text");
        require(span.begin >= last_end, "spans overlap or are out of order");
        last_end = span.end;
    }
    std::string joined;
    for (const auto& f : highlight(text, query)) joined += f.text;
    require(joined == wenku::encode_utf8(chars), "highlight() lost or changed text");
    for (const auto& f : snippet(text, query, 40))
        require(wenku::fuzz::is_valid_utf8(f.text), "snippet() produced invalid UTF-8");
    return 0;
}
