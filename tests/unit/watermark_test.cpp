// Preview watermarks: drawn across every preview and the cover, Chinese-capable, never in the page
// text; opacity 0 changes nothing; and cheap enough to leave on.
#include "worker/watermark.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <webp/decode.h>

#include "support/test_support.h"
#include "worker/mupdf_context.h"
#include "worker/renderer.h"

namespace wenku::worker {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

const std::string chinese_paragraph =
    "机关党员干部能否以身作则、率先垂范，直接关系到党的形象和威信，关系到人心向背。"
    "各级机关要把作风建设摆在更加突出的位置，坚持问题导向，聚焦群众反映强烈的突出问题。";

std::string document_html(int pages) {
    std::string body;
    for (int i = 0; i < pages; ++i) {
        body += "<h1>第" + std::to_string(i + 1) + "章</h1>";
        for (int k = 0; k < 6; ++k) body += "<p>" + chinese_paragraph + " Quarterly widget report.</p>";
        if (i + 1 < pages) body += "<div style=\"page-break-after:always\"></div>";
    }
    return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body lang=\"zh-CN\">" + body +
           "</body></html>";
}

struct Rgb {
    std::vector<std::uint8_t> pixels;
    int width = 0;
    int height = 0;
};

Rgb decode(const fs::path& file) {
    const std::string bytes = test::read_file(file);
    Rgb image;
    std::uint8_t* data = WebPDecodeRGB(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(),
                                       &image.width, &image.height);
    if (!data) return {};
    image.pixels.assign(
        data, data + static_cast<std::size_t>(image.width) * 3 * static_cast<std::size_t>(image.height));
    WebPFree(data);
    return image;
}

// How many pixels differ by more than WebP's lossy noise, per horizontal third of the image.
struct Difference {
    std::size_t total = 0;
    std::size_t thirds[3] = {0, 0, 0};
};

Difference compare(const Rgb& a, const Rgb& b) {
    Difference d;
    if (a.width != b.width || a.height != b.height) return d;
    for (int y = 0; y < a.height; ++y) {
        for (int x = 0; x < a.width; ++x) {
            const std::size_t i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(a.width) +
                                   static_cast<std::size_t>(x)) *
                                  3;
            int delta = 0;
            for (int k = 0; k < 3; ++k) delta = std::max(delta, std::abs(a.pixels[i + k] - b.pixels[i + k]));
            if (delta > 12) {
                ++d.total;
                ++d.thirds[std::min(2, y * 3 / a.height)];
            }
        }
    }
    return d;
}

class WatermarkTest : public ::testing::Test {
  protected:
    ConvertResult render(const std::string& html, const std::string& watermark, int opacity,
                         double* seconds = nullptr) {
        ConvertRequest request;
        request.output_dir = (dir.path() / ("out" + std::to_string(++jobs))).string();
        request.watermark = watermark;
        request.watermark_opacity = opacity;
        ConvertResult result;
        const auto start = std::chrono::steady_clock::now();
        render_html(html, request, RenderLimits{}, result);
        if (seconds)
            *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return result;
    }

    fs::path out(int job, const std::string& file) const {
        return dir.path() / ("out" + std::to_string(job)) / file;
    }

    TempDir dir;
    int jobs = 0;
};

TEST_F(WatermarkTest, DrawnAcrossEveryPreviewAndTheCoverButNeverInTheText) {
    const std::string html = document_html(2);
    const ConvertResult plain = render(html, "", 12);
    const int plain_job = jobs;
    const ConvertResult marked = render(html, "wenku 文库 内部资料", 25);
    const int marked_job = jobs;
    ASSERT_EQ(plain.pages.size(), 2u);
    ASSERT_EQ(marked.pages.size(), 2u);
    for (std::size_t i = 0; i < plain.pages.size(); ++i) {
        EXPECT_EQ(plain.pages[i].text, marked.pages[i].text);
        EXPECT_EQ(marked.pages[i].text.find("wenku"), std::string::npos);
        EXPECT_EQ(marked.pages[i].text.find("内部资料"), std::string::npos);
        const Rgb a = decode(out(plain_job, plain.pages[i].preview));
        const Rgb b = decode(out(marked_job, marked.pages[i].preview));
        ASSERT_GT(a.width, 0);
        const Difference d = compare(a, b);
        const std::size_t pixels = static_cast<std::size_t>(a.width) * static_cast<std::size_t>(a.height);
        std::printf("[watermark] page %zu: %zu of %zu pixels differ (top %zu, middle %zu, bottom %zu)\n",
                    i + 1, d.total, pixels, d.thirds[0], d.thirds[1], d.thirds[2]);
        // Repeated over the whole page: every third of it is marked, but it covers little of it.
        EXPECT_GT(d.total, pixels / 100);
        EXPECT_LT(d.total, pixels / 3);
        for (std::size_t third : d.thirds) EXPECT_GT(third, pixels / 1000);
    }
    const Difference cover =
        compare(decode(out(plain_job, "cover.webp")), decode(out(marked_job, "cover.webp")));
    EXPECT_GT(cover.total, 100u);
}

TEST_F(WatermarkTest, OpacityZeroOrEmptyTextChangesNothing) {
    const std::string html = document_html(1);
    const ConvertResult plain = render(html, "", 12);
    const int plain_job = jobs;
    render(html, "wenku 文库", 0);
    const int zero_job = jobs;
    render(html, " \t\n", 50);
    const int blank_job = jobs;
    for (const int job : {zero_job, blank_job}) {
        EXPECT_EQ(test::read_file(out(plain_job, plain.pages[0].preview)),
                  test::read_file(out(job, plain.pages[0].preview)));
        EXPECT_EQ(test::read_file(out(plain_job, "cover.webp")), test::read_file(out(job, "cover.webp")));
    }
}

TEST_F(WatermarkTest, CostsLittlePerPage) {
    const std::string html = document_html(10);
    double plain_seconds = 0;
    double marked_seconds = 0;
    render(html, "", 12, &plain_seconds);  // warms MuPDF's font loading up
    render(html, "", 12, &plain_seconds);
    const ConvertResult marked = render(html, "wenku 文库 内部资料 请勿外传", 12, &marked_seconds);
    ASSERT_EQ(marked.pages.size(), 10u);
    std::printf("[watermark] 10 pages: %.1f ms without, %.1f ms with the watermark (%.2f ms per page)\n",
                plain_seconds * 1000, marked_seconds * 1000, (marked_seconds - plain_seconds) * 100);

    // The drawing alone, on a 1000 px wide A4 preview.
    MupdfContext mu(std::size_t{256} << 20);
    const Watermark watermark("wenku 文库 内部资料 请勿外传", 12);
    fz_pixmap* pixmap = nullptr;
    const float scale = 1000.0f / 595.0f;
    constexpr int rounds = 50;
    const auto start = std::chrono::steady_clock::now();
    auto error = mu.attempt([&](fz_context* c) {
        pixmap = fz_new_pixmap(c, fz_device_rgb(c), 1000, 1416, nullptr, 0);
        for (int i = 0; i < rounds; ++i) {
            fz_clear_pixmap_with_value(c, pixmap, 255);
            watermark.draw(c, pixmap, fz_scale(scale, scale), fz_rect{0, 0, 595, 842});
        }
    });
    const double per_draw =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / rounds;
    fz_drop_pixmap(mu.get(), pixmap);
    ASSERT_FALSE(error) << error->message;
    std::printf("[watermark] drawing it on a 1000x1416 preview: %.2f ms\n", per_draw * 1000);
    EXPECT_LT(per_draw, 0.05);
}

// Draws `text` as a watermark on a white A4 pixmap and returns its gray samples.
std::vector<unsigned char> drawn(const std::string& text, int opacity) {
    MupdfContext mu(std::size_t{256} << 20);
    const Watermark watermark(text, opacity);
    fz_pixmap* pixmap = nullptr;
    std::vector<unsigned char> samples;
    auto error = mu.attempt([&](fz_context* c) {
        pixmap = fz_new_pixmap(c, fz_device_gray(c), 300, 424, nullptr, 0);
        fz_clear_pixmap_with_value(c, pixmap, 255);
        watermark.draw(c, pixmap, fz_scale(300.0f / 595, 300.0f / 595), fz_rect{0, 0, 595, 842});
    });
    if (!error) {
        const unsigned char* s = fz_pixmap_samples(mu.get(), pixmap);
        samples.assign(s, s + 300 * 424);
    }
    fz_drop_pixmap(mu.get(), pixmap);
    EXPECT_FALSE(error) << error->message;
    return samples;
}

TEST(Watermark, ChineseCharactersAreDrawnAsThemselvesNotAsMissingGlyphBoxes) {
    // Missing glyphs would all be the same box: different characters must give different pictures.
    const auto a = drawn("文库文库", 100);
    const auto b = drawn("书馆书馆", 100);
    const auto c = drawn("文库文库", 50);
    ASSERT_FALSE(a.empty());
    EXPECT_NE(a, b);
    std::size_t inked = 0;
    unsigned char darkest = 255;
    for (unsigned char v : a) {
        inked += v < 250;
        darkest = std::min(darkest, v);
    }
    EXPECT_GT(inked, a.size() / 50);
    EXPECT_LE(darkest, 140);  // mid grey at full opacity
    unsigned char darkest_half = 255;
    for (unsigned char v : c) darkest_half = std::min(darkest_half, v);
    EXPECT_GT(darkest_half, 180);  // half as dark at 50%
}

TEST(Watermark, TextIsTidiedAndBounded) {
    EXPECT_EQ(Watermark("  wenku\t文库\n\x01 资料  ", 12).text(), "wenku 文库 资料");
    EXPECT_EQ(Watermark("bad \xFF\xFE utf8", 12).text(), "bad utf8");
    std::string long_text;
    for (int i = 0; i < 200; ++i) long_text += "文";
    EXPECT_EQ(Watermark(long_text, 12).text().size(), Watermark::max_code_points * 3);
    EXPECT_TRUE(Watermark("wenku", 0).empty());
    EXPECT_TRUE(Watermark("wenku", -5).empty());
    EXPECT_TRUE(Watermark(" \t\n", 50).empty());
    EXPECT_FALSE(Watermark("wenku", 150).empty());
}

TEST(Watermark, PagesOfExtremeProportionsStayCheap) {
    MupdfContext mu(std::size_t{256} << 20);
    const Watermark watermark("wenku 文库", 12);
    fz_pixmap* pixmap = nullptr;
    const auto start = std::chrono::steady_clock::now();
    auto error = mu.attempt([&](fz_context* c) {
        pixmap = fz_new_pixmap(c, fz_device_rgb(c), 10, 16000, nullptr, 0);
        fz_clear_pixmap_with_value(c, pixmap, 255);
        // A 1 x 1,600,000 pt strip drawn 10 px wide.
        watermark.draw(c, pixmap, fz_scale(10, 0.01f), fz_rect{0, 0, 1, 1600000});
    });
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fz_drop_pixmap(mu.get(), pixmap);
    ASSERT_FALSE(error) << error->message;
    std::printf("[watermark] 1 x 1,600,000 pt strip: %.3f s\n", seconds);
}

}  // namespace
}  // namespace wenku::worker
