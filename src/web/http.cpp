#include "web/http.h"

#include "web/file_cache.h"

namespace wenku::web {

namespace {
const std::string empty_string;

constexpr const char* content_security_policy =
    "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
}  // namespace

void set_security_headers(Response& res) {
    res.set("Content-Security-Policy", content_security_policy);
    res.set("X-Content-Type-Options", "nosniff");
    res.set("X-Frame-Options", "DENY");
    res.set("Referrer-Policy", "strict-origin-when-cross-origin");
}

const char* work_class_name(WorkClass c) {
    switch (c) {
        case WorkClass::light:
            return "light";
        case WorkClass::pages:
            return "pages";
        case WorkClass::search:
            return "search";
        case WorkClass::upload:
            return "upload";
    }
    return "pages";
}

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

}  // namespace wenku::web
