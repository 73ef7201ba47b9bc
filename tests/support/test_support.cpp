#include "support/test_support.h"

#include "core/utf8.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace wenku::test {
namespace fs = std::filesystem;

TempDir::TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("wenku-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
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
    const std::string rel = "files/" + corpus_file.parent_path().filename().string() + "/" +
                            corpus_file.filename().string();
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
    if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
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
        if (c < 0x80) { cp = c; len = 1; }
        else if ((c >> 5) == 6) { cp = c & 0x1F; len = 2; }
        else if ((c >> 4) == 14) { cp = c & 0x0F; len = 3; }
        else { cp = c & 0x07; len = 4; }
        for (size_t k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
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
        return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2FFFF) ||
               (c >= 0xF900 && c <= 0xFAFF);
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
        const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == 0x3000 || c == 0xA0;
        const bool format = (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
                            (c >= 0x2060 && c <= 0x2069) || c == 0xFEFF;
        if (!space && !format) ++counts[c];
    }
    return counts;
}

}  // namespace wenku::test
