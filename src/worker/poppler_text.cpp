#include "worker/poppler_text.h"

#include <exception>
#include <mutex>
#include <vector>

#include <poppler/GlobalParams.h>
#include <poppler/PDFDoc.h>
#include <poppler/TextOutputDev.h>
#include <poppler/goo/GooString.h>

#include "core/utf8.h"
#include "worker/page_html.h"
#include "worker/text_lines.h"

namespace wenku::worker {

namespace {

// poppler's global settings (the CJK character maps of poppler-data among them) are made once per
// process. Its messages about damaged files are not passed on: MuPDF, which draws the pages,
// reports the damage that matters.
void start_poppler() {
    static std::once_flag once;
    std::call_once(once, [] {
        globalParams = std::make_unique<GlobalParams>();
        setErrorCallback([](ErrorCategory, Goffset, const char*) {});
    });
}

// Releases a TextPage taken from a TextOutputDev (they are reference counted).
struct TextPageRelease {
    void operator()(TextPage* page) const { page->decRefCnt(); }
};

// The paragraphs of one page, assembled block by block: a block is a paragraph, unless it goes on
// with a word hyphenated at the end of the block before (a paragraph running on into the next
// column or past a figure), as in pdftotext.
class PageTextBuilder {
  public:
    void add_flow(const TextFlow& flow) {
        for (const TextBlock* block = flow.getBlocks(); block; block = block->getNext()) {
            block_starts_ = true;
            for (const TextLine* line = block->getLines(); line; line = line->getNext()) add_line(*line);
        }
        finish_paragraph();
    }

    std::string text() && { return std::move(text_); }

  private:
    void add_line(const TextLine& line) {
        std::u32string chars;
        bool marked = false;
        for (const TextWord* word = line.getWords(); word; word = word->getNext()) {
            for (int i = 0; i < word->getLength(); ++i) {
                const auto c = static_cast<char32_t>(*word->getChar(i));
                if (c == source_line_mark && chars.empty()) marked = true;
                if (!is_invisible(c)) append_folded(chars, c);
            }
            if (word->getSpaceAfter() && word->getNext()) chars.push_back(' ');
        }
        chars = tidy_line(chars);
        if (chars.empty()) return;
        const bool runs_on =
            !lines_.empty() && ends_in_hyphenation(lines_.back()) && starts_with_letter(chars);
        if (marked || (block_starts_ && !runs_on)) finish_paragraph();
        block_starts_ = false;
        lines_.push_back(std::move(chars));
    }

    void finish_paragraph() {
        const std::u32string joined = join_lines(lines_);
        lines_.clear();
        if (joined.empty()) return;
        if (!text_.empty()) text_.push_back('\n');
        text_ += encode_utf8(joined);
    }

    std::vector<std::u32string> lines_;  // of the paragraph being read
    bool block_starts_ = false;          // the next line is a block's first
    std::string text_;
};

}  // namespace

PdfText::PdfText(const std::string& pdf_path) {
    try {
        start_poppler();
        auto doc =
            std::make_unique<PDFDoc>(std::make_unique<GooString>(pdf_path), GooString(""), GooString(""));
        if (doc->isOk() && doc->getNumPages() > 0) doc_ = std::move(doc);
    } catch (const std::exception&) {
        doc_.reset();
    }
}

PdfText::~PdfText() = default;

int PdfText::page_count() const { return doc_ ? doc_->getNumPages() : 0; }

std::optional<std::string> PdfText::page_text(int index) {
    if (!doc_ || index < 0 || index >= doc_->getNumPages()) return std::nullopt;
    try {
        // pdftotext's reading order: neither physical layout nor raw order, diagonal text kept.
        TextOutputDev device(nullptr, false, 0, false, false);
        if (!device.isOk()) return std::nullopt;
        doc_->displayPage(&device, index + 1, 72, 72, 0, false, true, false);
        const std::unique_ptr<TextPage, TextPageRelease> page(device.takeText());
        if (!page) return std::nullopt;
        PageTextBuilder builder;
        for (const TextFlow* flow = page->getFlows(); flow; flow = flow->getNext()) builder.add_flow(*flow);
        return std::move(builder).text();
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace wenku::worker
