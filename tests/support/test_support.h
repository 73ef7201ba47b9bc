#pragma once
// Shared helpers for tests: temporary folders, the shared corpus, running the wenku binary,
// programs running in the background and a small blocking HTTP/1.1 client.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/conversion.h"

namespace wenku::test {

/// A fresh folder under the system temp dir, removed when the object dies.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

/// The shared real-document corpus (env WENKU_CORPUS, else ../shared/corpus beside the checkout),
/// or none when it is absent. Tests that need it call GTEST_SKIP() with corpus_missing_message().
std::optional<std::filesystem::path> corpus_dir();
std::string corpus_missing_message();

/// Files of one corpus folder ("pdf", "bad", ...), sorted.
std::vector<std::filesystem::path> corpus_files(const std::string& folder);

/// One row of REFERENCE_STATS.tsv.
struct ReferenceStats {
    int pages = 0;
    long text_chars = 0;
    long cjk_chars = 0;
};
std::optional<ReferenceStats> reference_stats(const std::filesystem::path& corpus_file);

struct CommandResult {
    int exit_code = -1;  // or 128+signal
    std::string out;     // stdout
    std::string err;     // stderr
};
/// Runs argv (no shell), capturing stdout and stderr.
CommandResult run_command(const std::vector<std::string>& argv);
/// Runs the built wenku binary with `--data data_dir` and `args`.
CommandResult run_wenku(const std::filesystem::path& data_dir, const std::vector<std::string>& args);

/// Every page's text of document `id` as `wenku text` prints it (pages end with a form feed).
std::vector<std::string> page_texts(const std::filesystem::path& data_dir, std::int64_t id);
/// Every document of the library at `data_dir` by its original file name (`wenku ls --json`).
std::map<std::string, nlohmann::json> documents_by_name(const std::filesystem::path& data_dir);

/// A program running beside the test (a server), its stdout and stderr written to files. The
/// destructor kills it (SIGKILL) and reaps it if it is still running.
class BackgroundProcess {
  public:
    /// Starts argv (no shell); throws std::runtime_error when it cannot be started.
    BackgroundProcess(const std::vector<std::string>& argv, const std::filesystem::path& stdout_file,
                      const std::filesystem::path& stderr_file);
    ~BackgroundProcess();
    BackgroundProcess(const BackgroundProcess&) = delete;
    BackgroundProcess& operator=(const BackgroundProcess&) = delete;

    pid_t pid() const { return pid_; }
    void send_signal(int signal_number);
    /// The exit code (128+signal when killed) once the program has ended; none when it is still
    /// running after `timeout`.
    std::optional<int> wait(std::chrono::milliseconds timeout);

  private:
    pid_t pid_ = -1;
    std::optional<int> exit_code_;
};

/// One HTTP response as received: header names in lower case, the body decoded from its
/// Content-Length or chunked framing.
struct HttpResponse {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    /// The first header of that (lower-case) name, or "".
    std::string header(std::string_view lower_case_name) const;
    bool has_header(std::string_view lower_case_name) const;
};

/// A blocking HTTP/1.1 connection to 127.0.0.1:port for tests: raw bytes out, whole responses in.
/// Every read and every send gives up after `timeout` with std::runtime_error, so a server that
/// does not answer (or stops reading) fails the test instead of hanging it.
class HttpConnection {
  public:
    /// `from`: the local address to connect from ("127.0.0.2": loopback aliases are distinct
    /// clients to the server); empty = the system's choice.
    explicit HttpConnection(unsigned short port, std::chrono::milliseconds timeout = std::chrono::seconds(20),
                            const std::string& from = "");
    ~HttpConnection();
    HttpConnection(const HttpConnection&) = delete;
    HttpConnection& operator=(const HttpConnection&) = delete;

    /// Sends bytes as they are (a request, part of one, or several).
    void send(std::string_view bytes);
    /// Reads the next response: final ones only unless `interim` (then a 100 Continue too).
    /// `head_request`: the response carries no body whatever its Content-Length says.
    HttpResponse read_response(bool head_request = false, bool interim = false);
    /// Sends one request (Host and, with a body or for POST, Content-Length added) and reads its response.
    HttpResponse request(std::string_view method, std::string_view target, std::string_view body = {},
                         const std::vector<std::pair<std::string, std::string>>& headers = {});
    /// Whether the server closes the connection within `timeout` (any bytes it sends are dropped).
    bool closed_by_server(std::chrono::milliseconds timeout);

  private:
    /// Appends what arrives to buffer_; false when the server has closed the connection.
    bool receive_more();

    int fd_ = -1;
    std::chrono::milliseconds timeout_;
    std::string buffer_;  // received, not yet consumed
};

/// One request on a fresh connection.
HttpResponse http_request(unsigned short port, std::string_view method, std::string_view target,
                          std::string_view body = {},
                          const std::vector<std::pair<std::string, std::string>>& headers = {});

/// Percent-encodes everything but unreserved characters (RFC 3986), for query parameters.
std::string url_encode(std::string_view text);

std::string read_file(const std::filesystem::path& p);
void write_file(const std::filesystem::path& p, std::string_view bytes);

/// Every page's text of a conversion, one page after the other.
std::string all_page_text(const ConvertResult& result);

/// Whether poppler's pdftotext can run here (the reference reader of the corpus tests).
bool have_pdftotext();

/// Counts of Unicode code points: non-whitespace, and CJK unified ideographs.
long count_non_space(std::string_view utf8);

/// How often each visible character occurs: whitespace and the invisible bidi and zero-width
/// format characters (which poppler inserts around right-to-left runs) are not counted.
std::map<char32_t, long> visible_char_histogram(std::string_view utf8);
long count_cjk(std::string_view utf8);

}  // namespace wenku::test
