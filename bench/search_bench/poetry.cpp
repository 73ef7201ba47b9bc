#include "search_bench/poetry.h"

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace wenku::bench {

std::string Poem::text() const {
    std::string out;
    for (const auto& line : lines) {
        if (!out.empty()) out += '\n';
        out += line;
    }
    return out;
}

std::vector<Poem> load_poems(const std::filesystem::path& dist, std::size_t limit) {
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dist / "quantangshi", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.starts_with("poet.") && name.ends_with(".json")) files.push_back(entry.path());
    }
    if (files.empty())
        throw std::runtime_error("no poems in " + (dist / "quantangshi").string() + " (bench/fetch-poetry)");
    std::sort(files.begin(), files.end());
    std::vector<Poem> poems;
    for (const auto& file : files) {
        std::ifstream in(file);
        const auto json = nlohmann::json::parse(in, nullptr, false);
        if (!json.is_array()) continue;
        for (const auto& p : json) {
            if (poems.size() >= limit) return poems;
            Poem poem;
            poem.title = p.value("title", std::string());
            poem.author = p.value("author", std::string());
            if (p.contains("paragraphs") && p["paragraphs"].is_array()) {
                for (const auto& line : p["paragraphs"]) {
                    if (line.is_string() && !line.get<std::string>().empty())
                        poem.lines.push_back(line.get<std::string>());
                }
            }
            if (!poem.lines.empty()) poems.push_back(std::move(poem));
        }
    }
    return poems;
}

}  // namespace wenku::bench
