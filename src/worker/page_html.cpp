#include "worker/page_html.h"

namespace wenku::worker {
namespace {

// The page CSS, as MuPDF 1.21's HTML engine draws it: @page margins, white-space: pre-wrap,
// block backgrounds and borders, font-size and line-height work. Table cells do not share their
// row's height, so boxed cells come out ragged: tables get rules between rows instead.
// text-decoration (strikethrough) is not drawn. The CJK fallback font follows the `lang` of the
// element (lang on <html> is ignored, hence lang on <body>) and is a serif face with no bold, so
// body text is serif to match it.
constexpr std::string_view page_css =
    "@page { margin: 2cm; }\n"
    "body { margin: 0; font-family: serif; font-size: 11pt; line-height: 1.6; color: #111; }\n"
    "p { margin: 0 0 0.7em 0; }\n";

}  // namespace

std::string html_document(std::string_view css, std::string_view body) {
    std::string html;
    html.reserve(body.size() + css.size() + page_css.size() + 200);
    html += "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<style>\n";
    html += page_css;
    html += css;
    html += "</style>\n</head>\n<body lang=\"zh-CN\">\n";
    html += body;
    html += "</body>\n</html>\n";
    return html;
}

bool is_blank_char(char32_t cp) {
    return cp == ' ' || cp == '\t' || cp == '\f' || cp == '\v' || cp == 0xA0 || cp == 0x3000 || cp == 0xFEFF;
}

}  // namespace wenku::worker
