#pragma once
// Every limit and knob is a named setting with a description and a safe default. Values come from,
// in rising precedence: the defaults below, DATA/wenku.conf ("key = value" lines, # comments), and
// environment variables WENKU_<KEY> with dots as underscores (convert.timeout_seconds →
// WENKU_CONVERT_TIMEOUT_SECONDS). `wenku config --defaults` prints them all.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace wenku {

struct SettingSpec {
    std::string key;
    std::string default_value;
    std::string description;
};

class Settings {
  public:
    /// Every known setting, in the order `config --defaults` prints them.
    static const std::vector<SettingSpec>& specs();

    /// Defaults only.
    Settings();
    /// Defaults, then DATA/wenku.conf if present, then the environment.
    /// Throws UsageError for an unknown key or a malformed line in wenku.conf.
    static Settings load(const std::filesystem::path& data_dir);

    /// Throws UsageError for an unknown key, or (get_int) a value that is not a whole number.
    const std::string& get(const std::string& key) const;
    long long get_int(const std::string& key) const;
    void set(const std::string& key, const std::string& value);

    /// Where each value came from: "default", "wenku.conf", or the environment variable's name.
    const std::string& source(const std::string& key) const;

    static std::string env_name(const std::string& key);

  private:
    std::map<std::string, std::string> values_;
    std::map<std::string, std::string> sources_;
};

}  // namespace wenku
