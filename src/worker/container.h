#pragma once
// Inspection of ZIP (OOXML, OpenDocument, EPUB) and OLE compound files (legacy Office) before any
// converter sees them: what the file really is, whether it is encrypted, and whether its structure
// is hostile. Our own parsers over untrusted bytes (fuzzed): bounded work, no allocation beyond
// the limits, never inflating more than the limits allow, never expanding XML entities.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace wenku::worker {

struct ContainerLimits {
    std::uint64_t max_entries = 20'000;            // entries in a ZIP directory
    std::uint64_t max_entry_bytes = 512ull << 20;  // uncompressed size of one entry
    std::uint64_t max_total_bytes = 1ull << 30;    // uncompressed size of all entries
    double max_ratio = 100.0;                      // uncompressed / compressed, per entry (large entries)
};

/// What a container holds.
struct ContainerInfo {
    /// "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub" (ZIP); "doc", "xls", "ppt" (OLE).
    /// Macro-enabled and template variants (.docm, .dotx, .xlsm, .pptm, .ppsx, .ott, ...) report
    /// their base format. Kingsoft Writer (.wps) files are Word-format OLE files and report "doc";
    /// PowerPoint 4.0 and 95 files report "ppt". Never empty: anything else throws.
    std::string format;
};

/// Inspects the ZIP file at `path`: reads the central directory (and only what it must inflate,
/// within the limits: the `mimetype` entry, XML parts scanned for <!DOCTYPE / <!ENTITY).
/// Throws InputError with code:
///   too_large   — a decompression bomb: too many entries, or sizes or ratios over the limits,
///                 or entries that share compressed data
///   unsafe      — entry names that escape (.., absolute, drive letters, NUL), or XML with
///                 DOCTYPE/ENTITY, an encoding that hides markup (UTF-7, EBCDIC), or an Excel XML
///                 map whose schema loads another (schemaLocation)
///   corrupt     — a damaged or truncated directory, a missing local header, or an XML part that
///                 does not inflate to its declared size and CRC (a lying size is never trusted:
///                 inflation stops one byte past it)
///   encrypted   — ZIP entries encrypted with a password
///   unsupported — a ZIP archive that is no document format wenku converts, or an XML part
///                 compressed with a method other than stored or deflate
/// `display_name` is used in messages. Also throws InputError `empty` for a 0-byte file and
/// EnvironmentError when the file cannot be read.
///
/// Order of the checks (the first failing one decides): directory structure (corrupt, too many
/// entries), entry names (unsafe), sizes and ratios (too_large: ratio first, for entries over
/// 1 MiB; then one entry's size; then the total; then entries sharing data), encryption, the
/// document type (unsupported), then every XML part of the document (unsafe, or corrupt when it
/// cannot be inflated). DOCTYPE rules: none at all in Office Open XML and OpenDocument parts; in
/// EPUB content and in SVG/XHTML parts a DOCTYPE is allowed when it has no internal subset and
/// names no DTD or a well-known public one (W3C, DAISY, IDPF). <!ENTITY is refused everywhere.
ContainerInfo inspect_zip(const std::filesystem::path& path, std::string_view display_name,
                          const ContainerLimits& limits = {});

/// inspect_zip() over the archive's bytes in memory (the file version maps the file and calls
/// this; fuzzed). Same results and errors.
ContainerInfo inspect_zip_bytes(std::string_view bytes, std::string_view display_name,
                                const ContainerLimits& limits = {});

/// Inspects the OLE compound file at `path`: which streams it has (WordDocument, Workbook/Book,
/// PowerPoint Document; EncryptedPackage + EncryptionInfo means an encrypted OOXML file) and
/// whether the document is password-protected (Word FIB fEncrypted, Excel FILEPASS, PowerPoint
/// CryptSession / encrypted current user). Throws InputError encrypted / corrupt / unsupported.
/// Only the root storage's own streams decide: objects embedded in a document (a workbook inside
/// a Word file) do not. PowerPoint encryption is recognised by the EncryptedSummary stream and
/// by the Current User atom's encrypted header token ([MS-PPT] 2.3.2); the persist directory's
/// CryptSession10Container is not read. Also throws InputError `empty` for a 0-byte file and
/// EnvironmentError when the file cannot be read.
ContainerInfo inspect_ole(const std::filesystem::path& path, std::string_view display_name);

/// inspect_ole() over the file's bytes in memory (fuzzed). Same results and errors.
ContainerInfo inspect_ole_bytes(std::string_view bytes, std::string_view display_name);

}  // namespace wenku::worker
