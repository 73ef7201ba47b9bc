// Page text over the shared corpus, page by page against pdftotext (reading order) on the
// same PDF: the corpus PDFs as they are, the office files through LibreOfficeKit first (each
// converted once, shared by the tests here). Whitespace aside, our text must hold the same
// characters in the same order on a share of the pages (min_equal_pages), and no U+FFFD anywhere.
// Prints every page that differs, with the first difference in context.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/conversion.h"
#include "core/errors.h"
#include "support/poppler_pages.h"
#include "support/test_support.h"
#include "support/worker/office_fixtures.h"
#include "worker/office_converter.h"
#include "worker/renderer.h"

namespace wenku::worker {
namespace {

namespace fs = std::filesystem;

// Share of the pages whose text must equal poppler's, whitespace aside (measured: 346 of 360,
// 96.1%), and the share that must equal it once the hyphens pdftotext drops at line ends are
// allowed for (measured: 359 of 360). Both read in poppler's reading order (worker/poppler_text.h);
// what differs: pdftotext removes every hyphen that ends a line, also the document's own
// ("IEEE-754", "2008-02", GUIDs, "--"), which our text keeps; it writes right-to-left text in
// visual order, ours is in logical order; and one hyphenated word in small capitals ("R E -
// QUIRES") that our text leaves as it is drawn.
constexpr double min_equal_pages = 0.96;
constexpr double min_equal_pages_but_hyphens = 0.99;

// The corpus folders of formats LibreOffice converts.
const std::vector<std::string> office_folders = {"doc", "docx", "dot", "dotx", "dotm", "epub", "odp",
                                                 "ods", "odt",  "ppt", "pptx", "rtf",  "xls",  "xlsx"};

struct CorpusText {
    std::string name;  // "docx/x.docx"
    ConvertResult result;
    std::vector<std::string> poppler;  // pdftotext's pages of the same PDF
};

// render_pdf() of `pdf` without OCR (poppler reads only the text layer), and pdftotext of it.
CorpusText read_pdf(const fs::path& pdf, const std::string& name, const fs::path& scratch) {
    CorpusText text;
    text.name = name;
    ConvertRequest request;
    request.input_path = pdf.string();
    request.output_dir = (scratch / "render").string();
    request.original_name = name;
    request.ocr = false;
    fs::create_directories(request.output_dir);
    render_pdf(request, RenderLimits{}, text.result);
    text.poppler = test::poppler_pages(pdf);
    fs::remove_all(request.output_dir);
    return text;
}

// Every good corpus file's text, converted once for all tests of this process. Files that do not
// convert (the refusals office_corpus_test checks) are listed and left out.
const std::vector<CorpusText>& corpus_texts() {
    static const std::vector<CorpusText> texts = [] {
        std::vector<CorpusText> all;
        test::TempDir scratch;
        const auto start = std::chrono::steady_clock::now();
        for (const auto& file : test::corpus_files("pdf")) {
            try {
                all.push_back(read_pdf(file, "pdf/" + file.filename().string(), scratch.path()));
            } catch (const std::exception& e) {
                ADD_FAILURE() << file.filename() << " did not convert: " << e.what();
            }
        }
        for (const auto& folder : office_folders) {
            if (!fs::is_directory(*test::corpus_dir() / "files" / folder)) continue;
            for (const auto& file : test::corpus_files(folder)) {
                const std::string name = folder + "/" + file.filename().string();
                const fs::path pdf = scratch.path() / "document.pdf";
                try {
                    office_to_pdf(file, folder, file.filename().string(), pdf, test::office_options());
                    all.push_back(read_pdf(pdf, name, scratch.path()));
                } catch (const InputError& e) {
                    std::printf("[page text] %-50s not converted (%s)\n", name.c_str(), e.code().c_str());
                }
                fs::remove(pdf);
            }
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("[page text] %zu corpus files converted and read in %.0f s\n", all.size(), seconds);
        return all;
    }();
    return texts;
}

TEST(PageTextCorpusTest, PagesReadInPopplersOrder) {
    if (!test::corpus_dir()) GTEST_SKIP() << test::corpus_missing_message();
    if (!test::have_pdftotext()) GTEST_SKIP() << "pdftotext (poppler-utils) is needed for the comparison";
    long pages = 0, equal = 0, equal_but_hyphens = 0;
    std::printf("\n%-56s %5s  %s\n", "file", "page", "first difference: ours | poppler");
    for (const CorpusText& file : corpus_texts()) {
        SCOPED_TRACE(file.name);
        EXPECT_EQ(file.poppler.size(), file.result.pages.size()) << "pdftotext's page count";
        for (std::size_t i = 0; i < file.result.pages.size(); ++i) {
            ++pages;
            const std::u32string ours = test::comparable_text(file.result.pages[i].text);
            const std::u32string theirs =
                i < file.poppler.size() ? test::comparable_text(file.poppler[i]) : std::u32string();
            const std::string difference = test::first_difference(ours, theirs);
            if (difference.empty()) {
                ++equal;
                continue;
            }
            const bool hyphens_only = test::differs_only_by_dropped_hyphens(ours, theirs);
            equal_but_hyphens += hyphens_only;
            std::printf("%-56s %5zu  %s%s\n", file.name.c_str(), i + 1, difference.c_str(),
                        hyphens_only ? "  (only hyphens pdftotext drops)" : "");
        }
    }
    const auto share = [pages](long n) {
        return pages == 0 ? 1.0 : static_cast<double>(n) / static_cast<double>(pages);
    };
    std::printf(
        "[page text] %ld of %ld pages read as poppler reads them (%.1f%%); %ld more differ only by "
        "hyphens pdftotext drops at line ends (%.1f%% in all)\n",
        equal, pages, 100.0 * share(equal), equal_but_hyphens, 100.0 * share(equal + equal_but_hyphens));
    EXPECT_GT(pages, 0);
    EXPECT_GE(share(equal), min_equal_pages);
    EXPECT_GE(share(equal + equal_but_hyphens), min_equal_pages_but_hyphens);
}

TEST(PageTextCorpusTest, NoReplacementCharacterInAnyPage) {
    if (!test::corpus_dir()) GTEST_SKIP() << test::corpus_missing_message();
    long files = 0;
    for (const CorpusText& file : corpus_texts()) {
        ++files;
        EXPECT_EQ(test::replacement_characters(file.result), 0) << file.name;
    }
    EXPECT_GT(files, 0);
}

}  // namespace
}  // namespace wenku::worker
