#include "worker/html_layout.h"

#include <algorithm>

#include <mupdf/pdf.h>

#include "core/errors.h"
#include "worker/renderer.h"

namespace wenku::worker {
namespace {

std::string with_body_language(std::string_view html);

}  // namespace

PaperSize paper_size(std::string_view paper) { return paper == "letter" ? letter_paper : a4_paper; }

void write_html_as_pdf(std::string_view html, const std::filesystem::path& pdf_path,
                       std::size_t memory_limit_bytes, std::string_view paper) {
    MupdfContext mu(memory_limit_bytes);
    const std::string name = pdf_path.filename().string();
    const std::string tagged = with_body_language(html);
    FzDocument doc(mu.get());
    open_html(mu, tagged, paper_size(paper), doc, name);
    PdfDocument pdf(mu.get());
    char title[1024] = {};
    auto error = mu.attempt([&](fz_context* c) {
        pdf.slot() = pdf_create_document(c);
        if (fz_lookup_metadata(c, doc.get(), FZ_META_INFO_TITLE, title, sizeof title) > 0 && title[0]) {
            pdf_obj* info = pdf_add_new_dict(c, pdf.get(), 1);
            pdf_dict_put_drop(c, pdf_trailer(c, pdf.get()), PDF_NAME(Info), info);
            pdf_dict_put_text_string(c, info, PDF_NAME(Title), title);
        }
    });
    if (error) throw EnvironmentError("cannot start " + pdf_path.string() + ": " + error->message);

    int page_count = 0;
    error = mu.attempt([&](fz_context* c) { page_count = fz_count_pages(c, doc.get()); });
    for (int i = 0; !error && i < page_count; ++i) {
        FzPage page(mu.get());
        FzDevice device(mu.get());
        FzBuffer contents(mu.get());
        PdfObject resources(mu.get());
        PdfObject page_object(mu.get());
        error = mu.attempt([&](fz_context* c) {
            page.slot() = fz_load_page(c, doc.get(), i);
            const fz_rect box = fz_bound_page(c, page.get());
            device.slot() = pdf_page_write(c, pdf.get(), box, &resources.slot(), &contents.slot());
            fz_run_page(c, page.get(), device.get(), fz_identity, nullptr);
            fz_close_device(c, device.get());
            page_object.slot() = pdf_add_page(c, pdf.get(), box, 0, resources.get(), contents.get());
            pdf_insert_page(c, pdf.get(), -1, page_object.get());
        });
    }
    if (!error) {
        error = mu.attempt([&](fz_context* c) {
            pdf_write_options options = pdf_default_write_options;
            options.do_compress = 1;
            options.do_compress_fonts = 1;
            options.do_garbage = 1;
            pdf_save_document(c, pdf.get(), pdf_path.c_str(), &options);
        });
    }
    if (error) throw EnvironmentError("cannot write " + pdf_path.string() + ": " + error->message);
}

void open_html(MupdfContext& mu, std::string_view html, PaperSize paper, FzDocument& doc,
               const std::string& name) {
    FzStream stream(mu.get());
    auto error = mu.attempt([&](fz_context* c) {
        stream.slot() = fz_open_memory(c, reinterpret_cast<const unsigned char*>(html.data()), html.size());
        doc.slot() = fz_open_document_with_stream(c, "text/html", stream.get());
        fz_layout_document(c, doc.get(), paper.width, paper.height, html_em);
    });
    if (error) {
        if (is_out_of_memory(*error)) throw_too_large(mu, name);
        throw InputError(error_code::corrupt, name + " could not be laid out: " + error->message);
    }
}

namespace {

// MuPDF 1.21 tags Han text without a language as Japanese when it writes PDF, and encodes it with
// UniJIS, which drops simplified-only characters (员, 说, ...). wenku's default language is
// Simplified Chinese, so a <body> without a lang attribute gets lang="zh-CN". (MuPDF ignores lang
// on <html>.) HTML without a <body> tag is returned unchanged.
std::string with_body_language(std::string_view html) {
    std::string lower(html);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
    std::size_t body = lower.find("<body");
    while (body != std::string::npos) {
        const char next = body + 5 < lower.size() ? lower[body + 5] : '\0';
        if (next == '>' || next == ' ' || next == '\t' || next == '\n' || next == '\r' || next == '/') break;
        body = lower.find("<body", body + 5);
    }
    if (body == std::string::npos) return std::string(html);
    const std::size_t end = lower.find('>', body);
    if (end == std::string::npos) return std::string(html);
    const std::string_view tag = std::string_view(lower).substr(body, end - body);
    if (tag.find(" lang=") != std::string_view::npos || tag.find("\tlang=") != std::string_view::npos ||
        tag.find("\nlang=") != std::string_view::npos) {
        return std::string(html);
    }
    std::string out(html);
    out.insert(body + 5, " lang=\"zh-CN\"");
    return out;
}

}  // namespace
}  // namespace wenku::worker
