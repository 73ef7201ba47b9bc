#include "worker/renderer.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string_view>

#include <mupdf/fitz.h>
#include <mupdf/pdf.h>

#include "core/errors.h"
#include "worker/html_layout.h"
#include "worker/mupdf_context.h"
#include "worker/mupdf_text.h"
#include "worker/page_renderer.h"

namespace wenku::worker {
namespace {

namespace fs = std::filesystem;

// How many of MuPDF's own diagnostics are passed on as warnings.
constexpr std::size_t mupdf_messages_kept = 20;

void render_file(const ConvertRequest& request, const RenderLimits& limits, ConvertResult& result,
                 RenderWarnings& warnings, const char* magic, const char* format);
std::string display_name(const ConvertRequest& request);
void start_context(std::optional<MupdfContext>& context, const RenderLimits& limits, const std::string& name);
void pass_on_messages(const MupdfContext& mu, RenderWarnings& warnings);
int count_pages(MupdfContext& mu, fz_document* doc, const ConvertRequest& request, const std::string& name,
                bool& repaired);
std::string lookup_title(MupdfContext& mu, fz_document* doc);
std::string ascii_lower(std::string_view s);
bool has_word_character(std::string_view s);

}  // namespace

void render_pdf(const ConvertRequest& request, const RenderLimits& limits, ConvertResult& result,
                RenderWarnings& warnings) {
    render_file(request, limits, result, warnings, "application/pdf", "pdf");
}

void render_epub(const ConvertRequest& request, const RenderLimits& limits, ConvertResult& result,
                 RenderWarnings& warnings) {
    render_file(request, limits, result, warnings, "application/epub+zip", "epub");
}

void render_pdf(const ConvertRequest& request, const RenderLimits& limits, ConvertResult& result) {
    RenderWarnings ignored;
    render_pdf(request, limits, result, ignored);
}

void render_html(std::string_view html, const ConvertRequest& request, const RenderLimits& limits,
                 ConvertResult& result, RenderWarnings& warnings) {
    const std::string name = display_name(request);
    std::optional<MupdfContext> context;
    start_context(context, limits, name);
    MupdfContext& mu = *context;
    try {
        FzDocument doc(mu.get());
        open_html(mu, html, paper_size(request.paper), doc, name);
        bool repaired = false;
        const int pages = count_pages(mu, doc.get(), request, name, repaired);
        render_pages(mu, doc.get(), nullptr, pages, request, limits, name, result, warnings);
    } catch (...) {
        pass_on_messages(mu, warnings);
        throw;
    }
    pass_on_messages(mu, warnings);
}

void render_html(std::string_view html, const ConvertRequest& request, const RenderLimits& limits,
                 ConvertResult& result) {
    RenderWarnings ignored;
    render_html(html, request, limits, result, ignored);
}

std::string clean_document_title(std::string_view raw) {
    std::string title = tidy_text_line(raw);
    for (const char* prefix : {"microsoft word - ", "microsoft powerpoint - ", "microsoft excel - "}) {
        if (ascii_lower(title).rfind(prefix, 0) == 0) {
            title.erase(0, std::strlen(prefix));
            for (const char* ext : {".docx", ".doc", ".pptx", ".ppt", ".xlsx", ".xls", ".rtf"}) {
                const std::size_t n = std::strlen(ext);
                if (title.size() > n && ascii_lower(title.substr(title.size() - n)) == ext) {
                    title.erase(title.size() - n);
                    break;
                }
            }
            title = tidy_text_line(title);
            break;
        }
    }
    static const char* const placeholders[] = {
        "untitled", "untitled document", "no title", "title",      "document",
        "无标题",   "无标题文档",        "未命名",   "未命名文档", "文档"};
    const std::string lower = ascii_lower(title);
    for (const char* placeholder : placeholders) {
        if (lower == placeholder) return {};
    }
    if (lower.rfind("untitled-", 0) == 0 || lower.rfind("untitled ", 0) == 0) return {};
    if (!has_word_character(title) || title.find("\xEF\xBF\xBD") != std::string::npos) return {};
    return title;
}

namespace {

/// Opens request.input_path as `magic` (never by its name), lays out reflowable formats on
/// request.paper, and renders it. `format` goes into the result.
void render_file(const ConvertRequest& request, const RenderLimits& limits, ConvertResult& result,
                 RenderWarnings& warnings, const char* magic, const char* format) {
    const std::string name = display_name(request);
    std::error_code ec;
    const auto size = fs::file_size(request.input_path, ec);
    if (ec) throw EnvironmentError("cannot read " + request.input_path + ": " + ec.message());
    if (size == 0) throw InputError(error_code::empty, name + " is empty (0 bytes)");

    std::optional<MupdfContext> context;
    start_context(context, limits, name);
    MupdfContext& mu = *context;
    try {
        FzDocument doc(mu.get());
        {
            FzStream stream(mu.get());
            if (auto error = mu.attempt(
                    [&](fz_context* c) { stream.slot() = fz_open_file(c, request.input_path.c_str()); })) {
                throw EnvironmentError("cannot open " + request.input_path + ": " + error->message);
            }
            // The content decides the format: always parse as `magic`, whatever the name says.
            if (auto error = mu.attempt([&](fz_context* c) {
                    doc.slot() = fz_open_document_with_stream(c, magic, stream.get());
                    if (fz_is_document_reflowable(c, doc.get())) {
                        const PaperSize paper = paper_size(request.paper);
                        fz_layout_document(c, doc.get(), paper.width, paper.height, html_em);
                    }
                })) {
                throw_document_error(mu, *error, name);
            }
        }
        int needs_password = 0;
        int unlocked = 0;
        auto error = mu.attempt([&](fz_context* c) {
            needs_password = fz_needs_password(c, doc.get());
            if (needs_password) unlocked = fz_authenticate_password(c, doc.get(), "");
        });
        if (error) throw_document_error(mu, *error, name);
        if (needs_password && !unlocked)
            throw InputError(error_code::encrypted, name + " is password-protected");

        bool repaired = false;
        const int pages = count_pages(mu, doc.get(), request, name, repaired);
        if (repaired)
            warnings.push_back(name + " was damaged and has been repaired; some content may be missing");
        result.title = clean_document_title(lookup_title(mu, doc.get()));
        // A PDF's text is read by poppler, in reading order, when it sees the same pages MuPDF does.
        std::optional<PdfText> pdf_text;
        if (std::string_view(format) == "pdf") {
            pdf_text.emplace(request.input_path);
            if (pdf_text->page_count() != pages) pdf_text.reset();
        }
        render_pages(mu, doc.get(), pdf_text ? &*pdf_text : nullptr, pages, request, limits, name, result,
                     warnings);
        result.format = format;
    } catch (...) {
        pass_on_messages(mu, warnings);
        throw;
    }
    pass_on_messages(mu, warnings);
}

std::string display_name(const ConvertRequest& request) {
    if (!request.original_name.empty()) return request.original_name;
    return fs::path(request.input_path).filename().string();
}

// Creates the MuPDF context for one conversion; when not even that fits in the memory limit, the
// document is too large like any other that exceeds it.
void start_context(std::optional<MupdfContext>& context, const RenderLimits& limits,
                   const std::string& name) {
    try {
        context.emplace(limits.memory_limit_bytes);
    } catch (const InputError&) {
        throw_too_large(limits.memory_limit_bytes, name);
    }
}

// Appends what MuPDF reported (repairs, font substitutions) to the caller's warnings.
void pass_on_messages(const MupdfContext& mu, RenderWarnings& warnings) {
    const auto& messages = mu.messages();
    const std::size_t n = std::min(messages.size(), mupdf_messages_kept);
    for (std::size_t i = 0; i < n; ++i) warnings.push_back("mupdf " + messages[i]);
    if (messages.size() > n) {
        warnings.push_back("mupdf: " + std::to_string(messages.size() - n) + " more messages not shown");
    }
}

// " (MuPDF's first error)", or empty when it reported none.
std::string first_error_of(const MupdfContext& mu) {
    for (const auto& message : mu.messages()) {
        if (message.rfind("error: ", 0) == 0) return " (" + message.substr(7) + ")";
    }
    return {};
}

// Counts pages, enforcing the page limit. No pages in a file MuPDF had to repair, or threw errors
// about while opening, means damage (a lost page tree) rather than an empty document.
int count_pages(MupdfContext& mu, fz_document* doc, const ConvertRequest& request, const std::string& name,
                bool& repaired) {
    int pages = 0;
    int rebuilt = 0;
    if (auto error = mu.attempt([&](fz_context* c) {
            pages = fz_count_pages(c, doc);
            if (pdf_document* pdf = pdf_specifics(c, doc)) rebuilt = pdf_was_repaired(c, pdf);
        })) {
        throw_document_error(mu, *error, name);
    }
    repaired = rebuilt != 0;
    if (pages <= 0) {
        if (mu.memory_error_count() > 0) throw_too_large(mu, name);
        if (repaired || mu.error_count() > 0) {
            throw InputError(error_code::corrupt,
                             name + " is damaged: no pages can be found in it" + first_error_of(mu));
        }
        throw InputError(error_code::empty, name + " has no pages");
    }
    if (pages > request.max_pages) {
        throw InputError(error_code::too_large, name + " has " + std::to_string(pages) +
                                                    " pages; the limit is " +
                                                    std::to_string(request.max_pages));
    }
    return pages;
}

std::string lookup_title(MupdfContext& mu, fz_document* doc) {
    char buffer[1024] = {};
    int length = -1;
    mu.attempt([&](fz_context* c) {
        length = fz_lookup_metadata(c, doc, FZ_META_INFO_TITLE, buffer, sizeof buffer);
    });
    if (length <= 0) return {};
    buffer[sizeof buffer - 1] = '\0';
    return buffer;
}

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
    return out;
}

bool has_word_character(std::string_view s) {
    for (unsigned char c : s) {
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80)
            return true;
    }
    return false;
}

}  // namespace
}  // namespace wenku::worker
