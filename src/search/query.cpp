#include "search/query.h"

#include <algorithm>

#include "core/utf8.h"
#include "search/fold.h"

namespace wenku::search {

namespace {

bool is_space(char32_t c) { return c == U' ' || c == U'\t' || c == U'\n' || c == U'\r'; }

/// The filter fields; `title` is a field of the text, the others are filters.
enum class Field { none, format, category, uploader, title };

Field field_of(std::u32string_view name) {
    if (name == U"format") return Field::format;
    if (name == U"category") return Field::category;
    if (name == U"uploader") return Field::uploader;
    if (name == U"title") return Field::title;
    return Field::none;
}

}  // namespace

bool ParsedQuery::has_positive_part() const {
    return std::any_of(parts.begin(), parts.end(), [](const QueryPart& p) { return !p.exclude; });
}

std::string ParsedQuery::canonical() const {
    std::string out;
    auto add = [&out](std::string_view word) {
        if (!out.empty()) out += ' ';
        out += word;
    };
    for (const auto& part : parts) {
        std::string text = encode_utf8(part.folded);
        if (part.phrase) text = '"' + text + '"';
        if (part.title_only) text = "title:" + text;
        if (part.exclude) text = '-' + text;
        add(text);
    }
    for (const auto& f : formats) add("format:" + f);
    for (const auto& c : categories) add("category:" + c);
    for (const auto& u : uploaders) add("uploader:" + u);
    return out;
}

std::vector<std::vector<std::size_t>> token_runs(const QueryPart& part, bool whole_phrase) {
    const auto& t = part.tokens;
    std::vector<std::vector<std::size_t>> runs;
    if (whole_phrase && part.phrase) {
        runs.emplace_back();
        for (std::size_t i = 0; i < t.size(); ++i) runs.back().push_back(i);
        return runs;
    }
    for (std::size_t i = 0; i < t.size(); ++i) {
        const bool pair_before = i > 0 && forms_pair(t[i - 1], t[i]);
        const bool pair_after = i + 1 < t.size() && forms_pair(t[i], t[i + 1]);
        if (pair_after) {
            runs.push_back({i, i + 1});
        } else if (!pair_before) {
            runs.push_back({i});
        }
    }
    return runs;
}

ParsedQuery parse_query(std::string_view utf8, const QueryLimits& limits) {
    std::u32string q = fold(decode_utf8(utf8));
    if (q.size() > limits.max_chars) q.resize(limits.max_chars);

    ParsedQuery parsed;
    std::size_t i = 0;
    while (i < q.size()) {
        if (is_space(q[i])) {
            ++i;
            continue;
        }
        QueryPart part;
        if (q[i] == U'-' && i + 1 < q.size() && !is_space(q[i + 1])) {
            part.exclude = true;
            ++i;
        }
        // field:value (value may be quoted).
        Field field = Field::none;
        const std::size_t colon = q.find(U':', i);
        if (colon != std::u32string::npos && q[i] != U'"') {
            const std::u32string_view name(q.data() + i, colon - i);
            if (std::none_of(name.begin(), name.end(), is_space)) {
                field = field_of(name);
                if (field != Field::none) i = colon + 1;
            }
        }
        std::u32string text;
        if (i < q.size() && q[i] == U'"') {
            const std::size_t close = q.find(U'"', i + 1);
            const std::size_t end = close == std::u32string::npos ? q.size() : close;
            text = q.substr(i + 1, end - i - 1);
            part.phrase = true;
            i = end == q.size() ? end : end + 1;
        } else {
            std::size_t end = i;
            while (end < q.size() && !is_space(q[end])) ++end;
            text = q.substr(i, end - i);
            i = end;
        }
        const std::string value = encode_utf8(text);
        switch (field) {
            case Field::format:
                if (!value.empty()) parsed.formats.push_back(value);
                continue;
            case Field::category:
                if (!value.empty()) parsed.categories.push_back(value);
                continue;
            case Field::uploader:
                if (!value.empty()) parsed.uploaders.push_back(value);
                continue;
            case Field::title:
                part.title_only = true;
                break;
            case Field::none:
                break;
        }
        if (parsed.parts.size() >= limits.max_parts) continue;  // filters still count
        part.tokens = tokenize(text, limits.max_part_tokens);
        if (part.tokens.empty()) continue;
        part.folded = std::move(text);
        parsed.parts.push_back(std::move(part));
    }
    return parsed;
}

}  // namespace wenku::search
