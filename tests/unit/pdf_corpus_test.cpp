// render_pdf() over the shared corpus of real PDFs: every good file converts with the reference
// page count and keeps the text poppler finds; every broken, encrypted or fuzzed PDF ends in a
// specific InputError (or converts what can be recovered). Prints a table of the figures.
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <webp/decode.h>

#include "core/errors.h"
#include "support/test_support.h"
#include "worker/renderer.h"

namespace wenku::worker {
namespace {

namespace fs = std::filesystem;

// Share of poppler's non-whitespace characters our text must contain (as a multiset).
constexpr double min_text_ratio = 0.95;

long total(const std::map<char32_t, long>& h) {
    long n = 0;
    for (const auto& [c, count] : h) n += count;
    return n;
}

// Sum over poppler's characters of min(ours, theirs).
long shared_characters(const std::map<char32_t, long>& ours, const std::map<char32_t, long>& theirs) {
    long shared = 0;
    for (const auto& [c, count] : theirs) {
        const auto found = ours.find(c);
        if (found != ours.end()) shared += std::min(found->second, count);
    }
    return shared;
}

// Poppler reads GBK-encoded fonts without a ToUnicode map as Latin-1 (the corpus's mojibake
// traps): no CJK at all and mostly U+0080-U+00FF, where our text has the Chinese.
bool poppler_is_mojibake(const std::map<char32_t, long>& theirs, long our_cjk) {
    long latin1 = 0;
    for (const auto& [c, count] : theirs) {
        if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF)) return false;
        if (c >= 0x80 && c <= 0xFF) latin1 += count;
    }
    return our_cjk > 0 && latin1 * 2 >= total(theirs);
}

bool starts_like_pdf(const fs::path& file) {
    // Readers accept the header anywhere in the first 1024 bytes.
    const std::string head = test::read_file(file).substr(0, 1024);
    return head.find("%PDF") != std::string::npos;
}

bool is_webp(const fs::path& file, int expected_width) {
    const std::string bytes = test::read_file(file);
    int w = 0, h = 0;
    return WebPGetInfo(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), &w, &h) &&
           w == expected_width && h > 0;
}

TEST(PdfCorpusTest, GoodPdfsMatchReferencePagesAndKeepPopplersText) {
    if (!test::corpus_dir()) GTEST_SKIP() << test::corpus_missing_message();
    if (!test::have_pdftotext())
        GTEST_SKIP() << "pdftotext (poppler-utils) is needed for the text comparison";
    const auto files = test::corpus_files("pdf");
    ASSERT_FALSE(files.empty());

    std::printf("\n%-40s %5s %5s %7s %7s %6s %9s %7s\n", "file", "pages", "ref", "ours", "poppler", "ratio",
                "cjk/ref", "ms");
    std::set<std::string> converted;
    for (const auto& file : files) {
        SCOPED_TRACE(file.filename().string());
        const auto reference = test::reference_stats(file);
        ASSERT_TRUE(reference) << "no REFERENCE_STATS row";
        test::TempDir out;
        ConvertRequest request;
        request.input_path = file.string();
        request.output_dir = out.path().string();
        request.original_name = file.filename().string();
        ConvertResult result;
        RenderWarnings warnings;
        const auto start = std::chrono::steady_clock::now();
        try {
            render_pdf(request, RenderLimits{}, result, warnings);
        } catch (const std::exception& e) {
            ADD_FAILURE() << "did not convert: " << e.what();
            continue;
        }
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        converted.insert(file.filename().string());

        EXPECT_EQ(static_cast<int>(result.pages.size()), reference->pages);
        EXPECT_EQ(result.format, "pdf");
        for (const auto& page : result.pages) {
            EXPECT_TRUE(is_webp(out.path() / page.preview, page.width_px)) << page.preview;
        }
        EXPECT_TRUE(is_webp(out.path() / "cover.webp", request.thumb_width));

        const std::string ours = test::all_page_text(result);
        const auto poppler = test::run_command({"pdftotext", file.string(), "-"});
        EXPECT_EQ(poppler.exit_code, 0) << poppler.err;
        const auto our_counts = wenku::test::visible_char_histogram(ours);
        const auto their_counts = wenku::test::visible_char_histogram(poppler.out);
        const long their_total = total(their_counts);
        const long our_cjk = test::count_cjk(ours);
        std::string ratio_text = "-";
        if (their_total > 0 && poppler_is_mojibake(their_counts, our_cjk)) {
            ratio_text = "mojibk";  // poppler's text is Latin-1 garbage; nothing to compare with
        } else if (their_total > 0) {
            const double ratio =
                static_cast<double>(shared_characters(our_counts, their_counts)) / their_total;
            char buffer[16];
            std::snprintf(buffer, sizeof buffer, "%.3f", ratio);
            ratio_text = buffer;
            EXPECT_GE(ratio, min_text_ratio) << "our text:\n" << ours << "\npoppler:\n" << poppler.out;
        }
        EXPECT_GE(our_cjk, reference->cjk_chars) << ours;

        std::printf("%-40s %5zu %5d %7ld %7ld %6s %4ld/%-4ld %7.0f\n", file.filename().string().c_str(),
                    result.pages.size(), reference->pages, total(our_counts), their_total, ratio_text.c_str(),
                    our_cjk, reference->cjk_chars, ms);
    }
    // Encrypted with an empty user password: they open without asking.
    EXPECT_TRUE(converted.count("pdfjs__issue7665.pdf"));
    EXPECT_TRUE(converted.count("pdfjs__bug900822.pdf"));
    EXPECT_TRUE(converted.count("paperless-ngx__signed.pdf"));
}

TEST(PdfCorpusTest, BadPdfsEndInSpecificErrorsOrConvertWhatIsLeft) {
    if (!test::corpus_dir()) GTEST_SKIP() << test::corpus_missing_message();
    // Need a password (README): must be refused as encrypted, never half-rendered.
    const std::set<std::string> encrypted = {"pdfjs__issue6010_1.pdf", "pdfjs__issue3371.pdf",
                                             "pdfjs__issue21579.pdf", "pdfjs__saslprep-r6.pdf",
                                             "paperless-ngx__password-is-test.pdf"};
    const std::set<std::string> specific_codes = {error_code::encrypted, error_code::corrupt,
                                                  error_code::empty, error_code::too_large};
    std::printf("\n%-45s %-10s %s\n", "file", "outcome", "message");
    int checked = 0;
    for (const auto& file : test::corpus_files("bad")) {
        if (file.extension() != ".pdf") continue;
        const std::string name = file.filename().string();
        SCOPED_TRACE(name);
        const bool empty_file = fs::file_size(file) == 0;
        if (!empty_file && !starts_like_pdf(file)) {
            // A DOCX called .pdf: the caller detects the type by content; not the renderer's job.
            std::printf("%-45s %-10s %s\n", name.c_str(), "skipped", "not PDF bytes (type detection's job)");
            continue;
        }
        ++checked;
        test::TempDir out;
        ConvertRequest request;
        request.input_path = file.string();
        request.output_dir = out.path().string();
        request.original_name = name;
        ConvertResult result;
        try {
            render_pdf(request, RenderLimits{}, result);
        } catch (const InputError& e) {
            std::printf("%-45s %-10s %s\n", name.c_str(), e.code().c_str(), e.what());
            EXPECT_TRUE(specific_codes.count(e.code())) << e.code();
            EXPECT_NE(std::string(e.what()).find(name), std::string::npos)
                << "message names the file: " << e.what();
            if (encrypted.count(name)) {
                EXPECT_EQ(e.code(), error_code::encrypted) << e.what();
            }
            if (empty_file) {
                EXPECT_EQ(e.code(), error_code::empty) << e.what();
            }
            continue;
        } catch (const std::exception& e) {
            ADD_FAILURE() << "not an InputError: " << e.what();
            continue;
        }
        std::printf("%-45s %-10s %zu page(s), %ld characters of text\n", name.c_str(), "converted",
                    result.pages.size(), test::count_non_space(test::all_page_text(result)));
        EXPECT_FALSE(encrypted.count(name)) << "rendered a file that needs a password";
        EXPECT_FALSE(empty_file);
        ASSERT_FALSE(result.pages.empty());
        for (const auto& page : result.pages) {
            EXPECT_TRUE(is_webp(out.path() / page.preview, page.width_px)) << page.preview;
        }
    }
    EXPECT_GE(checked, 10) << "the corpus should hold at least ten broken PDFs";
}

}  // namespace
}  // namespace wenku::worker
