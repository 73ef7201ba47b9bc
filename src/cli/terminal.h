#pragma once
// Text output for the command line: display widths of CJK text, tables, progress.
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace wenku::cli {

/// Terminal columns `utf8` occupies: East Asian wide and full-width characters count 2.
int display_width(std::string_view utf8);
/// Cuts `utf8` to at most `width` columns at a character boundary, marking a cut with "…".
std::string fit_width(std::string_view utf8, int width);

/// A table printed with aligned columns (by display width).
class Table {
  public:
    explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    /// Columns listed in `right` are right-aligned; `max_width` caps each column.
    void print(std::FILE* out, const std::vector<std::size_t>& right = {}, int max_width = 48) const;

  private:
    std::vector<std::string> header_;
    std::vector<std::vector<std::string>> rows_;
};

std::string human_size(long long bytes);          // "15.55 KB"
std::string format_time(long long unix_seconds);  // "2023-06-01 12:00"

/// Import progress: a redrawn bar on a terminal, plain log lines otherwise. Thread-safe.
class Progress {
  public:
    Progress(std::FILE* out, int total_files);
    void add_total(int files);
    /// A file finished: converted (with pages), skipped (already imported), or failed (message).
    void converted(const std::string& name, int pages, double seconds);
    void skipped(const std::string& name, const std::string& why);
    void failed(const std::string& name, const std::string& error);
    void done();
    int failures() const { return failed_; }
    int converted_count() const { return converted_; }
    int skipped_count() const { return skipped_; }
    long long pages() const { return pages_; }

  private:
    void redraw_locked();
    std::string summary_locked() const;

    std::FILE* out_;
    bool tty_;
    std::mutex mutex_;
    int total_ = 0, converted_ = 0, skipped_ = 0, failed_ = 0;
    long long pages_ = 0;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace wenku::cli
