#pragma once
// 资源描述: a document's description is its text page by page, each page's segment numbered
// ("1、…", "2、…") as 文库 sites show it, so a reader sees what every page holds.
#include <string>
#include <vector>

#include "core/document.h"

namespace wenku {

struct DescriptionSegment {
    int page = 0;
    std::string text;  // the page's text, whitespace folded, cut to the limit at a character boundary
};

/// A page whose text was recognised by OCR (Page::ocr) with fewer visible characters than this
/// gives no segment: a cover's title or letters read in a picture say nothing of the document.
constexpr std::size_t description_min_ocr_chars = 40;

/// One segment per page with text, at most `chars_per_page` characters (code points) each; OCR
/// pages with fewer than description_min_ocr_chars visible characters are left out.
std::vector<DescriptionSegment> describe(const std::vector<Page>& pages, std::size_t chars_per_page);

}  // namespace wenku
