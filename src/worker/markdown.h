#pragma once
// Markdown becomes HTML that render_html() lays out into pages, and gives a document its title.
// Pure functions over untrusted bytes (fuzzed); run inside the worker. Neither crashes, loops or
// allocates more than a small multiple of its input on any input; work is linear in input size.
#include <string>
#include <string_view>

namespace wenku::worker {

/// A complete HTML document for Markdown (CommonMark + GitHub tables, strikethrough, task lists and
/// autolinks, via md4c), with the same page CSS as text_to_html(). Hostile input stays inert: raw
/// HTML is escaped and shown as text, images become their alt text (nothing is ever loaded), links
/// keep their target only for http, https, mailto and in-page (#) targets, YAML front matter is
/// left out, and nesting deeper than the layout engine should see is flattened.
/// Invalid UTF-8 becomes U+FFFD.
std::string markdown_to_html(std::string_view utf8);

/// The text of the first non-empty heading (ATX "# ..." or setext) of Markdown, with inline markup,
/// images and raw HTML removed, whitespace collapsed and cut to 80 characters; headings inside
/// code blocks and YAML front matter are skipped. Empty when there is no such heading.
std::string markdown_title(std::string_view utf8);

}  // namespace wenku::worker
