#include "support/test_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "core/utf8.h"

extern char** environ;

namespace wenku::test {
namespace fs = std::filesystem;

TempDir::TempDir() {
    std::random_device rd;
    path_ =
        fs::temp_directory_path() / ("wenku-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(path_);
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

std::optional<fs::path> corpus_dir() {
    fs::path dir;
    if (const char* env = std::getenv("WENKU_CORPUS"); env && *env) {
        dir = env;
    } else {
        dir = fs::path(WENKU_SOURCE_DIR) / ".." / "shared" / "corpus";
    }
    if (fs::exists(dir / "REFERENCE_STATS.tsv")) return fs::canonical(dir);
    return std::nullopt;
}

std::string corpus_missing_message() {
    return "SKIPPED LOUDLY: the shared document corpus is absent (set WENKU_CORPUS or place it at "
           "../shared/corpus beside the checkout); this test needs real documents";
}

std::vector<fs::path> corpus_files(const std::string& folder) {
    std::vector<fs::path> files;
    auto dir = corpus_dir();
    if (!dir) return files;
    for (const auto& e : fs::directory_iterator(*dir / "files" / folder)) {
        if (e.is_regular_file()) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::optional<ReferenceStats> reference_stats(const fs::path& corpus_file) {
    auto dir = corpus_dir();
    if (!dir) return std::nullopt;
    std::ifstream in(*dir / "REFERENCE_STATS.tsv");
    std::string line;
    const std::string rel =
        "files/" + corpus_file.parent_path().filename().string() + "/" + corpus_file.filename().string();
    while (std::getline(in, line)) {
        std::istringstream row(line);
        std::string path, pages, chars, cjk;
        std::getline(row, path, '\t');
        std::getline(row, pages, '\t');
        std::getline(row, chars, '\t');
        std::getline(row, cjk, '\t');
        if (path != rel) continue;
        auto number = [](const std::string& field) { return field.empty() ? 0L : std::stol(field); };
        return ReferenceStats{static_cast<int>(number(pages)), number(chars), number(cjk)};
    }
    return std::nullopt;
}

CommandResult run_command(const std::vector<std::string>& argv) {
    int out_pipe[2], err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid;
    int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
    CommandResult result;
    // Read both pipes without deadlocking on a full one.
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    int open_count = 2;
    char buf[65536];
    while (open_count > 0) {
        if (::poll(fds, 2, -1) < 0) break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
            ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open_count;
            } else {
                (i == 0 ? result.out : result.err).append(buf, static_cast<size_t>(n));
            }
        }
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

CommandResult run_wenku(const fs::path& data_dir, const std::vector<std::string>& args) {
    std::vector<std::string> argv{WENKU_BINARY, "--data", data_dir.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv);
}

std::vector<std::string> page_texts(const std::filesystem::path& data_dir, std::int64_t id) {
    const auto r = run_wenku(data_dir, {"text", std::to_string(id)});
    std::vector<std::string> pages;
    std::size_t at = 0;
    for (std::size_t ff; (ff = r.out.find('\f', at)) != std::string::npos; at = ff + 1) {
        pages.push_back(r.out.substr(at, ff - at));
    }
    return pages;
}

std::map<std::string, nlohmann::json> documents_by_name(const fs::path& data_dir) {
    const auto r = run_wenku(data_dir, {"ls", "--json"});
    if (r.exit_code != 0) throw std::runtime_error("wenku ls failed: " + r.err);
    std::map<std::string, nlohmann::json> docs;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
        auto doc = nlohmann::json::parse(line);
        docs[doc["original_name"].get<std::string>()] = doc;
    }
    return docs;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv, const fs::path& stdout_file,
                                     const fs::path& stderr_file) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const int rc = posix_spawnp(&pid_, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
}

BackgroundProcess::~BackgroundProcess() {
    if (exit_code_) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
}

void BackgroundProcess::send_signal(int signal_number) {
    if (!exit_code_) ::kill(pid_, signal_number);
}

std::optional<int> BackgroundProcess::wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!exit_code_) {
        int status = 0;
        const pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        } else if (r < 0 && errno != EINTR) {
            throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
        } else if (std::chrono::steady_clock::now() >= deadline) {
            break;
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    return exit_code_;
}

namespace {
std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}
}  // namespace

std::string HttpResponse::header(std::string_view lower_case_name) const {
    for (const auto& [name, value] : headers) {
        if (name == lower_case_name) return value;
    }
    return "";
}

bool HttpResponse::has_header(std::string_view lower_case_name) const {
    return std::any_of(headers.begin(), headers.end(),
                       [&](const auto& h) { return h.first == lower_case_name; });
}

HttpConnection::HttpConnection(unsigned short port, std::chrono::milliseconds timeout,
                               const std::string& from)
    : timeout_(timeout) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    if (!from.empty()) {
        sockaddr_in local{};
        local.sin_family = AF_INET;
        if (::inet_pton(AF_INET, from.c_str(), &local.sin_addr) != 1 ||
            ::bind(fd_, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) {
            const int e = errno;
            ::close(fd_);
            throw std::runtime_error("cannot connect from " + from + ": " + std::strerror(e));
        }
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        const int e = errno;
        ::close(fd_);
        throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port) + ": " +
                                 std::strerror(e));
    }
    // A send the server does not take within the timeout fails too, like a read.
    timeval send_limit{};
    send_limit.tv_sec = static_cast<time_t>(timeout_.count() / 1000);
    send_limit.tv_usec = static_cast<suseconds_t>(timeout_.count() % 1000 * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &send_limit, sizeof send_limit);
}

HttpConnection::~HttpConnection() { ::close(fd_); }

void HttpConnection::send(std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error(std::string("send: ") + std::strerror(errno));
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

bool HttpConnection::receive_more() {
    pollfd pfd{fd_, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(timeout_.count()));
    if (ready == 0)
        throw std::runtime_error("no answer from the server within " + std::to_string(timeout_.count()) +
                                 " ms");
    if (ready < 0) throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    char chunk[65536];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0) throw std::runtime_error(std::string("recv: ") + std::strerror(errno));
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return n > 0;
}

HttpResponse HttpConnection::read_response(bool head_request, bool interim) {
    while (true) {
        std::size_t end;
        while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
            if (!receive_more())
                throw std::runtime_error("the server closed the connection before a response header");
        }
        HttpResponse res;
        std::istringstream lines(buffer_.substr(0, end));
        buffer_.erase(0, end + 4);
        std::string line;
        std::getline(lines, line);
        if (!line.starts_with("HTTP/1.") || line.size() < 12)
            throw std::runtime_error("not an HTTP status line: " + line);
        res.status = std::stoi(line.substr(9, 3));
        while (std::getline(lines, line)) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            const auto colon = line.find(':');
            if (colon == std::string::npos) throw std::runtime_error("malformed header line: " + line);
            const auto value_start = line.find_first_not_of(" \t", colon + 1);
            res.headers.emplace_back(lower(line.substr(0, colon)),
                                     value_start == std::string::npos ? "" : line.substr(value_start));
        }
        if (res.status >= 100 && res.status < 200) {  // 100 Continue and the like: no body
            if (interim) return res;
            continue;
        }
        auto take = [&](std::size_t n) {
            while (buffer_.size() < n) {
                if (!receive_more())
                    throw std::runtime_error("the server closed the connection inside a body");
            }
            std::string out = buffer_.substr(0, n);
            buffer_.erase(0, n);
            return out;
        };
        auto take_line = [&] {
            std::size_t eol;
            while ((eol = buffer_.find("\r\n")) == std::string::npos) {
                if (!receive_more())
                    throw std::runtime_error("the server closed the connection inside a chunked body");
            }
            std::string out = buffer_.substr(0, eol);
            buffer_.erase(0, eol + 2);
            return out;
        };
        if (head_request || res.status == 204 || res.status == 304) return res;
        if (lower(res.header("transfer-encoding")).find("chunked") != std::string::npos) {
            while (true) {
                const std::size_t size = std::stoul(take_line(), nullptr, 16);
                if (size == 0) break;
                res.body += take(size);
                take(2);
            }
            while (!take_line().empty()) {
            }  // trailers
        } else if (res.has_header("content-length")) {
            res.body = take(std::stoul(res.header("content-length")));
        } else {
            while (receive_more()) {
            }
            res.body = std::move(buffer_);
            buffer_.clear();
        }
        return res;
    }
}

HttpResponse HttpConnection::request(std::string_view method, std::string_view target, std::string_view body,
                                     const std::vector<std::pair<std::string, std::string>>& headers) {
    std::string raw = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (const auto& [name, value] : headers) raw += name + ": " + value + "\r\n";
    if (!body.empty() || method == "POST") raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    raw += "\r\n";
    raw += body;
    send(raw);
    return read_response(method == "HEAD");
}

bool HttpConnection::closed_by_server(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char chunk[65536];
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd pfd{fd_, POLLIN, 0};
        const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno != EINTR)
            throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
        if (ready <= 0) continue;
        const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n <= 0) return true;  // an orderly close, or a reset
    }
}

HttpResponse http_request(unsigned short port, std::string_view method, std::string_view target,
                          std::string_view body,
                          const std::vector<std::pair<std::string, std::string>>& headers) {
    HttpConnection connection(port);
    return connection.request(method, target, body, headers);
}

std::string url_encode(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += ch;
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_file(const fs::path& p, std::string_view bytes) {
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

namespace {
template <typename F>
long count_code_points(std::string_view s, F pred) {
    long n = 0;
    for (size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        char32_t cp;
        size_t len;
        if (c < 0x80) {
            cp = c;
            len = 1;
        } else if ((c >> 5) == 6) {
            cp = c & 0x1F;
            len = 2;
        } else if ((c >> 4) == 14) {
            cp = c & 0x0F;
            len = 3;
        } else {
            cp = c & 0x07;
            len = 4;
        }
        for (size_t k = 1; k < len && i + k < s.size(); ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
        if (pred(cp)) ++n;
        i += len;
    }
    return n;
}
}  // namespace

long count_non_space(std::string_view utf8) {
    return count_code_points(utf8, [](char32_t c) {
        return !(c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == 0x3000 || c == 0xA0);
    });
}

long count_cjk(std::string_view utf8) {
    return count_code_points(utf8, [](char32_t c) {
        return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
               (c >= 0x20000 && c <= 0x2FFFF) || (c >= 0xF900 && c <= 0xFAFF);
    });
}

std::string all_page_text(const ConvertResult& result) {
    std::string text;
    for (const auto& page : result.pages) text += page.text + "\n";
    return text;
}

bool have_pdftotext() {
    try {
        return run_command({"pdftotext", "-v"}).exit_code == 0;
    } catch (const std::exception&) {
        return false;
    }
}

std::map<char32_t, long> visible_char_histogram(std::string_view utf8) {
    std::map<char32_t, long> counts;
    for (char32_t c : decode_utf8(utf8)) {
        const bool space =
            c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == 0x3000 || c == 0xA0;
        const bool format = (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
                            (c >= 0x2060 && c <= 0x2069) || c == 0xFEFF;
        if (!space && !format) ++counts[c];
    }
    return counts;
}

}  // namespace wenku::test
