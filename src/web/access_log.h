#pragma once
// The access log: one line a request, written to a file descriptor (stdout) in blocks. Each thread
// appends to its own buffer (no contention between the server's threads); a buffer is written when
// it fills and by flush(), which the server calls every second and when it stops.
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace wenku::web {

/// `text` made safe for a log line: '"', '\\', control bytes (C0, DEL) and bytes that are not
/// UTF-8 as \xHH, so a request line cannot end a quoted field or forge a line.
std::string log_escape(std::string_view text);

class AccessLog {
  public:
    explicit AccessLog(int fd) : fd_(fd) {}
    ~AccessLog();
    /// Appends "YYYY-MM-DD HH:MM:SS " + `line` + "\n".
    void write(std::string_view line);
    /// Writes every thread's buffer out.
    void flush();

  private:
    struct Buffer {
        std::mutex mutex;
        std::string text;
        long long stamped_second = -1;
        char stamp[24] = {};
    };
    Buffer& buffer();
    void write_out(Buffer& b);  // b.mutex held

    int fd_;
    std::mutex buffers_mutex_;
    std::vector<std::shared_ptr<Buffer>> buffers_;
};

}  // namespace wenku::web
