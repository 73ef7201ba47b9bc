// OCR of scanned pages: PDFs whose only content is a picture of a page (made here from HTML laid
// out by MuPDF) are rendered with OCR and must give back the text that was on them; text pages are
// never OCR'd; failures and time limits never fail a document. Then the scans of the shared corpus.
#include "worker/ocr.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/test_support.h"
#include "worker/mupdf_context.h"
#include "worker/renderer.h"

namespace wenku::worker {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

const std::string chinese_paragraph_1 =
    "机关党员干部能否以身作则、率先垂范，直接关系到党的形象和威信，关系到人心向背。"
    "各级机关要把作风建设摆在更加突出的位置，坚持问题导向，聚焦群众反映强烈的突出问题。";
const std::string chinese_paragraph_2 =
    "以钉钉子精神抓好整改落实，推动形成风清气正的良好政治生态，切实把学习成果转化为推动发展的实际成效。"
    "图书馆将于下周一起延长开放时间，读者可以在线预约座位并查询馆藏目录。";
const std::string english_paragraph =
    "The quarterly report describes how the library catalogue was rebuilt, which documents were "
    "scanned, and how readers can search the archive from home.";

std::string scan_html() {
    return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>body{font-family:serif;font-size:12pt;"
           "line-height:1.6}</style></head><body lang=\"zh-CN\"><p>" +
           chinese_paragraph_1 + "</p><p>" + chinese_paragraph_2 + "</p><p>" + english_paragraph +
           "</p></body></html>";
}

std::u32string code_points(std::string_view s) {
    std::u32string out;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
        char32_t cp = len == 1 ? c : c & (0x7F >> len);
        for (int k = 1; k < len && i + static_cast<std::size_t>(k) < s.size(); ++k) {
            cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) & 0x3F);
        }
        out.push_back(cp);
        i += static_cast<std::size_t>(len);
    }
    return out;
}

bool is_han(char32_t c) { return c >= 0x4E00 && c <= 0x9FFF; }

// The share (0-1) of the Han characters of `original`, counted as a multiset, found in `found`.
double han_recall(std::string_view original, std::string_view found) {
    std::map<char32_t, int> want;
    std::map<char32_t, int> have;
    int total = 0;
    for (char32_t c : code_points(original)) {
        if (is_han(c)) {
            ++want[c];
            ++total;
        }
    }
    for (char32_t c : code_points(found)) {
        if (is_han(c)) ++have[c];
    }
    int hits = 0;
    for (const auto& [c, n] : want) hits += std::min(n, have[c]);
    return total == 0 ? 0 : static_cast<double>(hits) / total;
}

// The share (0-1) of the English words of `original` (4+ letters) that occur in `found`.
double word_recall(std::string_view original, std::string_view found) {
    int total = 0;
    int hits = 0;
    std::string word;
    const auto check = [&] {
        if (word.size() >= 4) {
            ++total;
            if (found.find(word) != std::string_view::npos) ++hits;
        }
        word.clear();
    };
    for (const char c : original) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            word += c;
        } else {
            check();
        }
    }
    check();
    return total == 0 ? 0 : static_cast<double>(hits) / total;
}

std::string first_chars(std::string_view text, std::size_t n) {
    std::string out;
    std::size_t count = 0;
    for (std::size_t i = 0; i < text.size() && count < n; ++count) {
        const auto c = static_cast<unsigned char>(text[i]);
        const std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
        std::string piece(text.substr(i, len));
        if (piece == "\n") piece = " | ";
        out += piece;
        i += len;
    }
    return out;
}

// How the picture of the page lies on the scanned page.
enum class Turn { upright, upside_down, sideways };

// Writes `html` as a PDF, draws its first page at `dpi` in grayscale like a scanner would, and
// writes `scan` as a PDF whose page holds only that picture (turned as asked), plus `stamp` as real
// text in the corner when it is not empty.
void write_scanned_pdf(const std::string& html, const fs::path& dir, const fs::path& scan, int dpi, Turn turn,
                       const std::string& stamp = {}) {
    const fs::path text_pdf = dir / (scan.stem().string() + "-source.pdf");
    write_html_as_pdf(html, text_pdf);
    MupdfContext mu(std::size_t{512} << 20);
    fz_document* doc = nullptr;
    fz_pixmap* pixmap = nullptr;
    fz_image* image = nullptr;
    fz_document_writer* writer = nullptr;
    fz_font* font = nullptr;
    fz_text* text = nullptr;
    const float scale = static_cast<float>(dpi) / 72.0f;
    auto error = mu.attempt([&](fz_context* c) {
        doc = fz_open_document(c, text_pdf.c_str());
        pixmap = fz_new_pixmap_from_page_number(c, doc, 0, fz_scale(scale, scale), fz_device_gray(c), 0);
        image = fz_new_image_from_pixmap(c, pixmap, nullptr);
        const float w = static_cast<float>(fz_pixmap_width(c, pixmap)) / scale;
        const float h = static_cast<float>(fz_pixmap_height(c, pixmap)) / scale;
        fz_rect page{0, 0, w, h};
        fz_matrix placement{w, 0, 0, h, 0, 0};
        if (turn == Turn::upside_down) placement = fz_matrix{-w, 0, 0, -h, w, h};
        if (turn == Turn::sideways) {  // a quarter turn clockwise on a landscape page
            page = fz_rect{0, 0, h, w};
            placement = fz_matrix{0, w, -h, 0, h, 0};
        }
        writer = fz_new_pdf_writer(c, scan.c_str(), "compress");
        fz_device* device = fz_begin_page(c, writer, page);
        fz_fill_image(c, device, image, placement, 1, fz_default_color_params);
        if (!stamp.empty()) {
            font = fz_new_base14_font(c, "Helvetica");
            text = fz_new_text(c);
            fz_show_string(c, text, font, fz_matrix{9, 0, 0, -9, 20, 20}, stamp.c_str(), 0, 0, FZ_BIDI_LTR,
                           FZ_LANG_UNSET);
            const float black = 0;
            fz_fill_text(c, device, text, fz_identity, fz_device_gray(c), &black, 1, fz_default_color_params);
        }
        fz_end_page(c, writer);
        fz_close_document_writer(c, writer);
    });
    fz_context* c = mu.get();
    fz_drop_text(c, text);
    fz_drop_font(c, font);
    fz_drop_document_writer(c, writer);
    fz_drop_image(c, image);
    fz_drop_pixmap(c, pixmap);
    fz_drop_document(c, doc);
    ASSERT_FALSE(error) << error->message;
}

class OcrTest : public ::testing::Test {
  protected:
    ConvertRequest request_for(const fs::path& input) {
        ConvertRequest request;
        request.input_path = input.string();
        request.output_dir = (dir.path() / ("out" + std::to_string(++jobs))).string();
        fs::create_directories(request.output_dir);
        return request;
    }

    // A scan of the Chinese and English test page (made once per turn and stamp).
    fs::path scanned_pdf(Turn turn = Turn::upright, const std::string& stamp = {}) {
        const fs::path pdf = dir.path() / ("scan-" + std::to_string(static_cast<int>(turn)) +
                                           (stamp.empty() ? "" : "-stamped") + ".pdf");
        if (!fs::exists(pdf)) write_scanned_pdf(scan_html(), dir.path(), pdf, 200, turn, stamp);
        return pdf;
    }

    TempDir dir;
    int jobs = 0;
};

std::string all_warnings(const RenderWarnings& warnings) {
    std::string out;
    for (const auto& w : warnings) out += w + "\n";
    return out;
}

TEST_F(OcrTest, ScannedChinesePageIsReadBack) {
    const fs::path pdf = scanned_pdf();
    ConvertRequest request = request_for(pdf);
    ConvertResult result;
    RenderWarnings warnings;
    const auto start = std::chrono::steady_clock::now();
    render_pdf(request, RenderLimits{}, result, warnings);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_EQ(result.pages.size(), 1u);
    const PageResult& page = result.pages[0];
    const std::string original = chinese_paragraph_1 + chinese_paragraph_2;
    const double han = han_recall(original, page.text);
    const double words = word_recall(english_paragraph, page.text);
    std::cout << "[ocr] upright scan: " << seconds << " s for the document (engine start "
              << ocr_engine_start_seconds() << " s); Han recall " << han << ", English word recall " << words
              << "\n"
              << page.text << "\n"
              << all_warnings(warnings);
    EXPECT_TRUE(page.ocr);
    EXPECT_GE(han, 0.85);
    EXPECT_GE(words, 0.85);
    // Tesseract's spaces between Chinese characters are gone.
    EXPECT_EQ(page.text.find("机 关"), std::string::npos);
    EXPECT_NE(page.text.find("以身作则"), std::string::npos) << page.text;
}

TEST_F(OcrTest, WithoutOcrAScanHasNoText) {
    ConvertRequest request = request_for(scanned_pdf());
    request.ocr = false;
    ConvertResult result;
    render_pdf(request, RenderLimits{}, result);
    ASSERT_EQ(result.pages.size(), 1u);
    EXPECT_TRUE(result.pages[0].text.empty());
    EXPECT_FALSE(result.pages[0].ocr);
}

TEST_F(OcrTest, UpsideDownAndSidewaysScansAreReadThroughOrientationDetection) {
    for (const Turn turn : {Turn::upside_down, Turn::sideways}) {
        ConvertRequest request = request_for(scanned_pdf(turn));
        ConvertResult result;
        RenderWarnings warnings;
        render_pdf(request, RenderLimits{}, result, warnings);
        ASSERT_EQ(result.pages.size(), 1u);
        const double han = han_recall(chinese_paragraph_1 + chinese_paragraph_2, result.pages[0].text);
        std::cout << "[ocr] turn " << static_cast<int>(turn) << ": Han recall " << han << "\n"
                  << first_chars(result.pages[0].text, 80) << "\n"
                  << all_warnings(warnings);
        EXPECT_TRUE(result.pages[0].ocr);
        EXPECT_GE(han, 0.85);
    }
}

TEST_F(OcrTest, ScanWithAFewCharactersOfRealTextIsStillRead) {
    ConvertRequest request = request_for(scanned_pdf(Turn::upright, "Page 3"));
    ConvertResult result;
    render_pdf(request, RenderLimits{}, result);
    ASSERT_EQ(result.pages.size(), 1u);
    EXPECT_TRUE(result.pages[0].ocr);
    EXPECT_GE(han_recall(chinese_paragraph_1, result.pages[0].text), 0.85);
}

TEST_F(OcrTest, PicturesWithoutTextOrWithAFewStylisedLettersGiveNoText) {
    const std::string picture =
        "<html><body><div style=\"background-color:#333;height:300pt;margin:40pt\"></div>"
        "<div style=\"border-top:8pt solid #777;border-bottom:8pt solid "
        "#999;height:60pt\"></div></body></html>";
    // An e-book cover: a dark panel and a title of a few large, spaced, italic capitals.
    const std::string cover =
        "<html><body><div style=\"background-color:#444;height:200pt\"></div>"
        "<p style=\"font-size:54pt;font-style:italic;font-weight:bold;letter-spacing:12pt\">NOSNAQ</p>"
        "<p style=\"font-size:30pt;font-style:italic\">4 HH</p></body></html>";
    for (const auto& [name, html] :
         {std::pair<std::string, std::string>{"picture", picture}, {"cover", cover}}) {
        SCOPED_TRACE(name);
        const fs::path pdf = dir.path() / (name + ".pdf");
        write_scanned_pdf(html, dir.path(), pdf, 200, Turn::upright);
        ConvertRequest request = request_for(pdf);
        ConvertResult result;
        RenderWarnings warnings;
        render_pdf(request, RenderLimits{}, result, warnings);
        ASSERT_EQ(result.pages.size(), 1u);
        std::cout << "[ocr] " << name << ": '" << result.pages[0].text << "'\n" << all_warnings(warnings);
        EXPECT_FALSE(result.pages[0].ocr);
        EXPECT_EQ(result.pages[0].text, "");
    }
}

TEST_F(OcrTest, PagesWithTextAreNotRecognised) {
    const fs::path pdf = dir.path() / "text.pdf";
    write_html_as_pdf(scan_html(), pdf);
    ConvertRequest request = request_for(pdf);
    ConvertResult result;
    RenderWarnings warnings;
    render_pdf(request, RenderLimits{}, result, warnings);
    ASSERT_EQ(result.pages.size(), 1u);
    EXPECT_FALSE(result.pages[0].ocr);
    EXPECT_NE(result.pages[0].text.find("以身作则"), std::string::npos);
    EXPECT_EQ(all_warnings(warnings).find("OCR"), std::string::npos) << all_warnings(warnings);
}

TEST_F(OcrTest, BlankPageIsNotSentToTesseract) {
    const fs::path pdf = dir.path() / "blank.pdf";
    write_html_as_pdf("<html><body><p>&#160;</p></body></html>", pdf);
    ConvertRequest request = request_for(pdf);
    ConvertResult result;
    RenderWarnings warnings;
    render_pdf(request, RenderLimits{}, result, warnings);
    ASSERT_EQ(result.pages.size(), 1u);
    EXPECT_TRUE(result.pages[0].text.empty());
    EXPECT_FALSE(result.pages[0].ocr);
    EXPECT_EQ(all_warnings(warnings).find("OCR"), std::string::npos) << all_warnings(warnings);
}

TEST_F(OcrTest, DocumentTimeLimitStopsOcrWithAWarningButTheDocumentConverts) {
    ConvertRequest request = request_for(scanned_pdf());
    request.ocr_document_seconds = 0.01;
    const RenderLimits limits;
    ConvertResult result;
    RenderWarnings warnings;
    render_pdf(request, limits, result, warnings);
    ASSERT_EQ(result.pages.size(), 1u);
    EXPECT_TRUE(result.pages[0].text.empty());
    EXPECT_FALSE(result.pages[0].ocr);
    EXPECT_NE(all_warnings(warnings).find("page 1 was not recognised: recognition took longer than"),
              std::string::npos)
        << all_warnings(warnings);
}

TEST_F(OcrTest, UnknownOrMalformedLanguagesGiveAWarningNotAFailure) {
    for (const std::string languages : {"xx_nonexistent", "chi_sim;rm -rf /", "../../etc/passwd", ""}) {
        ConvertRequest request = request_for(scanned_pdf());
        request.ocr_languages = languages;
        ConvertResult result;
        RenderWarnings warnings;
        render_pdf(request, RenderLimits{}, result, warnings);
        ASSERT_EQ(result.pages.size(), 1u);
        EXPECT_TRUE(result.pages[0].text.empty()) << languages;
        EXPECT_NE(all_warnings(warnings).find("page 1 was not recognised"), std::string::npos)
            << languages << ": " << all_warnings(warnings);
    }
}

TEST(OcrEngine, DeadlineStopsRecognition) {
    // A page of text at 300 dpi; a 1 ms deadline ends recognition at its first word.
    TempDir dir;
    const fs::path pdf = dir.path() / "text.pdf";
    write_html_as_pdf(scan_html(), pdf);
    MupdfContext mu(std::size_t{512} << 20);
    fz_document* doc = nullptr;
    fz_pixmap* pixmap = nullptr;
    auto error = mu.attempt([&](fz_context* c) {
        doc = fz_open_document(c, pdf.c_str());
        pixmap = fz_new_pixmap_from_page_number(c, doc, 0, fz_scale(300 / 72.0f, 300 / 72.0f),
                                                fz_device_gray(c), 0);
    });
    ASSERT_FALSE(error) << error->message;
    fz_context* c = mu.get();
    const GrayImage image{fz_pixmap_samples(c, pixmap), fz_pixmap_width(c, pixmap),
                          fz_pixmap_height(c, pixmap), fz_pixmap_stride(c, pixmap), 300};
    OcrSettings settings;
    settings.page_seconds = 0.001;
    const OcrPageResult late = recognize_page_text(image, settings);
    settings.page_seconds = 20;
    const OcrPageResult in_time = recognize_page_text(image, settings);
    fz_drop_pixmap(c, pixmap);
    fz_drop_document(c, doc);
    EXPECT_FALSE(late.ok);
    EXPECT_TRUE(late.timed_out) << late.error;
    EXPECT_TRUE(late.text.empty());
    // The engine is fine afterwards.
    EXPECT_TRUE(in_time.ok) << in_time.error;
    EXPECT_GE(han_recall(chinese_paragraph_1, in_time.text), 0.9) << in_time.text;
    std::cout << "[ocr] 300 dpi text page: " << in_time.seconds << " s, mean confidence "
              << in_time.mean_confidence << "\n";
}

TEST(OcrEngine, EmptyImageAndMissingTessdataAreErrors) {
    OcrSettings settings;
    EXPECT_FALSE(recognize_page_text(GrayImage{}, settings).ok);
    std::vector<unsigned char> white(100u * 100u, 255);
    settings.tessdata_dir = "/nonexistent/tessdata";
    const OcrPageResult result = recognize_page_text(GrayImage{white.data(), 100, 100, 100, 300}, settings);
    EXPECT_FALSE(result.ok);
    EXPECT_NE(result.error.find("no traineddata"), std::string::npos) << result.error;
}

TEST(CleanOcrText, RemovesSpacesBetweenChineseCharactersAndJoinsParagraphLines) {
    EXPECT_EQ(clean_ocr_text("机 关 党 员 干 部\n能 否 以 身 作 则 。\n\n第 二 段\n"),
              "机关党员干部能否以身作则。\n第二段");
    EXPECT_EQ(clean_ocr_text("使 用 OCR 技 术"), "使用 OCR 技术");
    EXPECT_EQ(clean_ocr_text("The library cata-\nlogue was  rebuilt.\n\n\n  \nNext   one"),
              "The library catalogue was rebuilt.\nNext one");
    EXPECT_EQ(clean_ocr_text(""), "");
    EXPECT_EQ(clean_ocr_text(" \n\n \n"), "");
    EXPECT_EQ(clean_ocr_text("bad \xFF\xFE utf8"), "bad utf8");
}

// --- The shared corpus ------------------------------------------------------------------------

struct CorpusScan {
    const char* file;
    std::vector<std::string> expected;  // per page: a phrase that must be read (empty: no text on it)
};

// What the image-only pages of the corpus visibly show (looked at with pdftoppm). pdfjs__issue3521
// and pdfjs__vertical have text MuPDF reads (no OCR; vertical's pages 2 and 3 are blank);
// bitmap-mmr is a drawn smiley, no text. ccitt_EndOfBlock_false shows "/K -1", "/K 0", "/K 1" in
// 80 pt letters inside ruled boxes, which tesseract reads as noise ("Tt | (Oo S|", confidence 31,
// at any resolution): the noise is dropped, so no text is expected there.
const std::vector<CorpusScan> corpus_scans = {
    {"paperless-ngx__multi-page-images.pdf",
     {"multi page document", "multi page document", "multi page document"}},
    {"paperless-ngx__rotated.pdf",
     {"appears on the first page", "OCRmyPDF still gets the job done", "really weird file",
      "check your screen"}},
    {"pdfjs__ccitt_EndOfBlock_false.pdf", {""}},
    {"pdfjs__bitmap-mmr.pdf", {""}},
    {"pdfjs__issue3521.pdf", {"我们都是黑体字"}},
    {"pdfjs__vertical.pdf", {"", "", ""}},
};

TEST(OcrCorpus, ScansOfTheSharedCorpusAreRead) {
    if (!test::corpus_dir()) GTEST_SKIP() << test::corpus_missing_message();
    TempDir dir;
    int job = 0;
    for (const auto& scan : corpus_scans) {
        fs::path file;
        for (const auto& f : test::corpus_files("pdf")) {
            if (f.filename() == scan.file) file = f;
        }
        if (file.empty()) {
            ADD_FAILURE() << scan.file << " is missing from the corpus";
            continue;
        }
        ConvertRequest request;
        request.input_path = file.string();
        request.output_dir = (dir.path() / std::to_string(++job)).string();
        ConvertResult result;
        RenderWarnings warnings;
        const auto start = std::chrono::steady_clock::now();
        render_pdf(request, RenderLimits{}, result, warnings);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("[ocr-corpus] %s: %zu pages, %.2f s in all\n", scan.file, result.pages.size(), seconds);
        for (const auto& w : warnings) {
            if (w.find("OCR") != std::string::npos || w.find("recognised") != std::string::npos)
                std::printf("[ocr-corpus]   %s\n", w.c_str());
        }
        ASSERT_EQ(result.pages.size(), scan.expected.size()) << scan.file;
        const auto reference = test::reference_stats(file);
        for (std::size_t i = 0; i < result.pages.size(); ++i) {
            const PageResult& page = result.pages[i];
            std::printf("[ocr-corpus]   page %zu %s: %s\n", i + 1, page.ocr ? "OCR " : "text",
                        first_chars(page.text, 80).c_str());
            const std::string& expected = scan.expected[i];
            if (!expected.empty()) {
                EXPECT_NE(page.text.find(expected), std::string::npos)
                    << scan.file << " page " << i + 1 << ": " << page.text;
                // Poppler finds no text on these pages; OCR (or MuPDF) must.
                if (reference && reference->text_chars == 0) {
                    EXPECT_GT(test::count_non_space(page.text), 0);
                }
            }
        }
    }
}

}  // namespace
}  // namespace wenku::worker
