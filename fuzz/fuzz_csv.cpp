// Fuzz target: CSV/TSV handling (delimiter detection, the RFC 4180-style splitter and the HTML
// layout), with the promises of text_document.h as invariants.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "worker/csv_table.h"

using namespace wenku::worker;
using wenku::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const char delimiter = detect_csv_delimiter(bytes);
    require(delimiter == ',' || delimiter == '\t' || delimiter == ';',
            "detect_csv_delimiter chose another delimiter");

    // Small limits, so that every folding and cutting path is reached by small inputs.
    CsvLimits limits;
    limits.max_columns = 4;
    limits.max_rows = 8;
    limits.max_cells = 20;
    limits.max_cell_bytes = 16;
    const CsvTable table = parse_csv(bytes, delimiter, limits);
    require(table.rows.size() <= limits.max_rows, "parse_csv showed more records than max_rows");
    require(table.rows.size() <= table.total_rows, "parse_csv showed records it did not count");
    std::size_t cells = 0;
    for (const auto& row : table.rows) {
        require(!row.empty() && row.size() <= limits.max_columns,
                "parse_csv made a record outside 1..max_columns");
        cells += row.size();
    }
    require(cells <= limits.max_cells + limits.max_columns, "parse_csv showed more cells than max_cells");
    require(table.widest >= (table.rows.empty() ? 0 : 1), "parse_csv's widest record is too narrow");

    const CsvTable full = parse_csv(bytes, delimiter);
    require(full.total_rows == table.total_rows, "parse_csv counts records differently under other limits");

    const std::string html = csv_to_html(bytes);
    require(wenku::fuzz::is_valid_utf8(html), "csv_to_html produced invalid UTF-8");
    require(html.size() <= 64 * size + 64 * 1024, "csv_to_html output is out of proportion");
    require(html.find("<script") == std::string::npos, "csv_to_html let markup through");
    return 0;
}
