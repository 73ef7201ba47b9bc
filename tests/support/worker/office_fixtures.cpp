#include "support/worker/office_fixtures.h"

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <sstream>

#include <gtest/gtest.h>
#include <webp/decode.h>

#include "support/test_support.h"
#include "worker/renderer.h"

namespace wenku::test {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// The shared LibreOffice profile.
class OfficeEnvironment : public ::testing::Environment {
  public:
    // Runs inside RUN_ALL_TESTS, before exit() (which office_converter turns into _exit once
    // LibreOffice runs, so static destructors would not get to delete the folder).
    void TearDown() override {
        if (!root_) return;
        rusage usage{};
        ::getrusage(RUSAGE_SELF, &usage);
        std::printf("[office] peak RSS of this test process: %ld MiB\n", usage.ru_maxrss / 1024);
        root_.reset();
    }
    /// The options every test converts with; the profile folder is made on first use.
    static const worker::OfficeOptions& options() {
        if (!root_) {
            root_ = std::make_unique<TempDir>();
            options_.profile_dir = root_->path() / "lo-profile";
        }
        return options_;
    }

  private:
    static inline std::unique_ptr<TempDir> root_;
    static inline worker::OfficeOptions options_;
};

[[maybe_unused]] const auto* const office_environment =
    ::testing::AddGlobalTestEnvironment(new OfficeEnvironment);

}  // namespace

const worker::OfficeOptions& office_options() { return OfficeEnvironment::options(); }

namespace {

constexpr const char* odf_namespaces =
    "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" "
    "xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" "
    "xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" "
    "xmlns:draw=\"urn:oasis:names:tc:opendocument:xmlns:drawing:1.0\" "
    "xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\" "
    "xmlns:fo=\"urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0\" "
    "xmlns:svg=\"urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0\" "
    "xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
    "xmlns:script=\"urn:oasis:names:tc:opendocument:xmlns:script:1.0\" "
    "xmlns:ooo=\"http://openoffice.org/2004/office\" "
    "xmlns:dom=\"http://www.w3.org/2001/xml-events\" "
    "xmlns:of=\"urn:oasis:names:tc:opendocument:xmlns:of:1.2\" "
    "office:version=\"1.3\"";

}  // namespace

std::string flat_odf(const std::string& mimetype, const std::string& head, const std::string& body) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<office:document " + std::string(odf_namespaces) +
           " office:mimetype=\"application/vnd.oasis.opendocument." + mimetype + "\">\n" + head +
           "<office:body>" + body + "</office:body>\n</office:document>\n";
}

std::string fodt(const std::string& paragraphs, const std::string& styles, const std::string& extra_head) {
    const std::string head =
        extra_head + "<office:styles>" + styles +
        "</office:styles><office:automatic-styles><style:style style:name=\"Break\" "
        "style:family=\"paragraph\"><style:paragraph-properties fo:break-before=\"page\"/>"
        "</style:style></office:automatic-styles>";
    return flat_odf("text", head, "<office:text>" + paragraphs + "</office:text>");
}

std::string string_cell(const std::string& text) {
    return "<table:table-cell office:value-type=\"string\"><text:p>" + text + "</text:p></table:table-cell>";
}

std::string number_cell(int value) {
    const std::string v = std::to_string(value);
    return "<table:table-cell office:value-type=\"float\" office:value=\"" + v + "\"><text:p>" + v +
           "</text:p></table:table-cell>";
}

std::string slide(const std::string& name, const std::string& text) {
    return "<draw:page draw:name=\"" + name +
           "\"><draw:frame svg:x=\"2cm\" svg:y=\"2cm\" svg:width=\"22cm\" "
           "svg:height=\"4cm\"><draw:text-box><text:p>" +
           text + "</text:p></draw:text-box></draw:frame></draw:page>";
}

Converted convert_fixture(const fs::path& dir, const std::string& name, std::string_view format,
                          const std::string& bytes) {
    const fs::path input = dir / "in" / name;
    write_file(input, bytes);
    Converted out;
    out.pdf = dir / "out" / (name + ".pdf");
    const auto start = Clock::now();
    worker::office_to_pdf(input, format, name, out.pdf, office_options());
    out.convert_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    std::printf("[office] %-34s converted in %7.1f ms\n", name.c_str(), out.convert_ms);
    ConvertRequest request;
    request.input_path = out.pdf.string();
    out.render_dir = dir / ("render-" + name);
    request.output_dir = out.render_dir.string();
    request.original_name = name;
    request.preview_width = 600;
    request.ocr = false;
    fs::create_directories(request.output_dir);
    worker::render_pdf(request, worker::RenderLimits{}, out.result);
    return out;
}

std::string without_spaces(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c != ' ' && c != '\n' && c != '\t') out += c;
    }
    return out;
}

bool have_tool(const std::string& tool) {
    try {
        return run_command({tool, "-v"}).exit_code == 0;
    } catch (const std::exception&) {
        return false;
    }
}

std::vector<std::string> embedded_fonts(const fs::path& pdf) {
    const auto listing = run_command({"pdffonts", pdf.string()});
    std::vector<std::string> fonts;
    std::istringstream lines(listing.out);
    std::string line;
    int row = 0;
    while (std::getline(lines, line)) {
        if (row++ < 2 || line.empty()) continue;  // header and rule
        std::string name = line.substr(0, line.find(' '));
        if (const auto plus = name.find('+'); plus != std::string::npos) name.erase(0, plus + 1);
        fonts.push_back(name);
    }
    return fonts;
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out;
}

Image decode_webp(const fs::path& file) {
    const std::string bytes = read_file(file);
    Image image;
    std::uint8_t* pixels = WebPDecodeRGBA(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(),
                                          &image.width, &image.height);
    if (pixels != nullptr) {
        image.rgba.assign(pixels, pixels + static_cast<std::size_t>(image.width) * image.height * 4);
        WebPFree(pixels);
    }
    return image;
}

double differing_share(const Image& a, const Image& b) {
    if (a.width != b.width || a.height != b.height || a.rgba.empty()) return 1.0;
    std::size_t differing = 0;
    for (std::size_t i = 0; i < a.rgba.size(); i += 4) {
        int delta = 0;
        for (int c = 0; c < 3; ++c)
            delta = std::max(delta, std::abs(int{a.rgba[i + c]} - int{b.rgba[i + c]}));
        if (delta > 48) ++differing;
    }
    return static_cast<double>(differing) / static_cast<double>(a.rgba.size() / 4);
}

}  // namespace wenku::test
