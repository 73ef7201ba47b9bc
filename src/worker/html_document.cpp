#include "worker/html_document.h"

#include <algorithm>
#include <cctype>

namespace wenku::worker {

namespace {

/// Elements dropped together with everything up to their end tag (to the end of the input when
/// it has none, as a browser does with an unclosed script).
constexpr std::string_view elements_dropped_with_content[] = {
    "script",   "style",    "iframe", "frameset", "object", "embed", "applet", "noscript", "noembed",
    "noframes", "template", "svg",    "math",     "xml",    "title", "audio",  "video",    "canvas",
};

/// Elements kept (without their attributes but those in kept_attributes): tables and the text
/// structure around them.
constexpr std::string_view kept_elements[] = {
    "table",  "caption", "colgroup", "col",  "thead", "tbody",  "tfoot",      "tr", "td",     "th",
    "p",      "br",      "div",      "span", "b",     "strong", "i",          "em", "u",      "s",
    "strike", "sub",     "sup",      "h1",   "h2",    "h3",     "h4",         "h5", "h6",     "ul",
    "ol",     "li",      "dl",       "dt",   "dd",    "pre",    "blockquote", "hr", "center", "font",
};

/// Layout attributes of the kept elements; none of them names a resource.
constexpr std::string_view kept_attributes[] = {
    "colspan",     "rowspan",     "align", "valign", "width", "height", "bgcolor", "border",
    "cellspacing", "cellpadding", "color", "size",   "face",  "span",   "nowrap",  "style",
};

/// Words that make an inline style unsafe: anything that can load (url(), image-set(), @import),
/// run (expression(), behavior, javascript:) or hide such a word (escapes, character references,
/// comments).
constexpr std::string_view unsafe_style_words[] = {"url",        "image", "import", "expression", "behavior",
                                                   "javascript", "\\",    "&",      "/*"};

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::string lowercase(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), lower);
    return out;
}

template <std::size_t N>
bool contains(const std::string_view (&list)[N], std::string_view word) {
    return std::find(std::begin(list), std::end(list), word) != std::end(list);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' || c == '.';
}

/// Position of `needle` (lower case) in `text` from `from` on, ignoring ASCII case; npos if none.
std::size_t find_ignoring_case(std::string_view text, std::string_view needle, std::size_t from) {
    if (needle.empty() || text.size() < needle.size()) return std::string_view::npos;
    for (std::size_t at = from; at + needle.size() <= text.size(); ++at) {
        if (lower(text[at]) != needle[0]) continue;
        std::size_t i = 1;
        while (i < needle.size() && lower(text[at + i]) == needle[i]) ++i;
        if (i == needle.size()) return at;
    }
    return std::string_view::npos;
}

bool safe_style(std::string_view value) {
    const std::string style = lowercase(value);
    return std::none_of(std::begin(unsafe_style_words), std::end(unsafe_style_words),
                        [&](std::string_view word) { return style.find(word) != std::string::npos; });
}

/// `value` as a double-quoted attribute value.
void append_attribute_value(std::string& out, std::string_view value) {
    out += '"';
    for (char c : value) {
        if (c == '"')
            out += "&quot;";
        else if (c == '<')
            out += "&lt;";
        else if (c == '>')
            out += "&gt;";
        else if (c != '\0')
            out += c;
    }
    out += '"';
}

/// Reads the sanitised markup of `html` into `out`.
class Sanitiser {
  public:
    Sanitiser(std::string_view html, std::string& out) : html_(html), out_(out) {}

    void run() {
        while (pos_ < html_.size()) {
            const char c = html_[pos_];
            if (c == '<') {
                markup();
            } else {
                if (c != '\0') out_ += c;
                ++pos_;
            }
        }
    }

  private:
    /// At a '<': a comment, declaration, end tag or start tag; a '<' that opens none of them is
    /// text.
    void markup() {
        const std::string_view rest = html_.substr(pos_ + 1);
        if (rest.starts_with("!--")) {
            skip_past("-->", pos_ + 4);
        } else if (rest.starts_with("!") || rest.starts_with("?")) {
            skip_past(">", pos_ + 1);
        } else if (rest.starts_with("/")) {
            end_tag();
        } else if (!rest.empty() && std::isalpha(static_cast<unsigned char>(rest[0]))) {
            start_tag();
        } else {
            out_ += "&lt;";
            ++pos_;
        }
    }

    /// Moves past the next `terminator` at or after `from`, or to the end of the input.
    void skip_past(std::string_view terminator, std::size_t from) {
        const std::size_t at = html_.find(terminator, from);
        pos_ = at == std::string_view::npos ? html_.size() : at + terminator.size();
    }

    std::string read_name() {
        const std::size_t start = pos_;
        while (pos_ < html_.size() && is_name_char(html_[pos_])) ++pos_;
        return lowercase(html_.substr(start, pos_ - start));
    }

    void skip_spaces() {
        while (pos_ < html_.size() && is_space(html_[pos_])) ++pos_;
    }

    void end_tag() {
        pos_ += 2;  // "</"
        const std::string name = read_name();
        skip_past(">", pos_);
        if (contains(kept_elements, name)) out_ += "</" + name + ">";
    }

    void start_tag() {
        ++pos_;  // '<'
        const std::string name = read_name();
        std::string attributes;
        while (true) {
            while (pos_ < html_.size() && (is_space(html_[pos_]) || html_[pos_] == '/')) ++pos_;
            if (pos_ >= html_.size()) return;  // a tag cut off by the end of the input shows nothing
            if (html_[pos_] == '>') {
                ++pos_;
                break;
            }
            const std::size_t name_start = pos_;
            while (pos_ < html_.size() && !is_space(html_[pos_]) && html_[pos_] != '/' &&
                   html_[pos_] != '>' && html_[pos_] != '=')
                ++pos_;
            if (pos_ == name_start) ++pos_;  // a stray character where a name should be
            const std::string attribute = lowercase(html_.substr(name_start, pos_ - name_start));
            skip_spaces();
            std::string_view value;
            if (pos_ < html_.size() && html_[pos_] == '=') {
                ++pos_;
                skip_spaces();
                if (pos_ >= html_.size()) return;
                const char quote = html_[pos_];
                if (quote == '"' || quote == '\'') {
                    const std::size_t close = html_.find(quote, pos_ + 1);
                    if (close == std::string_view::npos) {
                        pos_ = html_.size();
                        return;
                    }
                    value = html_.substr(pos_ + 1, close - pos_ - 1);
                    pos_ = close + 1;
                } else {
                    const std::size_t start = pos_;
                    while (pos_ < html_.size() && !is_space(html_[pos_]) && html_[pos_] != '>') ++pos_;
                    value = html_.substr(start, pos_ - start);
                }
            }
            if (contains(kept_attributes, attribute) && (attribute != "style" || safe_style(value))) {
                attributes += ' ' + attribute + '=';
                append_attribute_value(attributes, value);
            }
        }
        if (contains(elements_dropped_with_content, name)) {
            const std::size_t end = find_ignoring_case(html_, "</" + name, pos_);
            if (end == std::string_view::npos) {
                pos_ = html_.size();
            } else {
                skip_past(">", end);
            }
            return;
        }
        if (contains(kept_elements, name)) out_ += '<' + name + attributes + '>';
    }

    std::string_view html_;
    std::string& out_;
    std::size_t pos_ = 0;
};

}  // namespace

bool looks_like_html(std::string_view head) {
    std::size_t start = head.starts_with("\xEF\xBB\xBF") ? 3 : 0;
    while (start < head.size() && is_space(head[start])) ++start;
    if (start >= head.size() || head[start] != '<') return false;
    const std::string opening = lowercase(head.substr(start, 1024));
    return opening.starts_with("<!doctype html") || opening.find("<html") != std::string::npos ||
           opening.find("<body") != std::string::npos || opening.find("<table") != std::string::npos;
}

std::string sanitise_html(std::string_view html) {
    std::string out =
        "<!DOCTYPE html>\n<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; "
        "charset=utf-8\"></head><body>\n";
    out.reserve(out.size() + html.size() + 32);
    Sanitiser(html, out).run();
    out += "\n</body></html>\n";
    return out;
}

}  // namespace wenku::worker
