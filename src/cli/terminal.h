#pragma once
// Text output for the command line: text made safe for the operator's terminal, display widths of
// CJK text, tables, progress.
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace wenku::cli {

/// Whether a text keeps its line structure when made terminal-safe.
enum class Lines {
    single,    // a field on one line: newline, carriage return and tab are escaped too
    multiple,  // running text: newline and tab stay, every other control character is escaped
};

/// `text` with everything that could steer a terminal or forge what it shows written out visibly,
/// so that user-supplied text (titles, file names, report texts, queries) prints as itself. Escaped:
/// C0 controls (ESC as `\x1b`, newline as `\n`, tab as `\t`, carriage return as `\r`), DEL
/// (`\x7f`), C1 controls U+0080–U+009F (`\u009b`), the bidi embeddings, overrides and isolates
/// U+202A–U+202E and U+2066–U+2069 and the line and paragraph separators U+2028–U+2029
/// (`\u202e`), and bytes that are not UTF-8 (`\xff`). Everything else, backslashes included, is
/// kept as it is. Never fails.
std::string terminal_safe(std::string_view text, Lines lines = Lines::single);

/// `value` as JSON text (compact, or indented by `indent` spaces), with text that is not UTF-8
/// replaced by U+FFFD and the characters terminal_safe() escapes written as `\uXXXX` escapes: the
/// same JSON value, safe on a terminal. Never fails.
std::string terminal_safe_json(const nlohmann::json& value, int indent = -1);

/// Terminal columns `utf8` occupies: East Asian wide and full-width characters count 2.
int display_width(std::string_view utf8);
/// Cuts `utf8` to at most `width` columns at a character boundary, marking a cut with "…".
std::string fit_width(std::string_view utf8, int width);

/// A table printed with aligned columns (by display width); every cell is made terminal_safe().
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
