#include "web/http.h"

#include <cctype>

#include "web/file_cache.h"

namespace wenku::web {

namespace {
const std::string empty_string;

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

const std::string& Request::header(const std::string& lower_case_name) const {
    const auto it = headers.find(lower_case_name);
    return it == headers.end() ? empty_string : it->second;
}

const std::string& Request::param(const std::string& name) const {
    const auto it = query.find(name);
    return it == query.end() ? empty_string : it->second;
}

std::string Request::cookie(std::string_view name) const {
    std::string_view rest = header("cookie");
    while (!rest.empty()) {
        const auto semi = rest.find(';');
        std::string_view pair = rest.substr(0, semi);
        rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
        while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
        const auto eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == name)
            return std::string(pair.substr(eq + 1));
    }
    return "";
}

void Response::set(const std::string& name, std::string value) {
    for (auto& [n, v] : headers) {
        if (n == name) {
            v = std::move(value);
            return;
        }
    }
    headers.emplace_back(name, std::move(value));
}

void Response::text(std::string content, std::string content_type) {
    body = std::make_shared<const std::string>(std::move(content));
    offset = 0;
    length.reset();
    set("Content-Type", std::move(content_type));
}

std::size_t Response::send_size() const {
    if (length) return *length;
    if (file) return static_cast<std::size_t>(file->size()) - offset;
    return body ? body->size() - offset : 0;
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
    static const char* hex = "0123456789ABCDEF";
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

}  // namespace wenku::web
