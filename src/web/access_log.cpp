#include "web/access_log.h"

#include <unistd.h>

#include <cerrno>
#include <ctime>

namespace wenku::web {

namespace {
constexpr std::size_t block = 32 * 1024;
}

AccessLog::~AccessLog() { flush(); }

AccessLog::Buffer& AccessLog::buffer() {
    // One buffer per thread and log; the log keeps them all for flush().
    thread_local const AccessLog* owner = nullptr;
    thread_local std::shared_ptr<Buffer> mine;
    if (owner != this || !mine) {
        mine = std::make_shared<Buffer>();
        mine->text.reserve(block + 1024);
        std::lock_guard lock(buffers_mutex_);
        buffers_.push_back(mine);
        owner = this;
    }
    return *mine;
}

void AccessLog::write(std::string_view line) {
    Buffer& b = buffer();
    std::lock_guard lock(b.mutex);
    const std::time_t now = std::time(nullptr);
    if (now != b.stamped_second) {
        std::tm tm{};
        localtime_r(&now, &tm);
        std::strftime(b.stamp, sizeof b.stamp, "%Y-%m-%d %H:%M:%S ", &tm);
        b.stamped_second = now;
    }
    b.text += b.stamp;
    b.text += line;
    b.text += '\n';
    if (b.text.size() >= block) write_out(b);
}

void AccessLog::write_out(Buffer& b) {
    std::size_t done = 0;
    while (done < b.text.size()) {
        const ssize_t n = ::write(fd_, b.text.data() + done, b.text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // the log cannot be written: drop it rather than stop serving
        done += static_cast<std::size_t>(n);
    }
    b.text.clear();
}

void AccessLog::flush() {
    std::vector<std::shared_ptr<Buffer>> all;
    {
        std::lock_guard lock(buffers_mutex_);
        all = buffers_;
    }
    for (auto& b : all) {
        std::lock_guard lock(b->mutex);
        if (!b->text.empty()) write_out(*b);
    }
}

}  // namespace wenku::web
