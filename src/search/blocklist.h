#pragma once
// The operator's blocklist for 相关搜索: words and patterns that are never logged or suggested,
// kept in a file of the data folder (DATA/search-blocklist.txt) that can be edited while the site
// runs.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

namespace wenku::search {

/// The file's name in the data folder.
inline constexpr const char* blocklist_file_name = "search-blocklist.txt";

/// One word or pattern a line; empty lines and lines starting with '#' are skipped. A line blocks
/// every query that contains it, compared after folding (Traditional as Simplified, full-width as
/// ASCII, upper case as lower); '*' in a line stands for any characters (加*微信 blocks 加我微信).
/// The file is read again when it changes (looked at no more than once a second). A missing file
/// blocks nothing; a file that cannot be read keeps the last list read. Thread-safe.
class SearchBlocklist {
  public:
    explicit SearchBlocklist(std::filesystem::path file);

    /// Whether `query` contains a word or pattern of the list.
    bool blocks(const std::string& query) const;

  private:
    /// Reads the file again if it changed since it was last read. Needs mutex_.
    void refresh() const;

    std::filesystem::path file_;
    mutable std::mutex mutex_;
    mutable std::chrono::steady_clock::time_point checked_{};
    mutable std::filesystem::file_time_type modified_{};
    mutable std::uintmax_t size_ = 0;
    mutable std::vector<std::vector<std::string>> patterns_;  // each line's pieces between '*'
};

/// Whether a logged search may be suggested (相关搜索): plain words (`plain`), at most `max_chars`
/// characters, nothing of the blocklist (none when null).
bool suggestible(const std::string& query, bool plain, std::size_t max_chars,
                 const SearchBlocklist* blocklist);

}  // namespace wenku::search
