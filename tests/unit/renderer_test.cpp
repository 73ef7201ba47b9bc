// MuPDF rendering: PDFs written from HTML by write_html_as_pdf() are rendered back and checked
// for pages, previews (real WebP files of the requested size), text and title; damaged, empty,
// encrypted and oversized inputs must end in the specific InputError codes.
#include "worker/renderer.h"

#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <webp/decode.h>

#include "core/errors.h"
#include "support/test_support.h"
#include "worker/mupdf_text.h"
#include "worker/webp_encoder.h"

namespace wenku::worker {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

// Long enough to wrap over several lines of an A4 page at 14pt.
const std::string chinese_paragraph =
    "机关党员干部能否以身作则、率先垂范，直接关系到党的形象和威信，关系到人心向背。"
    "各级机关要把作风建设摆在更加突出的位置，坚持问题导向，聚焦群众反映强烈的突出问题，"
    "以钉钉子精神抓好整改落实，推动形成风清气正的良好政治生态，切实把学习成果转化为推动发展的实际成效。";

const std::vector<std::string> english_words = {
    "library", "document", "preview", "render", "archive", "paragraph", "quarterly", "widget",
    "measure", "stable",   "reading", "search", "shelf",   "catalogue", "review",    "summary"};

std::string english_paragraph(int seed, int words) {
    std::string p;
    for (int i = 0; i < words; ++i) {
        if (i) p += ' ';
        p += english_words[static_cast<std::size_t>((seed * 7 + i * 3) %
                                                    static_cast<int>(english_words.size()))];
    }
    return p + ".";
}

std::string html_page(const std::string& title, const std::string& body) {
    return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + title +
           "</title><style>body{font-family:serif;font-size:14pt}</style></head><body lang=\"zh-CN\">" +
           body + "</body></html>";
}

std::string english_html(int paragraphs) {
    std::string body = "<h1>Quarterly Widget Report</h1>";
    for (int i = 0; i < paragraphs; ++i) body += "<p>" + english_paragraph(i, 60) + "</p>";
    return html_page("Quarterly Widget Report", body);
}

std::string chinese_html(const std::string& title) {
    return html_page(title, "<h1>关于加强作风建设的报告</h1><p>" + chinese_paragraph + "</p>");
}

struct WebpSize {
    int width = 0;
    int height = 0;
};

// Decodes the header of a WebP file; width 0 when it is not a WebP image.
WebpSize webp_size(const fs::path& file) {
    const std::string bytes = test::read_file(file);
    WebpSize size;
    if (!WebPGetInfo(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), &size.width,
                     &size.height)) {
        return {};
    }
    return size;
}

bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t len = c < 0x80         ? 1
                                : (c >> 5) == 6  ? 2
                                : (c >> 4) == 14 ? 3
                                : (c >> 3) == 30 ? 4
                                                 : 0;
        if (len == 0 || i + len > s.size()) return false;
        for (std::size_t k = 1; k < len; ++k) {
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        }
        i += len;
    }
    return true;
}

class RendererTest : public ::testing::Test {
  protected:
    ConvertRequest request_for(const fs::path& input, const std::string& original_name = {}) {
        ConvertRequest request;
        request.input_path = input.string();
        request.output_dir = (dir.path() / ("out" + std::to_string(++jobs))).string();
        request.original_name = original_name;
        fs::create_directories(request.output_dir);
        return request;
    }

    fs::path english_pdf() {
        fs::path pdf = dir.path() / "english.pdf";
        if (!fs::exists(pdf)) write_html_as_pdf(english_html(12), pdf);
        return pdf;
    }

    // The InputError code render_pdf() ends with, or "" when it converts.
    std::string error_code_of(const ConvertRequest& request, const RenderLimits& limits = {}) {
        ConvertResult result;
        try {
            render_pdf(request, limits, result);
        } catch (const InputError& e) {
            EXPECT_FALSE(std::string(e.what()).empty());
            last_message = e.what();
            return e.code();
        }
        return "";
    }

    TempDir dir;
    int jobs = 0;
    std::string last_message;
};

TEST_F(RendererTest, EnglishPdfHasPagesPreviewsCoverTitleAndText) {
    const auto request = request_for(english_pdf(), "report.pdf");
    ConvertResult result;
    RenderWarnings warnings;
    render_pdf(request, RenderLimits{}, result, warnings);

    EXPECT_EQ(result.format, "pdf");
    EXPECT_EQ(result.title, "Quarterly Widget Report");
    ASSERT_GE(result.pages.size(), 2u) << "12 paragraphs of 60 words at 14pt fill more than one A4 page";
    for (std::size_t i = 0; i < result.pages.size(); ++i) {
        const auto& page = result.pages[i];
        EXPECT_EQ(page.number, static_cast<int>(i) + 1);
        char expected_name[32];
        std::snprintf(expected_name, sizeof expected_name, "p%04d.webp", page.number);
        EXPECT_EQ(page.preview, expected_name);
        const WebpSize size = webp_size(fs::path(request.output_dir) / page.preview);
        EXPECT_EQ(size.width, 1000) << page.preview;
        EXPECT_EQ(size.height, 1415) << "A4 at 1000 px wide";
        EXPECT_EQ(page.width_px, size.width);
        EXPECT_EQ(page.height_px, size.height);
        EXPECT_TRUE(valid_utf8(page.text));
    }
    EXPECT_EQ(result.cover, "cover.webp");
    EXPECT_EQ(webp_size(fs::path(request.output_dir) / "cover.webp").width, 240);

    // Paragraphs run on across page breaks, so pages are glued with a space here.
    std::string text;
    for (const auto& page : result.pages) text += page.text + " ";
    EXPECT_NE(result.pages[0].text.find("Quarterly Widget Report\n"), std::string::npos)
        << result.pages[0].text;
    // Every paragraph comes back with its words joined by single spaces, wrapped lines included.
    int found = 0;
    for (int i = 0; i < 12; ++i) found += text.find(english_paragraph(i, 60)) != std::string::npos;
    EXPECT_EQ(found, 12) << text;
    EXPECT_EQ(text.find("  "), std::string::npos);
}

TEST_F(RendererTest, ChineseParagraphReadsContinuouslyAcrossWrappedLines) {
    const fs::path pdf = dir.path() / "chinese.pdf";
    write_html_as_pdf(chinese_html("Microsoft Word - 关于加强作风建设的报告.doc"), pdf);
    ConvertResult result;
    render_pdf(request_for(pdf), RenderLimits{}, result);

    ASSERT_EQ(result.pages.size(), 1u);
    const std::string& text = result.pages[0].text;
    EXPECT_NE(text.find(chinese_paragraph), std::string::npos) << text;
    EXPECT_NE(text.find("关于加强作风建设的报告\n"), std::string::npos) << "heading is its own paragraph:\n"
                                                                        << text;
    EXPECT_EQ(result.title, "关于加强作风建设的报告");
    EXPECT_GE(test::count_cjk(text), test::count_cjk(chinese_paragraph));
}

TEST_F(RendererTest, WrittenPdfKeepsChineseTextExtractableByOtherReaders) {
    // No lang attribute anywhere: write_html_as_pdf() must still write Chinese, not Japanese,
    // encodings (UniJIS would drop 员, 这, 钉 ...).
    const fs::path pdf = dir.path() / "plain.pdf";
    write_html_as_pdf("<html><body><p>" + chinese_paragraph + "</p></body></html>", pdf);
    test::CommandResult poppler;
    try {
        poppler = test::run_command({"pdftotext", pdf.string(), "-"});
    } catch (const std::exception&) {
        GTEST_SKIP() << "pdftotext (poppler-utils) is not installed";
    }
    std::string joined;
    for (char c : poppler.out) {
        if (c != '\n' && c != ' ') joined += c;
    }
    EXPECT_NE(joined.find(chinese_paragraph), std::string::npos) << poppler.out;
}

TEST_F(RendererTest, PdfWithoutTitleLeavesTitleEmpty) {
    const fs::path pdf = dir.path() / "untitled.pdf";
    write_html_as_pdf("<html><body><p>No title here.</p></body></html>", pdf);
    ConvertResult result;
    render_pdf(request_for(pdf), RenderLimits{}, result);
    EXPECT_EQ(result.title, "");
    ASSERT_EQ(result.pages.size(), 1u);
    EXPECT_EQ(result.pages[0].text, "No title here.");
}

TEST_F(RendererTest, RequestedSizesAreHonoured) {
    auto request = request_for(english_pdf());
    request.preview_width = 640;
    request.thumb_width = 120;
    ConvertResult result;
    render_pdf(request, RenderLimits{}, result);
    EXPECT_EQ(webp_size(fs::path(request.output_dir) / result.pages[0].preview).width, 640);
    EXPECT_EQ(webp_size(fs::path(request.output_dir) / "cover.webp").width, 120);
}

TEST_F(RendererTest, PixelLimitShrinksThePreview) {
    auto request = request_for(english_pdf());
    request.max_pixels = 250'000;  // 1000 x 1415 would be 1.4 Mpx
    ConvertResult result;
    render_pdf(request, RenderLimits{}, result);
    const auto& page = result.pages[0];
    EXPECT_LE(static_cast<long long>(page.width_px) * page.height_px, 250'000 * 101 / 100);
    EXPECT_LT(page.width_px, 1000);
    EXPECT_GT(page.width_px, 300);
    EXPECT_EQ(webp_size(fs::path(request.output_dir) / page.preview).width, page.width_px);
}

TEST_F(RendererTest, TooManyPagesIsTooLarge) {
    auto request = request_for(english_pdf(), "big.pdf");
    request.max_pages = 1;
    EXPECT_EQ(error_code_of(request), error_code::too_large);
    EXPECT_NE(last_message.find("big.pdf"), std::string::npos) << last_message;
}

TEST_F(RendererTest, MemoryCapIsReportedAsTooLarge) {
    auto request = request_for(english_pdf(), "report.pdf");
    request.preview_width = 3000;  // a 3000 x 4243 RGB canvas alone is 38 MB
    RenderLimits tiny;
    tiny.memory_limit_bytes = std::size_t{8} << 20;
    EXPECT_EQ(error_code_of(request, tiny), error_code::too_large);
    EXPECT_EQ(last_message, "report.pdf needs more than 8 MiB to render");
}

TEST_F(RendererTest, MemoryCapTooSmallForTheRendererItselfIsTooLarge) {
    RenderLimits tiny;
    tiny.memory_limit_bytes = 64 << 10;
    EXPECT_EQ(error_code_of(request_for(english_pdf(), "report.pdf"), tiny), error_code::too_large);
    EXPECT_EQ(last_message, "report.pdf needs more than 64 KiB to render");
}

// One page showing a 2000 x 2000 RGB image (12 MB decoded, a few hundred KB in the file).
std::string pdf_with_big_image();

TEST_F(RendererTest, ImageThatDoesNotFitTheCapIsTooLargeNotSilentlyLeftOut) {
    const fs::path file = dir.path() / "scan.pdf";
    test::write_file(file, pdf_with_big_image());
    // Plenty of memory: it converts.
    ConvertResult result;
    render_pdf(request_for(file), RenderLimits{}, result);
    ASSERT_EQ(result.pages.size(), 1u);
    // 8 MiB holds the page canvas but not the decoded image; MuPDF would skip the image.
    RenderLimits tight;
    tight.memory_limit_bytes = std::size_t{8} << 20;
    EXPECT_EQ(error_code_of(request_for(file, "scan.pdf"), tight), error_code::too_large);
}

TEST_F(RendererTest, TruncatedPdfConvertsWhatIsLeftOrIsCorrupt) {
    const std::string bytes = test::read_file(english_pdf());
    const fs::path cut = dir.path() / "cut.pdf";
    test::write_file(cut, bytes.substr(0, bytes.size() / 2));
    const auto request = request_for(cut, "cut.pdf");
    ConvertResult result;
    RenderWarnings warnings;
    try {
        render_pdf(request, RenderLimits{}, result, warnings);
    } catch (const InputError& e) {
        // Observed with MuPDF 1.21: the repaired file has no page tree left.
        EXPECT_EQ(e.code(), error_code::corrupt) << e.what();
        EXPECT_EQ(std::string(e.what()).rfind("cut.pdf is damaged: ", 0), 0u) << e.what();
        return;
    }
    // Recovered: whatever pages survive have previews and the repair is reported.
    EXPECT_FALSE(result.pages.empty());
    EXPECT_FALSE(warnings.empty());
    for (const auto& page : result.pages) {
        EXPECT_GT(webp_size(fs::path(request.output_dir) / page.preview).width, 0);
    }
}

TEST_F(RendererTest, RandomBytesAreCorrupt) {
    std::mt19937 rng(42);
    std::string junk(20000, '\0');
    for (auto& c : junk) c = static_cast<char>(rng());
    const fs::path file = dir.path() / "junk.pdf";
    test::write_file(file, junk);
    EXPECT_EQ(error_code_of(request_for(file, "junk.pdf")), error_code::corrupt);
    EXPECT_EQ(last_message.rfind("junk.pdf is damaged: ", 0), 0u) << last_message;
}

TEST_F(RendererTest, EmptyFileIsEmpty) {
    const fs::path file = dir.path() / "empty.pdf";
    test::write_file(file, "");
    EXPECT_EQ(error_code_of(request_for(file)), error_code::empty);
    EXPECT_EQ(last_message, "empty.pdf is empty (0 bytes)") << "falls back to the input file name";
}

// A PDF file holding `objects` as objects 1..n (object 1 is the catalog), with a correct xref.
std::string hand_written_pdf(const std::vector<std::string>& objects) {
    std::string pdf = "%PDF-1.4\n";
    std::vector<std::size_t> offsets;
    for (std::size_t i = 0; i < objects.size(); ++i) {
        offsets.push_back(pdf.size());
        pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    const std::size_t xref = pdf.size();
    pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
    for (std::size_t offset : offsets) {
        char line[32];
        std::snprintf(line, sizeof line, "%010zu 00000 n \n", offset);
        pdf += line;
    }
    pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
           std::to_string(xref) + "\n%%EOF\n";
    return pdf;
}

// Two pages; the second page's content stream cannot be decoded.
std::string pdf_with_broken_second_page() {
    const std::string good = "BT /F1 24 Tf 72 720 Td (Intact first page) Tj ET";
    const std::string broken = "this is not deflate data at all \x01\x02\x03";
    return hand_written_pdf({
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
        std::string("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] ") +
            "/Resources << /Font << /F1 5 0 R >> >> /Contents 6 0 R >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 7 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        "<< /Length " + std::to_string(good.size()) + " >>\nstream\n" + good + "\nendstream",
        "<< /Length " + std::to_string(broken.size()) + " /Filter /FlateDecode >>\nstream\n" + broken +
            "\nendstream",
    });
}

std::string pdf_with_big_image() {
    // RunLengthDecode: a length byte 257 - n followed by one byte repeats that byte n times.
    const std::size_t bytes = std::size_t{2000} * 2000 * 3;
    std::string image;
    image.reserve(bytes / 128 * 2 + 1);
    for (std::size_t done = 0; done < bytes; done += 128) {
        image += static_cast<char>(static_cast<unsigned char>(129));
        image += static_cast<char>(0x80);
    }
    image += static_cast<char>(static_cast<unsigned char>(128));  // end of data
    const std::string content = "q 500 0 0 500 47 171 cm /Im1 Do Q";
    return hand_written_pdf({
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        std::string("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] ") +
            "/Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /XObject /Subtype /Image /Width 2000 /Height 2000 /ColorSpace /DeviceRGB "
        "/BitsPerComponent 8 /Filter /RunLengthDecode /Length " +
            std::to_string(image.size()) + " >>\nstream\n" + image + "\nendstream",
        "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream",
    });
}

TEST_F(RendererTest, WellFormedPdfWithoutPagesIsEmpty) {
    const fs::path file = dir.path() / "no-pages.pdf";
    test::write_file(file, hand_written_pdf({"<< /Type /Catalog /Pages 2 0 R >>",
                                             "<< /Type /Pages /Kids [] /Count 0 >>"}));
    EXPECT_EQ(error_code_of(request_for(file)), error_code::empty);
    EXPECT_EQ(last_message, "no-pages.pdf has no pages");
}

TEST_F(RendererTest, PdfWithoutAPageTreeIsCorrupt) {
    const fs::path file = dir.path() / "no-tree.pdf";
    test::write_file(file, hand_written_pdf({"<< /Type /Catalog /Pages 9 0 R >>"}));
    EXPECT_EQ(error_code_of(request_for(file)), error_code::corrupt);
}

TEST_F(RendererTest, DamagedPageStillGetsAPreviewAndAWarning) {
    const fs::path file = dir.path() / "broken-page.pdf";
    test::write_file(file, pdf_with_broken_second_page());
    const auto request = request_for(file);
    ConvertResult result;
    RenderWarnings warnings;
    render_pdf(request, RenderLimits{}, result, warnings);
    ASSERT_EQ(result.pages.size(), 2u);
    EXPECT_EQ(result.pages[0].text, "Intact first page");
    EXPECT_EQ(result.pages[1].text, "");
    EXPECT_EQ(webp_size(fs::path(request.output_dir) / "p0002.webp").width, 1000);
    EXPECT_FALSE(warnings.empty());
}

TEST_F(RendererTest, FileNamedPdfIsParsedByContentNotExtension) {
    // A PDF called .txt is still rendered: render_pdf never looks at the name.
    const fs::path file = dir.path() / "misnamed.txt";
    fs::copy_file(english_pdf(), file);
    ConvertResult result;
    render_pdf(request_for(file), RenderLimits{}, result);
    EXPECT_GE(result.pages.size(), 2u);
}

TEST_F(RendererTest, PasswordProtectedPdfIsEncryptedAndEmptyUserPasswordOpens) {
    const fs::path locked = dir.path() / "locked.pdf";
    const fs::path owner_only = dir.path() / "owner-only.pdf";
    const std::string plain = english_pdf().string();
    const auto a = test::run_command(
        {"mutool", "clean", "-E", "aes-256", "-U", "secret", "-O", "owner", plain, locked.string()});
    const auto b =
        test::run_command({"mutool", "clean", "-E", "aes-256", "-O", "owner", plain, owner_only.string()});
    if (a.exit_code != 0 || b.exit_code != 0)
        GTEST_SKIP() << "mutool cannot encrypt here: " << a.err << b.err;

    EXPECT_EQ(error_code_of(request_for(locked, "secret.pdf")), error_code::encrypted);
    EXPECT_EQ(last_message, "secret.pdf is password-protected");

    ConvertResult result;
    render_pdf(request_for(owner_only), RenderLimits{}, result);
    EXPECT_GE(result.pages.size(), 2u);
    EXPECT_NE(test::all_page_text(result).find(english_paragraph(0, 60)), std::string::npos);
}

TEST_F(RendererTest, RenderHtmlGivesChineseTextBackAndLeavesFormatToTheCaller) {
    const auto request = request_for(dir.path() / "note.txt", "note.txt");
    ConvertResult result;
    render_html(chinese_html("ignored"), request, RenderLimits{}, result);
    EXPECT_EQ(result.format, "") << "the caller sets txt or md";
    ASSERT_EQ(result.pages.size(), 1u);
    EXPECT_NE(result.pages[0].text.find(chinese_paragraph), std::string::npos) << result.pages[0].text;
    EXPECT_EQ(webp_size(fs::path(request.output_dir) / "p0001.webp").width, 1000);
    EXPECT_EQ(webp_size(fs::path(request.output_dir) / "cover.webp").width, 240);
}

TEST_F(RendererTest, RenderHtmlLaysOutOnA4) {
    const auto request = request_for(dir.path() / "long.md");
    ConvertResult result;
    render_html(english_html(40), request, RenderLimits{}, result);
    ASSERT_GE(result.pages.size(), 4u);
    for (const auto& page : result.pages) {
        EXPECT_EQ(page.width_px, 1000);
        EXPECT_EQ(page.height_px, 1415);
    }
}

TEST_F(RendererTest, PreviewOfAPageRendersAndEncodesQuickly) {
    // Measures render + encode of one 1000 px A4 page of text (a warm second run: the first one
    // loads fonts). Printed for the record; the bound is loose so slow CI machines pass.
    const auto request = request_for(english_pdf());
    ConvertResult result;
    render_pdf(request, RenderLimits{}, result);
    const auto start = std::chrono::steady_clock::now();
    render_pdf(request_for(english_pdf()), RenderLimits{}, result);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    const double per_page = ms / static_cast<double>(result.pages.size());
    std::printf("render_pdf: %zu pages in %.1f ms, %.1f ms per 1000 px page (render, text, encode, write)\n",
                result.pages.size(), ms, per_page);
    EXPECT_LT(per_page, 500.0);
}

// --- text assembly ------------------------------------------------------------------------

TEST(PageTextTest, ChineseLinesJoinWithoutSpace) {
    EXPECT_EQ(join_paragraph_lines({"机关党员干", "部能否"}), "机关党员干部能否");
    EXPECT_EQ(join_paragraph_lines({"率先垂范，", "直接关系到"}), "率先垂范，直接关系到");
    EXPECT_EQ(join_paragraph_lines({"他说：“", "我们"}), "他说：“我们");
    EXPECT_EQ(join_paragraph_lines({"实际成效。”", "下一段"}), "实际成效。”下一段");
    EXPECT_EQ(join_paragraph_lines({"使用", "MuPDF 渲染"}), "使用 MuPDF 渲染");
    EXPECT_EQ(join_paragraph_lines({"日本語の", "テキスト"}), "日本語のテキスト");
}

TEST(PageTextTest, LatinLinesJoinWithOneSpaceAndHyphenatedWordsRejoin) {
    EXPECT_EQ(join_paragraph_lines({"the quick brown", "fox jumps"}), "the quick brown fox jumps");
    EXPECT_EQ(join_paragraph_lines({"a hyphen-", "ated word"}), "a hyphenated word");
    EXPECT_EQ(join_paragraph_lines({"the Trace-", "Monkey compiler"}), "the TraceMonkey compiler");
    EXPECT_EQ(join_paragraph_lines({"IEEE-", "754 doubles"}), "IEEE-754 doubles");
    EXPECT_EQ(join_paragraph_lines({"in 2008-", "02"}), "in 2008-02");
    EXPECT_EQ(join_paragraph_lines({"a good idea --", "Support"}), "a good idea -- Support");
    EXPECT_EQ(join_paragraph_lines({"costs 10 -", "maybe"}), "costs 10 - maybe");
    EXPECT_EQ(join_paragraph_lines({"he said “hi”", "“yes”"}), "he said “hi” “yes”");
    EXPECT_EQ(join_paragraph_lines({"Korean 한국어", "문장입니다"}), "Korean 한국어 문장입니다");
}

TEST(PageTextTest, TidyCollapsesSpacesAndDropsSpacesBetweenCjk) {
    EXPECT_EQ(tidy_text_line("  two   spaces\there  "), "two spaces here");
    EXPECT_EQ(tidy_text_line("骨 直 关 门"), "骨直关门");
    EXPECT_EQ(tidy_text_line("中文 English 中文"), "中文 English 中文");
    EXPECT_EQ(tidy_text_line("한국어 문장"), "한국어 문장");
    EXPECT_EQ(tidy_text_line("bell\x07 and\x7f del"), "bell and del");
    EXPECT_EQ(tidy_text_line("\xE3\x80\x80\xE3\x80\x80缩进"), "缩进");
    EXPECT_TRUE(valid_utf8(tidy_text_line("bad \xC3\x28 bytes \xED\xA0\x80 here")));
}

TEST(PageTextTest, CjkClassification) {
    EXPECT_TRUE(is_cjk_char(U'中'));
    EXPECT_TRUE(is_cjk_char(U'。'));
    EXPECT_TRUE(is_cjk_char(U'，'));
    EXPECT_TRUE(is_cjk_char(U'《'));
    EXPECT_TRUE(is_cjk_char(U'か'));
    EXPECT_TRUE(is_cjk_char(U'\U00020B9F'));
    EXPECT_FALSE(is_cjk_char(U'한'));
    EXPECT_FALSE(is_cjk_char(U'a'));
}

TEST(DocumentTitleTest, PlaceholdersAndOfficePrefixes) {
    EXPECT_EQ(clean_document_title("  Annual   Report  "), "Annual Report");
    EXPECT_EQ(clean_document_title("Microsoft Word - x.doc"), "x");
    EXPECT_EQ(clean_document_title("Microsoft Word - 年度总结.docx"), "年度总结");
    EXPECT_EQ(clean_document_title("Microsoft PowerPoint - deck"), "deck");
    EXPECT_EQ(clean_document_title(""), "");
    EXPECT_EQ(clean_document_title("   "), "");
    EXPECT_EQ(clean_document_title("untitled"), "");
    EXPECT_EQ(clean_document_title("Untitled"), "");
    EXPECT_EQ(clean_document_title("无标题"), "");
    EXPECT_EQ(clean_document_title("---"), "");
}

TEST(WebpEncoderTest, EncodesAndRefusesImpossibleSizes) {
    const int width = 64;
    const int height = 48;
    const std::ptrdiff_t stride = std::ptrdiff_t{3} * width;
    const std::vector<unsigned char> white(static_cast<std::size_t>(stride) * height, 255);
    const std::string webp = encode_webp_rgb(white.data(), width, height, stride, WebpOptions{});
    int w = 0, h = 0;
    ASSERT_TRUE(WebPGetInfo(reinterpret_cast<const uint8_t*>(webp.data()), webp.size(), &w, &h));
    EXPECT_EQ(w, width);
    EXPECT_EQ(h, height);
    EXPECT_THROW(encode_webp_rgb(white.data(), 0, 48, 0, WebpOptions{}), UsageError);
    EXPECT_THROW(encode_webp_rgb(white.data(), 20000, 1, 60000, WebpOptions{}), UsageError);
    EXPECT_THROW(encode_webp_rgb(white.data(), width, height, stride, WebpOptions{101}), UsageError);
}

}  // namespace
}  // namespace wenku::worker
