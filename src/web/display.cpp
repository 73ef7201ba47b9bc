#include "web/display.h"

#include <cctype>
#include <ctime>

#include <fmt/format.h>

#include "core/utf8.h"

namespace wenku::web {

std::string human_size(std::int64_t bytes) {
    if (bytes < 1024) return std::to_string(bytes) + "B";
    if (bytes < 1024 * 1024) return fmt::format("{:.2f}KB", static_cast<double>(bytes) / 1024);
    return fmt::format("{:.2f}MB", static_cast<double>(bytes) / (1024 * 1024));
}

std::string format_date(std::int64_t unix_seconds) {
    const std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

std::string mask_uploader(const std::string& name, const std::string& anonymous) {
    const std::u32string cps = decode_utf8(name);
    if (cps.empty()) return anonymous;
    std::string out;
    append_utf8(out, cps.front());
    out += "****";
    if (cps.size() > 1) append_utf8(out, cps.back());
    return out;
}

std::string upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string first_chars(const std::string& text, std::size_t n) {
    const std::u32string cps = decode_utf8(text);
    if (cps.size() <= n) return text;
    return encode_utf8(std::u32string_view(cps).substr(0, n)) + "…";
}

nlohmann::json fragments_json(const std::vector<search::Fragment>& fragments) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& f : fragments) out.push_back({{"text", f.text}, {"hit", f.hit}});
    return out;
}

}  // namespace wenku::web
