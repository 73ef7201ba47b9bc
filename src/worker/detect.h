#pragma once
// Type detection by content: magic bytes and container signatures, never the extension alone.
#include <string>
#include <string_view>

namespace wenku::worker {

/// What the bytes are. `pdf`, `txt` and `md` are converted; the containers are recognised so that
/// the error says what the file is.
/// biff: a bare Excel 2-4 sheet; html: HTML markup (see looks_like_html), a "text" that is a page.
enum class DetectedType { empty, pdf, zip, ole, rtf, biff, html, text, binary };

/// Classifies a file from its first bytes (at least 8 KiB when the file has them).
DetectedType detect_type(std::string_view head);

/// True when `name` ends in .md, .markdown or .mdown (case-insensitive): a text file is then
/// laid out as Markdown instead of plain text.
bool has_markdown_extension(std::string_view name);

/// True when `name` ends in .txt or .text (case-insensitive): the uploader calls the file text, so
/// HTML in it is shown as its source rather than laid out as a page.
bool has_text_extension(std::string_view name);

/// True when `name` ends in .csv or .tsv (case-insensitive): a text file is then laid out as a
/// table (csv_to_html) instead of plain text.
bool has_csv_extension(std::string_view name);

}  // namespace wenku::worker
