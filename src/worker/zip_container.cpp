#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

#include "core/conversion.h"
#include "core/errors.h"
#include "worker/container.h"
#include "worker/mapped_file.h"
#include "worker/zip_reader.h"
#include "worker/zip_xml_scanner.h"

namespace wenku::worker {
namespace {

// --- Limits -----------------------------------------------------------------------------------

/// Entries at most this large are exempt from the ratio check: small XML parts legitimately
/// compress 100-200× (runs of identical attributes).
constexpr std::uint64_t ratio_check_floor = 1ull << 20;
/// [Content_Types].xml and the ODF manifest are read (and kept) up to this size for identification;
/// the hazard scan still covers all of them.
constexpr std::size_t max_kept_xml = 4u << 20;
/// The `mimetype` entry is read up to this size.
constexpr std::size_t max_mimetype = 256;
/// Bytes of a part without an XML extension that decide whether it is markup (and scanned).
constexpr std::size_t sniff_bytes = 256;

// --- Helpers ----------------------------------------------------------------------------------

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

bool iequals(std::string_view a, std::string_view b) { return lower_ascii(a) == lower_ascii(b); }

bool ends_with_nocase(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

/// The lower-case extension of the last path component ("" when it has none).
std::string extension_of(std::string_view name) {
    const auto slash = name.find_last_of("/\\");
    const std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
    const auto dot = base.rfind('.');
    return dot == std::string_view::npos ? std::string() : lower_ascii(base.substr(dot + 1));
}

/// "1.0 MiB": binary units, one decimal; a value of 1000 or more of a unit moves to the next.
std::string human_size(std::uint64_t bytes) {
    static constexpr std::array<const char*, 7> unit_names = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (bytes < 1000) return std::to_string(bytes) + " B";
    double value = static_cast<double>(bytes);
    std::size_t unit = 0;
    while (value >= 1000 && unit + 1 < unit_names.size()) {
        value /= 1024;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, "%.1f %s", value, unit_names[unit]);
    return text;
}

/// Would writing `name` below a folder leave it? "..", absolute paths (/ or \), drive letters,
/// NUL bytes; Windows' trailing dots and spaces count ("..." and ".. " act as "..").
bool escapes_archive(std::string_view name) {
    if (name.find('\0') != std::string_view::npos) return true;
    if (!name.empty() && (name.front() == '/' || name.front() == '\\')) return true;
    if (name.size() >= 2 && name[1] == ':' &&
        ((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z'))) {
        return true;
    }
    std::size_t start = 0;
    while (start <= name.size()) {
        const auto end = std::min(name.find_first_of("/\\", start), name.size());
        const std::string_view part = name.substr(start, end - start);
        const bool dots_and_spaces = !part.empty() && part.find_first_not_of(". ") == std::string_view::npos;
        if (dots_and_spaces && part.find("..") != std::string_view::npos) return true;
        start = end + 1;
    }
    return false;
}

[[noreturn]] void refuse(const char* code, const std::string& message) { throw InputError(code, message); }

// --- ZIP --------------------------------------------------------------------------------------

/// Content types of OOXML main parts ([Content_Types].xml Override) and the format they mean.
struct MainPartType {
    std::string_view content_type;
    const char* format;
};
constexpr std::array<MainPartType, 13> main_part_types = {{
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "docx"},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml", "docx"},
    {"application/vnd.ms-word.document.macroEnabled.main+xml", "docx"},
    {"application/vnd.ms-word.template.macroEnabledTemplate.main+xml", "docx"},
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", "xlsx"},
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml", "xlsx"},
    {"application/vnd.ms-excel.sheet.macroEnabled.main+xml", "xlsx"},
    {"application/vnd.ms-excel.template.macroEnabled.main+xml", "xlsx"},
    {"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml", "pptx"},
    {"application/vnd.openxmlformats-officedocument.presentationml.template.main+xml", "pptx"},
    {"application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml", "pptx"},
    {"application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml", "pptx"},
    {"application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml", "pptx"},
}};

/// OpenDocument and EPUB media types (the `mimetype` entry) and the format they mean.
struct MediaType {
    std::string_view media_type;
    const char* format;
};
constexpr std::array<MediaType, 8> media_types = {{
    {"application/vnd.oasis.opendocument.text", "odt"},
    {"application/vnd.oasis.opendocument.text-template", "odt"},
    {"application/vnd.oasis.opendocument.text-master", "odt"},
    {"application/vnd.oasis.opendocument.spreadsheet", "ods"},
    {"application/vnd.oasis.opendocument.spreadsheet-template", "ods"},
    {"application/vnd.oasis.opendocument.presentation", "odp"},
    {"application/vnd.oasis.opendocument.presentation-template", "odp"},
    {"application/epub+zip", "epub"},
}};

const char* format_for_media_type(std::string_view media_type) {
    for (const auto& m : media_types) {
        if (iequals(media_type, m.media_type)) return m.format;
    }
    return nullptr;
}

/// Extensions of parts that are XML (or HTML/SVG) by convention: always scanned in full.
bool has_xml_extension(std::string_view name) {
    static constexpr std::array<std::string_view, 18> extension_list = {
        "xml",  "rels", "opf",  "xhtml", "xht", "html", "htm", "ncx", "svg",
        "smil", "xsl",  "xslt", "vml",   "mml", "dtd",  "ent", "xsd", "rdf",
    };
    const std::string ext = extension_of(name);
    return std::find(extension_list.begin(), extension_list.end(), ext) != extension_list.end();
}

/// Parts in which a public DOCTYPE (XHTML, SVG, NCX) is normal.
bool is_web_part(std::string_view name) {
    static constexpr std::array<std::string_view, 8> extension_list = {"xhtml", "xht", "html", "htm",
                                                                       "ncx",   "svg", "smil", "mml"};
    const std::string ext = extension_of(name);
    return std::find(extension_list.begin(), extension_list.end(), ext) != extension_list.end();
}

/// Does `head` (the first bytes of a part) start like markup, in any Unicode encoding form?
bool starts_like_markup(std::string_view head) {
    zip::XmlHazardScanner probe({.allow_public_doctype = true, .forbid_schema_location = false});
    probe.feed(head);
    probe.finish();
    return probe.looks_like_markup();
}

class ZipInspector {
  public:
    ZipInspector(std::string_view bytes, std::string_view display_name, const ContainerLimits& limits)
        : name_(display_name), limits_(limits), archive_(bytes, name_, limits.max_entries) {}

    ContainerInfo run() {
        check_names();
        check_sizes();
        check_encryption();
        ContainerInfo info;
        info.format = identify();
        scan_xml_parts(info.format);
        return info;
    }

  private:
    const std::vector<zip::Entry>& entries() const { return archive_.entries(); }

    void check_names() const {
        for (const auto& entry : entries()) {
            if (escapes_archive(entry.name)) {
                refuse(error_code::unsafe, name_ + " has an entry that points outside the archive: " +
                                               zip::printable_name(entry.name));
            }
        }
    }

    void check_sizes() const {
        for (const auto& entry : entries()) {
            const std::uint64_t usize = entry.uncompressed_size;
            const std::uint64_t csize = entry.compressed_size;
            if (usize > ratio_check_floor &&
                static_cast<double>(usize) > limits_.max_ratio * static_cast<double>(csize)) {
                const std::string ratio = csize == 0 ? std::string("∞") : std::to_string(usize / csize);
                refuse(error_code::too_large,
                       name_ + " is a decompression bomb: " + zip::printable_name(entry.name) +
                           " would inflate from " + human_size(csize) + " to " + human_size(usize) + " (" +
                           ratio + "×)");
            }
        }
        for (const auto& entry : entries()) {
            if (entry.uncompressed_size > limits_.max_entry_bytes) {
                refuse(error_code::too_large, name_ + " is too large: " + zip::printable_name(entry.name) +
                                                  " would inflate to " + human_size(entry.uncompressed_size) +
                                                  " (the limit for one entry is " +
                                                  human_size(limits_.max_entry_bytes) + ")");
            }
        }
        std::uint64_t total = 0;
        for (const auto& entry : entries()) {
            total = entry.uncompressed_size > std::numeric_limits<std::uint64_t>::max() - total
                        ? std::numeric_limits<std::uint64_t>::max()
                        : total + entry.uncompressed_size;
        }
        if (total > limits_.max_total_bytes) {
            refuse(error_code::too_large, name_ + " is too large: its " + std::to_string(entries().size()) +
                                              " entries would inflate to " + human_size(total) +
                                              " in all (the limit is " + human_size(limits_.max_total_bytes) +
                                              ")");
        }
        // Entries that share compressed data (overlapping-entry bombs) inflate the same bytes
        // many times over. Locating every entry also validates every local header.
        std::vector<std::pair<zip::Extent, std::size_t>> extents;
        extents.reserve(entries().size());
        for (std::size_t i = 0; i < entries().size(); ++i)
            extents.emplace_back(archive_.extent(entries()[i]), i);
        std::sort(extents.begin(), extents.end(),
                  [](const auto& a, const auto& b) { return a.first.begin < b.first.begin; });
        for (std::size_t i = 1; i < extents.size(); ++i) {
            if (extents[i].first.begin < extents[i - 1].first.end) {
                refuse(error_code::too_large, name_ + " is a decompression bomb: its entries " +
                                                  zip::printable_name(entries()[extents[i - 1].second].name) +
                                                  " and " +
                                                  zip::printable_name(entries()[extents[i].second].name) +
                                                  " overlap (they share data)");
            }
        }
    }

    void check_encryption() const {
        for (const auto& entry : entries()) {
            if (entry.encrypted()) {
                refuse(error_code::encrypted, name_ +
                                                  " is password-protected: its ZIP entries are encrypted (" +
                                                  zip::printable_name(entry.name) +
                                                  "); save a copy without a password and add that");
            }
        }
    }

    std::optional<std::size_t> find(std::string_view entry_name, bool ignore_case) const {
        for (std::size_t i = 0; i < entries().size(); ++i) {
            const std::string& n = entries()[i].name;
            if (ignore_case ? iequals(n, entry_name) : n == entry_name) return i;
        }
        return std::nullopt;
    }

    /// The first `max_bytes` of an entry that is not XML (the `mimetype`).
    std::string read_raw(std::size_t index, std::size_t max_bytes) const {
        std::string out;
        archive_.read(entries()[index], [&](std::string_view piece) {
            out.append(piece.substr(0, max_bytes - out.size()));
            return out.size() < max_bytes;
        });
        return out;
    }

    zip::XmlScanPolicy policy_for(std::string_view entry_name, std::string_view format) const {
        zip::XmlScanPolicy policy;
        policy.allow_public_doctype = format == "epub" || is_web_part(entry_name);
        policy.forbid_schema_location = format == "xlsx" && ends_with_nocase(entry_name, "xmlmaps.xml");
        return policy;
    }

    [[noreturn]] void refuse_hazard(const zip::XmlHazard& hazard, const std::string& part) const {
        using Kind = zip::XmlHazard::Kind;
        std::string message;
        switch (hazard.kind) {
            case Kind::doctype:
            case Kind::none:
                message = " contains an XML document type declaration in " + part +
                          " (entity expansion or external entity attack)";
                break;
            case Kind::entity:
                message = " contains an XML entity declaration in " + part +
                          " (entity expansion or external entity attack)";
                break;
            case Kind::external_dtd:
                message = " contains an XML document type declaration in " + part + " that loads the DTD \"" +
                          hazard.detail + "\" (external entity attack)";
                break;
            case Kind::hidden_encoding:
                message = " contains XML in the character encoding " + hazard.detail + " in " + part +
                          ", which hides markup from inspection (documents use UTF-8 or UTF-16)";
                break;
            case Kind::external_schema:
                message = " contains an XML schema in " + part + " that loads \"" + hazard.detail +
                          "\" (external entity attack)";
                break;
        }
        refuse(error_code::unsafe, name_ + message);
    }

    /// Inflates entry `index` through the hazard scanner (refusing on a hazard) and returns the
    /// kept leading characters. Parts without an XML extension are scanned only when their first
    /// bytes look like markup.
    std::string scan(std::size_t index, std::string_view format, std::size_t keep = 0) {
        const zip::Entry& entry = entries()[index];
        scanned_[index] = true;
        const bool always = has_xml_extension(entry.name) || keep > 0;
        if (!always && entry.method != zip::method_stored && entry.method != zip::method_deflated) {
            return {};  // nobody reads it (LibreOffice neither), so it cannot hide markup
        }
        zip::XmlHazardScanner scanner(policy_for(entry.name, format), keep);
        std::string head;  // sniffed bytes while undecided
        enum class Mode { sniffing, scanning, skipping } mode = always ? Mode::scanning : Mode::sniffing;
        archive_.read(entry, [&](std::string_view piece) {
            if (mode == Mode::sniffing) {
                const std::size_t take = std::min(piece.size(), sniff_bytes - head.size());
                head.append(piece.substr(0, take));
                if (head.size() < sniff_bytes) return true;
                mode = starts_like_markup(head) ? Mode::scanning : Mode::skipping;
                if (mode == Mode::skipping) return false;
                if (!scanner.feed(head)) return false;
                piece.remove_prefix(take);
            }
            return scanner.feed(piece);
        });
        if (mode == Mode::sniffing) {  // a short part: decide on all of it
            if (!starts_like_markup(head)) return {};
            scanner.feed(head);
        }
        if (mode == Mode::skipping) return {};
        scanner.finish();
        if (scanner.hazard().kind != zip::XmlHazard::Kind::none) {
            refuse_hazard(scanner.hazard(), zip::printable_name(entry.name));
        }
        return scanner.kept();
    }

    std::string identify() {
        scanned_.assign(entries().size(), false);
        const auto content_types = find("[Content_Types].xml", true);

        std::string mimetype;
        if (const auto m = find("mimetype", false)) {
            mimetype = read_raw(*m, max_mimetype);
            const auto last = mimetype.find_last_not_of(" \t\r\n");
            mimetype.erase(last == std::string::npos ? 0 : last + 1);
            mimetype.erase(0, std::min(mimetype.find_first_not_of(" \t\r\n"), mimetype.size()));
            if (const char* format = format_for_media_type(mimetype)) return format;
            if (!content_types) {
                if (mimetype.starts_with("application/vnd.oasis.opendocument.")) {
                    refuse(error_code::unsupported, name_ + " is an OpenDocument file of type " +
                                                        zip::printable_name(mimetype) +
                                                        ", which wenku does not convert");
                }
                refuse(error_code::unsupported, name_ + " is a ZIP-based file of type " +
                                                    zip::printable_name(mimetype) +
                                                    ", not a document wenku converts");
            }
        }

        if (content_types) {
            const std::string types = lower_ascii(scan(*content_types, "docx", max_kept_xml));
            for (const auto& main : main_part_types) {
                if (types.find(lower_ascii(main.content_type)) != std::string::npos) return main.format;
            }
            if (find("word/document.xml", true)) return "docx";
            if (find("xl/workbook.xml", true)) return "xlsx";
            if (find("ppt/presentation.xml", true)) return "pptx";
            refuse(error_code::unsupported, name_ +
                                                " is an Office Open XML package, but not a Word, Excel or "
                                                "PowerPoint document");
        }

        // OpenDocument without a `mimetype` entry: the manifest names the root's media type.
        if (const auto manifest = find("META-INF/manifest.xml", false)) {
            const std::string text = scan(*manifest, "odt", max_kept_xml);
            const auto root = text.find("full-path=\"/\"");
            if (root != std::string::npos) {
                const auto open = text.rfind('<', root);
                const auto close = text.find('>', root);
                const std::string element =
                    text.substr(open == std::string::npos ? 0 : open,
                                close == std::string::npos ? std::string::npos : close - open);
                const auto type_at = element.find("media-type=\"");
                if (type_at != std::string::npos) {
                    const auto begin = type_at + 12;
                    const std::string media = element.substr(begin, element.find('"', begin) - begin);
                    if (const char* format = format_for_media_type(media);
                        format && std::string_view(format) != "epub") {
                        return format;
                    }
                }
            }
        }
        // EPUB without a `mimetype` entry: the container names an OPF package.
        if (const auto container = find("META-INF/container.xml", false)) {
            const std::string text = scan(*container, "epub", max_kept_xml);
            if (text.find("application/oebps-package+xml") != std::string::npos) return "epub";
        }

        if (entries().empty())
            refuse(error_code::unsupported, name_ + " is an empty ZIP archive, not a document");
        refuse(error_code::unsupported, name_ + " is a ZIP archive, not a document");
    }

    void scan_xml_parts(const std::string& format) {
        for (std::size_t i = 0; i < entries().size(); ++i) {
            const zip::Entry& entry = entries()[i];
            if (scanned_[i] || entry.uncompressed_size == 0) continue;
            if (!entry.name.empty() && (entry.name.back() == '/' || entry.name.back() == '\\')) continue;
            scan(i, format);
        }
    }

    std::string name_;
    const ContainerLimits& limits_;
    zip::Archive archive_;
    std::vector<bool> scanned_;
};

}  // namespace

ContainerInfo inspect_zip_bytes(std::string_view bytes, std::string_view display_name,
                                const ContainerLimits& limits) {
    if (bytes.empty()) refuse(error_code::empty, std::string(display_name) + " is empty (0 bytes)");
    return ZipInspector(bytes, display_name, limits).run();
}

ContainerInfo inspect_zip(const std::filesystem::path& path, std::string_view display_name,
                          const ContainerLimits& limits) {
    const MappedFile file(path);
    return inspect_zip_bytes(file.bytes(), display_name, limits);
}

}  // namespace wenku::worker
