#pragma once
// CSV and TSV files become a table in HTML that render_html() lays out into pages. Pure functions
// over untrusted bytes (fuzzed); run inside the worker. None of them crashes, loops or allocates
// more than a small multiple of its input on any input; work is linear in input size.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace wenku::worker {

/// Caps on what a CSV table shows; the work stays linear in the input whatever it holds.
struct CsvLimits {
    std::size_t max_columns = 256;        // fields past this are folded into the last shown cell
    std::size_t max_rows = 20'000;        // records past this are counted, not shown
    std::size_t max_cells = 400'000;      // ... and so are records once this many cells are shown
    std::size_t max_cell_bytes = 16'384;  // a longer field is cut (on a character boundary) and ends in "…"
};

/// A CSV file split into records of fields, within CsvLimits.
struct CsvTable {
    std::vector<std::vector<std::string>> rows;  // the records shown, each with 1..max_columns cells
    std::size_t total_rows = 0;                  // records in the input (blank lines not counted)
    std::size_t widest = 0;                      // most fields a record had, before folding
    bool cells_cut = false;                      // some field was longer than max_cell_bytes
};

/// The field delimiter of CSV text: ',', '\t' or ';', whichever splits the first records (up to
/// 50, within the first 64 KiB) into the same number of fields, at least 2, most consistently; on
/// a tie tab wins over semicolon over comma (they rarely occur inside values, commas do). ','
/// when none splits them (a single column).
char detect_csv_delimiter(std::string_view utf8);

/// Splits CSV text (UTF-8) into records, RFC 4180 style: fields are separated by `delimiter`,
/// records by line breaks (LF, CRLF or CR); a field starting with '"' is quoted and may hold
/// delimiters, line breaks and doubled quotes ("" stands for "). Lenient where RFC 4180 is
/// strict: text after a closing quote is kept, a quote that is never closed runs to the end, a
/// quote inside an unquoted field is an ordinary character, records may have different numbers
/// of fields. Blank lines (a record of one empty field) are skipped. Fields past
/// limits.max_columns are appended to the last cell, separated by the delimiter. Never fails.
CsvTable parse_csv(std::string_view utf8, char delimiter, const CsvLimits& limits = {});

/// A complete HTML document for a CSV or TSV file (delimiter from detect_csv_delimiter(), fields
/// from parse_csv() within `limits`). Up to 24 columns: one table with rules between rows
/// (MuPDF does not give the cells of a row one height, so boxed cells would look ragged), a
/// smaller font the more columns there are (10 pt up to 6 columns, 6 pt past 16), long values
/// given break opportunities at about the column's width. Wider: one paragraph per record,
/// "name：value" for each non-empty field. The first record is the header (a shaded bold row, or
/// the names of the fields) when it looks like one: two or more records, its cells non-empty,
/// distinct, short and not numbers or dates. Line breaks inside values are kept, everything is
/// escaped, and a note above or below says when columns were folded, values cut or records left
/// out. Invalid UTF-8 becomes U+FFFD.
std::string csv_to_html(std::string_view utf8, const CsvLimits& limits = {});

}  // namespace wenku::worker
