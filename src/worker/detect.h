#pragma once
// Type detection by content: magic bytes and container signatures, never the extension alone.
#include <string>
#include <string_view>

namespace wenku::worker {

/// What the bytes are. `pdf`, `txt` and `md` are converted; the containers are recognised so that
/// the error says what the file is.
enum class DetectedType { empty, pdf, zip, ole, rtf, biff, text, binary };  // biff: a bare Excel 2-4 sheet

/// Classifies a file from its first bytes (at least 8 KiB when the file has them).
DetectedType detect_type(std::string_view head);

/// True when `name` ends in .md, .markdown or .mdown (case-insensitive): a text file is then
/// laid out as Markdown instead of plain text.
bool has_markdown_extension(std::string_view name);

/// True when `name` ends in .csv or .tsv (case-insensitive): a text file is then laid out as a
/// table (csv_to_html) instead of plain text.
bool has_csv_extension(std::string_view name);

}  // namespace wenku::worker
