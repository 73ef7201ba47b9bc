#include "web/translations.h"

#include <fstream>

#include "core/errors.h"

namespace wenku::web {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json load_json(const fs::path& file) {
    std::ifstream in(file);
    if (!in) throw EnvironmentError("cannot read " + file.string());
    try {
        return json::parse(in);
    } catch (const json::exception& e) {
        throw UsageError(file.string() + ": " + e.what());
    }
}

}  // namespace

Translations::Translations(const fs::path& dir)
    : zh_(load_json(dir / "zh.json")), en_(load_json(dir / "en.json")) {}

std::string Translations::lang(const Request& req) const {
    const std::string& q = req.param("lang");
    if (q == "en" || q == "zh") return q;
    return req.cookie("lang") == "en" ? "en" : "zh";
}

const json& Translations::table(const std::string& lang) const { return lang == "en" ? en_ : zh_; }

std::string Translations::tr(const std::string& lang, const std::string& key,
                             const std::map<std::string, std::string>& values) const {
    const json& strings = table(lang);
    const auto it = strings.find(key);
    std::string text = it != strings.end() && it->is_string() ? it->get<std::string>() : key;
    for (const auto& [name, value] : values) {
        const std::string mark = "{" + name + "}";
        for (auto pos = text.find(mark); pos != std::string::npos;
             pos = text.find(mark, pos + value.size())) {
            text.replace(pos, mark.size(), value);
        }
    }
    return text;
}

}  // namespace wenku::web
