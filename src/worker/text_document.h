#pragma once
// Plain text, Markdown and CSV/TSV become HTML that render_html() lays out into pages.
// Pure functions over untrusted bytes (fuzzed); run inside the worker. None of them crashes, loops
// or allocates more than a small multiple of its input on any input; work is linear in input size.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace wenku::worker {

/// The encodings a text file can arrive in.
enum class TextEncoding { utf8, utf8_bom, utf16le_bom, utf16be_bom, gb18030, latin1 };
/// A stable lower-case name ("utf8", "gb18030", ...), for logs and the conversion result.
const char* to_string(TextEncoding e);

/// Detects the encoding of `bytes`: a UTF-8 or UTF-16 byte-order mark first; then UTF-8 when the
/// bytes are strictly valid UTF-8 (a sequence cut off by the end of the file is tolerated); then
/// GB18030 (GBK and GB2312 are subsets) when the bytes have GB18030's structure and most
/// double-byte characters fall in GB2312's hanzi and punctuation rows; then UTF-8 again when at
/// most one multi-byte sequence in ten is broken; else Latin-1 (decoded as windows-1252).
/// Never fails: every byte string is some Latin-1 text.
TextEncoding detect_text_encoding(std::string_view bytes);

/// Decodes `bytes` in `encoding` to valid UTF-8. A leading byte-order mark is dropped; invalid or
/// truncated sequences and lone UTF-16 surrogates become U+FFFD; CRLF and CR become '\n'; NUL and
/// the other C0 control characters except '\n' and '\t' (and DEL) are dropped.
/// Throws EnvironmentError only when glibc cannot provide its GB18030 converter (see
/// prepare_text_decoding()).
std::string decode_to_utf8(std::string_view bytes, TextEncoding encoding);

/// Loads glibc's GB18030 converter for the calling thread now, so that decode_to_utf8() keeps
/// working after the worker has lost access to /usr/lib/.../gconv (call it before sandboxing).
/// Throws EnvironmentError when the converter is unavailable.
void prepare_text_decoding();

/// Encodes UTF-8 text in `charset` (an iconv name such as "GB18030" or "UTF-16LE"). Throws
/// UsageError when iconv does not know the charset or a character has no mapping in it.
std::string encode_from_utf8(std::string_view utf8, const char* charset);

/// Does `bytes`, read in `encoding`, look like a text file rather than binary data? Looks at the
/// first 64 KiB only: false when they hold a NUL character, or when more than 5% of their
/// characters are control characters (other than tab, line feed, carriage return and form feed),
/// C1 controls, or undecodable (U+FFFD). Pass the raw bytes with their detected encoding: text that
/// went through decode_to_utf8() has lost its control characters, so only U+FFFD still counts.
bool looks_like_text(std::string_view bytes, TextEncoding encoding = TextEncoding::utf8);

/// A complete HTML document for plain text, for A4 pages: special characters escaped, blank lines
/// separate paragraphs, single line breaks kept, runs of spaces and indentation kept (tabs expand
/// to 4 columns), long unbreakable runs given break opportunities (U+200B), CJK-friendly CSS.
/// Invalid UTF-8 in `utf8` becomes U+FFFD.
std::string text_to_html(std::string_view utf8);

/// A complete HTML document for Markdown (CommonMark + GitHub tables, strikethrough, task lists and
/// autolinks, via md4c), with the same page CSS as text_to_html(). Hostile input stays inert: raw
/// HTML is escaped and shown as text, images become their alt text (nothing is ever loaded), links
/// keep their target only for http, https, mailto and in-page (#) targets, YAML front matter is
/// left out, and nesting deeper than the layout engine should see is flattened.
std::string markdown_to_html(std::string_view utf8);

/// Caps on what a CSV table shows; the work stays linear in the input whatever it holds.
struct CsvLimits {
    std::size_t max_columns = 256;       // fields past this are folded into the last shown cell
    std::size_t max_rows = 20'000;       // records past this are counted, not shown
    std::size_t max_cells = 400'000;     // ... and so are records once this many cells are shown
    std::size_t max_cell_bytes = 16'384; // a longer field is cut (on a character boundary) and ends in "…"
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
/// from parse_csv() with default limits). Up to 24 columns: one table with rules between rows
/// (MuPDF does not give the cells of a row one height, so boxed cells would look ragged), a
/// smaller font the more columns there are (10 pt up to 6 columns, 6 pt past 16), long values
/// given break opportunities at about the column's width. Wider: one paragraph per record,
/// "name：value" for each non-empty field. The first record is the header (a shaded bold row, or
/// the names of the fields) when it looks like one: two or more records, its cells non-empty,
/// distinct, short and not numbers or dates. Line breaks inside values are kept, everything is
/// escaped, and a note above or below says when columns were folded, values cut or records left
/// out. Invalid UTF-8 becomes U+FFFD.
std::string csv_to_html(std::string_view utf8);

/// The text of the first non-empty heading (ATX "# ..." or setext) of Markdown, with inline markup,
/// images and raw HTML removed, whitespace collapsed and cut to 80 characters; headings inside
/// code blocks and YAML front matter are skipped. Empty when there is no such heading.
std::string markdown_title(std::string_view utf8);

/// The first non-blank line, trimmed and cut to 80 characters (code points, never splitting one),
/// or empty. Invalid UTF-8 becomes U+FFFD; control characters are dropped.
std::string first_line_title(std::string_view utf8);

}  // namespace wenku::worker
