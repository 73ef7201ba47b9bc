#pragma once
// Shared helpers for tests: temporary folders, the shared corpus, running the wenku binary.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
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
/// Every document of the library at `data_dir` by its original file name (`wenku ls --json`).
std::map<std::string, nlohmann::json> documents_by_name(const std::filesystem::path& data_dir);

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
