#include "cli/terminal.h"

#include <unistd.h>

#include <algorithm>
#include <ctime>

#include <nlohmann/json.hpp>

#include "core/utf8.h"

namespace wenku::cli {

namespace {

/// Whether terminal_safe() writes code point `c` out as an escape.
bool needs_escape(char32_t c, Lines lines) {
    if (lines == Lines::multiple && (c == '\n' || c == '\t')) return false;
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x2028 && c <= 0x2029) ||
           (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/// Appends the visible escape of code point `c`: `\n`, `\t`, `\r`, `\x1b` below U+0080, else `\u009b`.
void append_escape(std::string& out, char32_t c) {
    if (c == '\n') {
        out += "\\n";
    } else if (c == '\t') {
        out += "\\t";
    } else if (c == '\r') {
        out += "\\r";
    } else {
        char buf[16];
        if (c < 0x80) {
            std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(c));
        } else {
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
        }
        out += buf;
    }
}

/// Decodes one code point at s[i], advancing i; a malformed sequence counts as one narrow character.
char32_t next_code_point(std::string_view s, std::size_t& i) {
    const Utf8Char c = next_utf8(s, i);
    i += c.length;
    return c.cp;
}

bool is_wide(char32_t c) {
    return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) || (c >= 0x3041 && c <= 0x33FF) ||
           (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
           (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) ||
           (c >= 0xFF00 && c <= 0xFF60) || (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
           (c >= 0x20000 && c <= 0x3FFFD);
}

}  // namespace

std::string terminal_safe(std::string_view text, Lines lines) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const Utf8Char c = next_utf8(text, i);
        if (!c.valid) {
            for (std::size_t k = 0; k < c.length; ++k) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(text[i + k]));
                out += buf;
            }
        } else if (needs_escape(c.cp, lines)) {
            append_escape(out, c.cp);
        } else {
            out.append(text.substr(i, c.length));
        }
        i += c.length;
    }
    return out;
}

std::string terminal_safe_json(const nlohmann::json& value, int indent) {
    const std::string dumped = value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
    // The encoder escapes C0 controls in strings itself (outside them, newlines only indent). What
    // is left to escape stands inside a string, where "\u009b" means the very same character.
    std::string out;
    out.reserve(dumped.size());
    for (std::size_t i = 0; i < dumped.size();) {
        const Utf8Char c = next_utf8(dumped, i);
        if (c.valid && c.cp >= 0x7f && needs_escape(c.cp, Lines::single)) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c.cp));
            out += buf;
        } else {
            out.append(dumped, i, c.length);
        }
        i += c.length;
    }
    return out;
}

int display_width(std::string_view utf8) {
    int w = 0;
    for (std::size_t i = 0; i < utf8.size();) w += is_wide(next_code_point(utf8, i)) ? 2 : 1;
    return w;
}

std::string fit_width(std::string_view utf8, int width) {
    if (display_width(utf8) <= width) return std::string(utf8);
    std::string out;
    int w = 0;
    for (std::size_t i = 0; i < utf8.size();) {
        const std::size_t start = i;
        const int cw = is_wide(next_code_point(utf8, i)) ? 2 : 1;
        if (w + cw > width - 1) break;
        out.append(utf8.substr(start, i - start));
        w += cw;
    }
    return out + "…";
}

void Table::print(std::FILE* out, const std::vector<std::size_t>& right, int max_width) const {
    auto safe = [](const std::vector<std::string>& row) {
        std::vector<std::string> cells;
        for (const auto& cell : row) cells.push_back(terminal_safe(cell));
        return cells;
    };
    const std::vector<std::string> header = safe(header_);
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : rows_) rows.push_back(safe(r));
    std::vector<int> widths(header.size(), 0);
    auto measure = [&](const std::vector<std::string>& row) {
        for (std::size_t c = 0; c < row.size() && c < widths.size(); ++c) {
            widths[c] = std::max(widths[c], std::min(max_width, display_width(row[c])));
        }
    };
    measure(header);
    for (const auto& r : rows) measure(r);
    auto emit = [&](const std::vector<std::string>& row) {
        std::string line;
        for (std::size_t c = 0; c < widths.size(); ++c) {
            const std::string cell = fit_width(c < row.size() ? row[c] : "", widths[c]);
            const std::string pad(static_cast<std::size_t>(widths[c] - display_width(cell)), ' ');
            const bool align_right = std::find(right.begin(), right.end(), c) != right.end();
            line += align_right ? pad + cell : cell + pad;
            if (c + 1 < widths.size()) line += "  ";
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        std::fprintf(out, "%s\n", line.c_str());
    };
    emit(header);
    for (const auto& r : rows) emit(r);
}

std::string human_size(long long bytes) {
    char buf[32];
    if (bytes < 1024) {
        std::snprintf(buf, sizeof buf, "%lld B", bytes);
    } else if (bytes < 1024 * 1024) {
        std::snprintf(buf, sizeof buf, "%.2f KB", static_cast<double>(bytes) / 1024);
    } else {
        std::snprintf(buf, sizeof buf, "%.2f MB", static_cast<double>(bytes) / (1024 * 1024));
    }
    return buf;
}

std::string format_time(long long unix_seconds) {
    const std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    ::localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
    return buf;
}

Progress::Progress(std::FILE* out, int total_files)
    : out_(out), tty_(::isatty(::fileno(out)) != 0), total_(total_files) {}

void Progress::add_total(int files) {
    std::lock_guard lock(mutex_);
    total_ += files;
}

std::string Progress::summary_locked() const {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const int finished = converted_ + skipped_ + failed_;
    const double rate = elapsed > 0 ? converted_ / elapsed : 0;
    char buf[256];
    std::string eta = "--:--";
    if (rate > 0 && total_ > finished) {
        const long left = static_cast<long>((total_ - finished) / rate);
        char e[32];
        std::snprintf(e, sizeof e, "%ld:%02ld", left / 60, left % 60);
        eta = e;
    }
    std::snprintf(buf, sizeof buf, "%d/%d files · %lld pages · %.1f docs/s · ETA %s · %d skipped · %d failed",
                  finished, total_, pages_, rate, eta.c_str(), skipped_, failed_);
    return buf;
}

void Progress::redraw_locked() {
    if (!tty_) return;
    const auto now = std::chrono::steady_clock::now();
    const int finished = converted_ + skipped_ + failed_;
    if (finished != total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    constexpr int bar = 24;
    const int filled = total_ > 0 ? bar * finished / total_ : bar;
    std::fprintf(out_, "\r\033[K[%s%s] %s", std::string(static_cast<std::size_t>(filled), '#').c_str(),
                 std::string(static_cast<std::size_t>(bar - filled), '.').c_str(), summary_locked().c_str());
    std::fflush(out_);
}

void Progress::converted(const std::string& name, int pages, double seconds) {
    std::lock_guard lock(mutex_);
    ++converted_;
    pages_ += pages;
    if (!tty_) {
        std::fprintf(out_, "converted %s: %d pages in %.2f s\n", terminal_safe(name).c_str(), pages, seconds);
    }
    redraw_locked();
}

void Progress::skipped(const std::string& name, const std::string& why) {
    std::lock_guard lock(mutex_);
    ++skipped_;
    if (!tty_)
        std::fprintf(out_, "skipped %s: %s\n", terminal_safe(name).c_str(), terminal_safe(why).c_str());
    redraw_locked();
}

void Progress::failed(const std::string& name, const std::string& error) {
    std::lock_guard lock(mutex_);
    ++failed_;
    if (tty_) std::fprintf(out_, "\r\033[K");
    std::fprintf(out_, "failed %s: %s\n", terminal_safe(name).c_str(), terminal_safe(error).c_str());
    redraw_locked();
}

void Progress::done() {
    std::lock_guard lock(mutex_);
    if (tty_) std::fprintf(out_, "\r\033[K");
    std::fprintf(out_, "%s\n", summary_locked().c_str());
}

}  // namespace wenku::cli
