#pragma once
// HTML that arrives as a document: the "Excel export" that is an HTML table saved under an .xls
// name, or a web page saved as .doc. It is reduced to its text and structure (tables, paragraphs,
// lists, emphasis) before LibreOffice lays it out, so that nothing in it can run or reach out:
// no scripts, no style sheets, no pictures, frames, objects, forms or links. Pure functions over
// untrusted bytes (fuzzed); run inside the worker. Work is linear in the input.
#include <string>
#include <string_view>

namespace wenku::worker {

/// True when `head`, the first bytes of a file, is HTML markup: after an optional UTF-8
/// byte-order mark and white space it starts with '<', and within its first KiB it opens an
/// <html>, <body> or <table> element (or declares <!DOCTYPE html>).
bool looks_like_html(std::string_view head);

/// A self-contained UTF-8 HTML document holding what `html` (UTF-8 markup) shows, and nothing
/// that could load, run or link anything. Kept: text, character references, and the elements
/// of tables, paragraphs, headings, lists, line breaks and emphasis, with their layout
/// attributes (span, alignment, size, colour, border) and inline styles that name no resource.
/// Dropped with their content: script, style, head-only and embedding elements (iframe, object,
/// svg, ...), comments (Office's conditional comments among them), processing instructions and
/// declarations. Dropped but their content kept: every other element (links, fonts, forms,
/// html/head/body themselves). Never fails: markup that does not parse is kept as text.
std::string sanitise_html(std::string_view html);

}  // namespace wenku::worker
