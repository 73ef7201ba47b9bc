#pragma once
// office_to_pdf() through the real LibreOfficeKit in tests: fixtures written as Flat ODF (plain XML
// that LibreOffice loads as .fodt/.fods/.fodp), converted and rendered back, and what to check the
// results with. One process can start LibreOfficeKit only once, so every test of a binary that
// links this shares one instance and one profile (made on first use, removed when the tests end).
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/conversion.h"
#include "worker/office_converter.h"

namespace wenku::test {

/// The options every test converts with; the profile folder is made on first use.
const worker::OfficeOptions& office_options();

/// A Flat ODF document of type `mimetype` ("text", "spreadsheet", "presentation").
std::string flat_odf(const std::string& mimetype, const std::string& head, const std::string& body);
/// A text document: `styles` inside <office:styles>, `paragraphs` inside <office:text>; paragraphs
/// of style "Break" start a new page.
std::string fodt(const std::string& paragraphs, const std::string& styles = "",
                 const std::string& extra_head = "");
/// Spreadsheet cells and a presentation slide.
std::string string_cell(const std::string& text);
std::string number_cell(int value);
std::string slide(const std::string& name, const std::string& text);

struct Converted {
    std::filesystem::path pdf;
    std::filesystem::path render_dir;  // previews and cover
    ConvertResult result;
    double convert_ms = 0;
};

/// office_to_pdf() then render_pdf() of `bytes` saved as `name`, inside `dir`.
Converted convert_fixture(const std::filesystem::path& dir, const std::string& name, std::string_view format,
                          const std::string& bytes);

/// `text` without spaces, tabs and line breaks.
std::string without_spaces(std::string_view text);
/// Whether `tool -v` runs.
bool have_tool(const std::string& tool);
/// Names of the fonts embedded in `pdf`, subset prefixes ("ABCDEF+") removed (needs pdffonts).
std::vector<std::string> embedded_fonts(const std::filesystem::path& pdf);
/// "a, b, c".
std::string joined(const std::vector<std::string>& items);

/// The decoded RGBA pixels of a WebP preview.
struct Image {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> rgba;
};
Image decode_webp(const std::filesystem::path& file);

/// Share of pixels whose colour differs clearly (more than lossy-coding noise) between two
/// images of the same size; 1.0 when the sizes differ.
double differing_share(const Image& a, const Image& b);

}  // namespace wenku::test
