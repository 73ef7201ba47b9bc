#include "web/access_log.h"

#include <unistd.h>

#include <cerrno>
#include <ctime>

namespace wenku::web {

namespace {
constexpr std::size_t block = 32 * 1024;
}

std::string log_escape(std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(text.size());
    const auto escape = [&out](unsigned char c) {
        out += "\\x";
        out += hex[c >> 4];
        out += hex[c & 15];
    };
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
                escape(c);
            else
                out += static_cast<char>(c);
            ++i;
            continue;
        }
        // A well-formed UTF-8 sequence (no overlong form, surrogate or C1 control) is kept as it is.
        const std::size_t length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
        bool ok = length > 0 && c < 0xf5 && i + length <= text.size();
        for (std::size_t k = 1; ok && k < length; ++k)
            ok = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
        if (ok) {
            const auto c1 = static_cast<unsigned char>(text[i + 1]);
            if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 >= 0xa0) || (c == 0xf0 && c1 < 0x90) ||
                (c == 0xf4 && c1 >= 0x90) || (c == 0xc2 && c1 < 0xa0)) {
                ok = false;
            }
        }
        if (!ok) {
            escape(c);
            ++i;
            continue;
        }
        out.append(text.substr(i, length));
        i += length;
    }
    return out;
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
