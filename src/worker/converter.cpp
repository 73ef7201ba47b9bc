#include "worker/converter.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/errors.h"
#include "worker/container.h"
#include "worker/csv_table.h"
#include "worker/detect.h"
#include "worker/markdown.h"
#include "worker/text_document.h"
#include "worker/text_encoding.h"

namespace wenku::worker {
namespace fs = std::filesystem;

namespace {

std::string display_name(const ConvertRequest& request) {
    return request.original_name.empty() ? fs::path(request.input_path).filename().string()
                                         : request.original_name;
}

std::string read_head(const fs::path& path, std::size_t n) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw EnvironmentError("cannot read " + path.string());
    std::string head(n, '\0');
    in.read(head.data(), static_cast<std::streamsize>(n));
    head.resize(static_cast<std::size_t>(in.gcount()));
    return head;
}

std::string read_all(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw EnvironmentError("cannot read " + path.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void convert_text(const ConvertRequest& request, const ConverterOptions& options, ConvertResult& result) {
    const std::string name = display_name(request);
    const std::string bytes = read_all(request.input_path);
    const TextEncoding encoding = detect_text_encoding(bytes);
    if (!looks_like_text(bytes, encoding)) {
        throw InputError(error_code::unsupported, name + " is binary data of an unknown type, not text");
    }
    const std::string text = decode_to_utf8(bytes, encoding);
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
        throw InputError(error_code::empty, name + " holds no text");
    }
    if (has_csv_extension(name)) {  // a table: its first line is a header, not a title
        result.format = "csv";
        render_html(csv_to_html(text, options.csv), request, options.render, result);
        result.title.clear();
        return;
    }
    const bool markdown = has_markdown_extension(name);
    result.format = markdown ? "md" : "txt";
    render_html(markdown ? markdown_to_html(text) : text_to_html(text), request, options.render, result);
    result.title = markdown ? markdown_title(text) : "";
    if (result.title.empty()) result.title = first_line_title(text);
}

/// An office document: LibreOffice writes a PDF in the job folder, MuPDF renders that.
void convert_office(const ConvertRequest& request, const ConverterOptions& options, const std::string& format,
                    ConvertResult& result, RenderWarnings& warnings) {
    const fs::path pdf = fs::path(request.output_dir).parent_path() / "office.pdf";
    office_to_pdf(request.input_path, format, display_name(request), pdf, options.office);
    ConvertRequest from_pdf = request;
    from_pdf.input_path = pdf.string();
    render_pdf(from_pdf, options.render, result, warnings);
    std::error_code ec;
    fs::remove(pdf, ec);
    result.format = format;
}

}  // namespace

ConvertResult run_job(const ConvertRequest& request, const ConverterOptions& options) {
    switch (request.job) {
        case JobKind::markdown_pdf:
            return lay_out_markdown_as_pdf(request, options.render);
        case JobKind::convert:
            break;
    }
    return convert_document(request, options);
}

ConvertResult convert_document(const ConvertRequest& request, const ConverterOptions& options) {
    ConvertResult result;
    RenderWarnings warnings;
    const std::string name = display_name(request);
    try {
        switch (detect_type(read_head(request.input_path, 8192))) {
            case DetectedType::empty:
                throw InputError(error_code::empty, name + " is empty (0 bytes)");
            case DetectedType::pdf:
                render_pdf(request, options.render, result, warnings);
                break;
            case DetectedType::text:
                convert_text(request, options, result);
                break;
            case DetectedType::zip: {
                // Bombs, zip-slip names, XML entities and encryption are refused before any
                // converter sees the archive.
                const ContainerInfo info = inspect_zip(request.input_path, name, options.container);
                if (info.format == "epub") {
                    render_epub(request, options.render, result, warnings);
                } else {
                    convert_office(request, options, info.format, result, warnings);
                }
                break;
            }
            case DetectedType::ole:
                convert_office(request, options, inspect_ole(request.input_path, name).format, result,
                               warnings);
                break;
            case DetectedType::rtf:
                convert_office(request, options, "rtf", result, warnings);
                break;
            case DetectedType::biff:
                convert_office(request, options, "xls", result, warnings);
                break;
            case DetectedType::binary:
                throw InputError(error_code::unsupported, name + " is binary data of an unknown type");
        }
        result.ok = true;
    } catch (const InputError& e) {
        result = ConvertResult{};
        result.ok = false;
        result.error_code = e.code();
        result.error = e.what();
    }
    constexpr std::size_t warnings_kept = 50;
    if (warnings.size() > warnings_kept) warnings.resize(warnings_kept);
    result.warnings = std::move(warnings);
    return result;
}

ConvertResult lay_out_markdown_as_pdf(const ConvertRequest& request, const RenderLimits& limits) {
    ConvertResult result;
    const std::string markdown = read_all(request.input_path);
    try {
        write_html_as_pdf(markdown_to_html(markdown), fs::path(request.output_dir) / markdown_pdf_file_name,
                          limits.memory_limit_bytes, request.paper);
    } catch (const InputError& e) {
        result.error_code = e.code();
        result.error = e.what();
        return result;
    }
    result.ok = true;
    result.format = "pdf";
    result.title = markdown_title(markdown);
    return result;
}

}  // namespace wenku::worker
