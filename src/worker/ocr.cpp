#include "worker/ocr.h"

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include <tesseract/capi.h>

#include "worker/mupdf_text.h"

namespace wenku::worker {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Where Debian and common builds keep traineddata, tried in order when neither the settings nor
// $TESSDATA_PREFIX name a folder.
constexpr const char* tessdata_candidates[] = {"/usr/share/tesseract-ocr/5/tessdata",
                                               "/usr/share/tesseract-ocr/4.00/tessdata",
                                               "/usr/share/tessdata", "/usr/local/share/tessdata"};

// A language list longer than this is refused (each pack costs memory and start time).
constexpr std::size_t max_languages = 8;
constexpr std::size_t max_language_name = 64;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// Splits "chi_sim+eng" into its packs; empty when the list is malformed. A pack name holds
// letters, digits, '_' and '-', optionally below one "dir/" (tessdata's script/HanS).
std::vector<std::string> split_languages(std::string_view list) {
    std::vector<std::string> languages;
    std::size_t start = 0;
    while (start <= list.size()) {
        std::size_t end = list.find('+', start);
        if (end == std::string_view::npos) end = list.size();
        const std::string_view name = list.substr(start, end - start);
        if (name.empty() || name.size() > max_language_name || name.front() == '/' || name.back() == '/' ||
            std::count(name.begin(), name.end(), '/') > 1) {
            return {};
        }
        for (const char c : name) {
            const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                            c == '_' || c == '-' || c == '/';
            if (!ok) return {};
        }
        languages.emplace_back(name);
        if (languages.size() > max_languages) return {};
        start = end + 1;
    }
    return languages;
}

bool has_traineddata(const fs::path& dir, const std::vector<std::string>& languages) {
    std::error_code ec;
    for (const auto& language : languages) {
        if (!fs::is_regular_file(dir / (language + ".traineddata"), ec)) return false;
    }
    return true;
}

// The tessdata folder to use: the configured one, else $TESSDATA_PREFIX, else the first
// well-known folder that has every pack. Empty when none has them.
std::string find_tessdata(const OcrSettings& settings, const std::vector<std::string>& languages) {
    std::vector<std::string> candidates;
    if (!settings.tessdata_dir.empty()) {
        candidates.push_back(settings.tessdata_dir);
    } else {
        if (const char* env = std::getenv("TESSDATA_PREFIX"); env && *env) candidates.emplace_back(env);
        candidates.insert(candidates.end(), std::begin(tessdata_candidates), std::end(tessdata_candidates));
    }
    for (const auto& dir : candidates) {
        if (has_traineddata(dir, languages)) return dir;
    }
    return {};
}

// Tesseract's parallel loops (OpenMP, up to 4 threads each) cost far more than they save when the
// worker shares its cores: one page took 7.5 s instead of 1.5 s on 2 cores. OMP_THREAD_LIMIT is
// read once when libgomp loads, before the worker runs, so the calling thread's teams are limited
// through the OpenMP API instead: no active parallel level means every parallel region runs on
// the calling thread alone. Looked up at run time: wenku does not link libgomp itself, and a
// tesseract built without OpenMP does not load it.
void run_openmp_single_threaded() {
    using SetInt = void (*)(int);
    static const auto set_max_active_levels =
        reinterpret_cast<SetInt>(::dlsym(RTLD_DEFAULT, "omp_set_max_active_levels"));
    static const auto set_num_threads =
        reinterpret_cast<SetInt>(::dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
    if (set_max_active_levels) set_max_active_levels(0);
    if (set_num_threads) set_num_threads(1);
}

struct MonitorDeleter {
    void operator()(ETEXT_DESC* monitor) const { TessMonitorDelete(monitor); }
};

struct TextDeleter {
    void operator()(char* text) const { TessDeleteText(text); }
};

struct ResultIteratorDeleter {
    void operator()(TessResultIterator* it) const { TessResultIteratorDelete(it); }
};

// The recognised text of the lines whose confidence reaches ocr_min_line_confidence, as tesseract
// writes it (lines end in '\n', a blank line between paragraphs); counts the others in `unsure`.
std::string confident_lines(TessBaseAPI* api, int& unsure) {
    std::string text;
    std::unique_ptr<TessResultIterator, ResultIteratorDeleter> it(TessBaseAPIGetIterator(api));
    if (!it) return text;
    const TessPageIterator* page = TessResultIteratorGetPageIteratorConst(it.get());
    do {
        std::unique_ptr<char, TextDeleter> line(
            TessResultIteratorGetUTF8Text(it.get(), tesseract::RIL_TEXTLINE));
        if (!line) continue;
        if (TessResultIteratorConfidence(it.get(), tesseract::RIL_TEXTLINE) < ocr_min_line_confidence) {
            ++unsure;
            continue;
        }
        if (TessPageIteratorIsAtBeginningOf(page, tesseract::RIL_PARA) && !text.empty()) text += '\n';
        text += line.get();
        if (!text.ends_with('\n')) text += '\n';
    } while (TessResultIteratorNext(it.get(), tesseract::RIL_TEXTLINE));
    return text;
}

// The process's tesseract engine and what it was started with.
class Engine {
  public:
    Engine() = default;
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;
    ~Engine() { stop(); }

    OcrPageResult recognize(const GrayImage& image, const OcrSettings& settings) {
        OcrPageResult result;
        if (!image.pixels || image.width <= 0 || image.height <= 0 || image.stride < image.width ||
            image.stride > INT_MAX) {
            result.error = "the page image is empty";
            return result;
        }
        const std::vector<std::string> languages = split_languages(settings.languages);
        if (languages.empty()) {
            result.error =
                "the OCR language list '" + settings.languages + "' is not valid (expected e.g. chi_sim+eng)";
            return result;
        }
        const std::string tessdata = find_tessdata(settings, languages);
        if (tessdata.empty()) {
            result.error = "tesseract has no traineddata for '" + settings.languages + "'" +
                           (settings.tessdata_dir.empty() ? std::string() : " in " + settings.tessdata_dir) +
                           "; install the tesseract-ocr-* language packages";
            return result;
        }
        if (!start(tessdata, settings.languages, result.error)) return result;

        const auto started = Clock::now();
        const double limit = std::clamp(settings.page_seconds, 0.001, 24.0 * 3600);
        try {
            run_openmp_single_threaded();
            TessBaseAPISetImage(api_, image.pixels, image.width, image.height, 1,
                                static_cast<int>(image.stride));
            TessBaseAPISetSourceResolution(api_, std::clamp(image.dpi, 30, 2400));
            std::unique_ptr<ETEXT_DESC, MonitorDeleter> monitor(TessMonitorCreate());
            TessMonitorSetDeadlineMSecs(monitor.get(), static_cast<int>(limit * 1000));
            const int rc = TessBaseAPIRecognize(api_, monitor.get());
            result.seconds = seconds_since(started);
            if (rc != 0) {
                result.timed_out = result.seconds >= limit;
                result.error = result.timed_out ? "recognition took longer than " + format_seconds(limit) +
                                                      " and was stopped"
                                                : "tesseract could not recognise the page";
                TessBaseAPIClear(api_);
                return result;
            }
            result.mean_confidence = TessBaseAPIMeanTextConf(api_);
            result.text = clean_ocr_text(confident_lines(api_, result.unsure_lines));
            TessBaseAPIClear(api_);
            result.ok = true;
        } catch (const std::exception& e) {
            // Out of memory inside tesseract: its state is unknown, so the next page starts afresh.
            result = OcrPageResult{};
            result.seconds = seconds_since(started);
            result.error = std::string("tesseract failed: ") + e.what();
            stop();
        }
        return result;
    }

    double start_seconds() const { return start_seconds_; }

  private:
    static std::string format_seconds(double s) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%g s", s);
        return buffer;
    }

    // Starts tesseract for `languages` from `tessdata` unless it already runs with them. A start
    // that failed is remembered: the same request fails at once instead of loading again.
    bool start(const std::string& tessdata, const std::string& languages, std::string& error) {
        if (tessdata == tessdata_ && languages == languages_) {
            if (api_) return true;
            if (!failure_.empty()) {
                error = failure_;
                return false;
            }
        }
        stop();
        tessdata_ = tessdata;
        languages_ = languages;
        failure_.clear();
        const auto started = Clock::now();
        try {
            api_ = TessBaseAPICreate();
            // LSTM only: the legacy engine is slower, worse on Chinese, and its data is not needed.
            if (TessBaseAPIInit2(api_, tessdata.c_str(), languages.c_str(), tesseract::OEM_LSTM_ONLY) != 0) {
                failure_ = "tesseract cannot load '" + languages + "' from " + tessdata;
            } else {
                // Its progress chatter ("Estimating resolution", "Empty page!!") is not for the log.
                TessBaseAPISetVariable(api_, "debug_file", "/dev/null");
                std::error_code ec;
                const bool osd = fs::is_regular_file(fs::path(tessdata) / "osd.traineddata", ec);
                TessBaseAPISetPageSegMode(api_, osd ? tesseract::PSM_AUTO_OSD : tesseract::PSM_AUTO);
            }
        } catch (const std::exception& e) {
            failure_ = std::string("tesseract could not start: ") + e.what();
        }
        if (!failure_.empty()) {
            error = failure_;
            stop();
            return false;
        }
        start_seconds_ = seconds_since(started);
        return true;
    }

    void stop() {
        if (api_) {
            TessBaseAPIEnd(api_);
            TessBaseAPIDelete(api_);
        }
        api_ = nullptr;
    }

    TessBaseAPI* api_ = nullptr;
    std::string tessdata_;
    std::string languages_;
    std::string failure_;
    double start_seconds_ = -1;
};

std::mutex engine_mutex;

// Never destroyed: tesseract's own static data may be gone by the time static destructors run.
Engine& engine() {
    static Engine* instance = new Engine();
    return *instance;
}

bool is_blank_line(std::string_view line) {
    return line.find_first_not_of(" \t\r\f\v") == std::string_view::npos;
}

}  // namespace

OcrPageResult recognize_page_text(const GrayImage& image, const OcrSettings& settings) {
    std::lock_guard lock(engine_mutex);
    try {
        return engine().recognize(image, settings);
    } catch (const std::exception& e) {  // std::bad_alloc building the error message or text
        OcrPageResult result;
        result.error = std::string("text recognition failed: ") + e.what();
        return result;
    }
}

double ocr_engine_start_seconds() {
    std::lock_guard lock(engine_mutex);
    return engine().start_seconds();
}

std::string clean_ocr_text(std::string_view raw) {
    std::string text;
    std::vector<std::string> lines;
    const auto flush = [&] {
        if (lines.empty()) return;
        const std::string paragraph = join_paragraph_lines(lines);
        lines.clear();
        if (paragraph.empty()) return;
        if (!text.empty()) text += '\n';
        text += paragraph;
    };
    std::size_t pos = 0;
    while (pos <= raw.size()) {
        std::size_t end = raw.find('\n', pos);
        if (end == std::string_view::npos) end = raw.size();
        const std::string_view line = raw.substr(pos, end - pos);
        pos = end + 1;
        if (is_blank_line(line)) {
            flush();
            continue;
        }
        // Every whitespace run becomes one space, so that the join and tidy rules, which remove a
        // lone space between two CJK characters, apply to all of tesseract's word gaps.
        std::string collapsed;
        collapsed.reserve(line.size());
        bool space = false;
        for (const char c : line) {
            if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
                space = true;
                continue;
            }
            if (space && !collapsed.empty()) collapsed += ' ';
            space = false;
            collapsed += c;
        }
        lines.push_back(std::move(collapsed));
    }
    flush();
    return text;
}

}  // namespace wenku::worker
