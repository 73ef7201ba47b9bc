#include "search/blocklist.h"

#include <fstream>

#include <spdlog/spdlog.h>

#include "core/utf8.h"
#include "search/fold.h"

namespace wenku::search {

namespace {

constexpr auto recheck_interval = std::chrono::seconds(1);

/// A line's folded pieces between '*'; empty ones dropped.
std::vector<std::string> pieces_of(const std::string& line) {
    std::vector<std::string> pieces;
    std::size_t at = 0;
    for (;;) {
        const auto star = line.find('*', at);
        std::string piece =
            fold_utf8(line.substr(at, star == std::string::npos ? std::string::npos : star - at));
        if (!piece.empty()) pieces.push_back(std::move(piece));
        if (star == std::string::npos) return pieces;
        at = star + 1;
    }
}

std::string trimmed(const std::string& s) {
    const auto begin = s.find_first_not_of(" \t\r");
    if (begin == std::string::npos) return {};
    return s.substr(begin, s.find_last_not_of(" \t\r") - begin + 1);
}

}  // namespace

SearchBlocklist::SearchBlocklist(std::filesystem::path file) : file_(std::move(file)) {}

bool SearchBlocklist::blocks(const std::string& query) const {
    const std::string folded = fold_utf8(query);
    std::lock_guard lock(mutex_);
    refresh();
    for (const auto& pieces : patterns_) {
        std::size_t at = 0;
        bool all = true;
        for (const auto& piece : pieces) {
            at = folded.find(piece, at);
            if (at == std::string::npos) {
                all = false;
                break;
            }
            at += piece.size();
        }
        if (all) return true;
    }
    return false;
}

void SearchBlocklist::refresh() const {
    const auto now = std::chrono::steady_clock::now();
    if (checked_ != std::chrono::steady_clock::time_point{} && now - checked_ < recheck_interval) return;
    checked_ = now;
    std::error_code ec;
    const auto modified = std::filesystem::last_write_time(file_, ec);
    if (ec) {
        patterns_.clear();  // no file: nothing blocked
        return;
    }
    const auto size = std::filesystem::file_size(file_, ec);
    if (!ec && modified == modified_ && size == size_) return;
    std::ifstream in(file_);
    if (!in) {
        spdlog::warn("cannot read {}; the search blocklist stays as it was", file_.filename().string());
        return;
    }
    std::vector<std::vector<std::string>> patterns;
    for (std::string line; std::getline(in, line);) {
        line = trimmed(line);
        if (line.empty() || line.front() == '#') continue;
        if (auto pieces = pieces_of(line); !pieces.empty()) patterns.push_back(std::move(pieces));
    }
    patterns_ = std::move(patterns);
    modified_ = modified;
    size_ = ec ? 0 : size;
}

bool suggestible(const std::string& query, bool plain, std::size_t max_chars,
                 const SearchBlocklist* blocklist) {
    return plain && !query.empty() && decode_utf8(query).size() <= max_chars &&
           !(blocklist && blocklist->blocks(query));
}

}  // namespace wenku::search
