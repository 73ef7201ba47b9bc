#pragma once
// The site's words in Chinese (the default) and English, from web/i18n/zh.json and en.json, and
// which of the two a request asks for.
#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "web/http.h"

namespace wenku::web {

class Translations {
  public:
    /// Reads `dir`/zh.json and en.json; EnvironmentError when one cannot be read, UsageError when
    /// one is not JSON.
    explicit Translations(const std::filesystem::path& dir);

    /// "en" or "zh": the request's ?lang=, else its lang cookie, else "zh".
    std::string lang(const Request& req) const;
    /// Every string of a language ("en", else Chinese), for the templates' `t`.
    const nlohmann::json& table(const std::string& lang) const;
    /// The string `key` of the language with its {name} placeholders filled in; the key itself when
    /// the language has no such string.
    std::string tr(const std::string& lang, const std::string& key,
                   const std::map<std::string, std::string>& values = {}) const;

  private:
    nlohmann::json zh_, en_;
};

}  // namespace wenku::web
