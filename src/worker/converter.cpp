#include "worker/converter.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/errors.h"
#include "worker/detect.h"
#include "worker/text_document.h"

namespace wenku::worker {
namespace fs = std::filesystem;

namespace {

std::string display_name(const ConvertRequest& request) {
    return request.original_name.empty() ? fs::path(request.input_path).filename().string() : request.original_name;
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

void convert_text(const ConvertRequest& request, const RenderLimits& limits, ConvertResult& result) {
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
    const bool markdown = has_markdown_extension(name);
    result.format = markdown ? "md" : "txt";
    render_html(markdown ? markdown_to_html(text) : text_to_html(text), request, limits, result);
    result.title = markdown ? markdown_title(text) : "";
    if (result.title.empty()) result.title = first_line_title(text);
}

}  // namespace

ConvertResult convert_document(const ConvertRequest& request, const RenderLimits& limits) {
    ConvertResult result;
    const std::string name = display_name(request);
    try {
        switch (detect_type(read_head(request.input_path, 8192))) {
            case DetectedType::empty:
                throw InputError(error_code::empty, name + " is empty (0 bytes)");
            case DetectedType::pdf:
                render_pdf(request, limits, result);
                result.format = "pdf";
                break;
            case DetectedType::text:
                convert_text(request, limits, result);
                break;
            case DetectedType::zip:
                throw InputError(error_code::unsupported,
                                 name + " is a ZIP container (Office Open XML, OpenDocument, EPUB or an archive); "
                                        "only PDF, plain text and Markdown are converted");
            case DetectedType::ole:
                throw InputError(error_code::unsupported,
                                 name + " is a legacy Office file (doc, xls or ppt); only PDF, plain text and "
                                        "Markdown are converted");
            case DetectedType::rtf:
                throw InputError(error_code::unsupported,
                                 name + " is an RTF document; only PDF, plain text and Markdown are converted");
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
    return result;
}

}  // namespace wenku::worker
