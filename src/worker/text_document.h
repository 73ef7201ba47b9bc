#pragma once
// Plain text becomes HTML that render_html() lays out into pages, and gives a document its title.
// Markdown (worker/markdown.h) and CSV (worker/csv_table.h) have their own layouts; all three
// share the page of worker/page_html.h. Pure functions over untrusted bytes (fuzzed); run inside
// the worker. Neither crashes, loops or allocates more than a small multiple of its input on any
// input; work is linear in input size.
#include <string>
#include <string_view>

namespace wenku::worker {

/// A complete HTML document for plain text, for A4 or Letter pages: special characters escaped, blank lines
/// separate paragraphs, single line breaks kept, runs of spaces and indentation kept (tabs expand
/// to 4 columns), long unbreakable runs given break opportunities (U+200B), CJK-friendly CSS.
/// Invalid UTF-8 in `utf8` becomes U+FFFD.
std::string text_to_html(std::string_view utf8);

/// The first non-blank line, trimmed and cut to 80 characters (code points, never splitting one),
/// or empty. Invalid UTF-8 becomes U+FFFD; control characters are dropped.
std::string first_line_title(std::string_view utf8);

}  // namespace wenku::worker
