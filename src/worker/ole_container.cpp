#include <array>
#include <string>

#include "core/conversion.h"
#include "core/errors.h"
#include "worker/container.h"
#include "worker/little_endian.h"
#include "worker/mapped_file.h"
#include "worker/ole_reader.h"
#include "worker/zip_reader.h"

namespace wenku::worker {
namespace {

/// Bytes of the Excel Workbook stream searched for FILEPASS (it follows the first BOF closely).
constexpr std::size_t max_workbook_scan = 256 * 1024;

std::string password_message(const std::string& name, const char* what);
bool is_stream(const ole::DirectoryEntry* entry);
void check_word(const ole::CompoundFile& file, const ole::DirectoryEntry& stream, const std::string& name);
void check_excel(const ole::CompoundFile& file, const ole::DirectoryEntry& stream, const std::string& name);
void check_powerpoint(const ole::CompoundFile& file, const std::string& name);
std::string describe_other_ole(const ole::CompoundFile& file);

}  // namespace

ContainerInfo inspect_ole_bytes(std::string_view bytes, std::string_view display_name) {
    const std::string name(display_name);
    if (bytes.empty()) throw InputError(error_code::empty, name + " is empty (0 bytes)");
    const ole::CompoundFile file(bytes, name);
    // The document's own streams must be whole (a truncated file fails here, whatever is read).
    file.check_root_streams();

    if (is_stream(file.find("EncryptedPackage")) || is_stream(file.find("EncryptionInfo"))) {
        throw InputError(error_code::encrypted,
                         password_message(name, "an encrypted Office Open XML document"));
    }
    if (const auto* word = file.find("WordDocument"); is_stream(word)) {
        check_word(file, *word, name);
        return {"doc"};
    }
    const auto* workbook = file.find("Workbook");
    if (!is_stream(workbook)) workbook = file.find("Book");
    if (is_stream(workbook)) {
        check_excel(file, *workbook, name);
        return {"xls"};
    }
    if (is_stream(file.find("PowerPoint Document"))) {
        check_powerpoint(file, name);
        return {"ppt"};
    }
    if (is_stream(file.find("PP40"))) return {"ppt"};  // PowerPoint 4.0
    throw InputError(error_code::unsupported,
                     name + " is an OLE compound file without a Word, Excel or PowerPoint document (" +
                         describe_other_ole(file) + ")");
}

ContainerInfo inspect_ole(const std::filesystem::path& path, std::string_view display_name) {
    const MappedFile file(path);
    return inspect_ole_bytes(file.bytes(), display_name);
}

namespace {

std::string password_message(const std::string& name, const char* what) {
    return name + " is password-protected (" + what + "); save a copy without a password and add that";
}

bool is_stream(const ole::DirectoryEntry* entry) {
    return entry != nullptr && entry->type == ole::DirectoryEntry::Type::stream;
}

void check_word(const ole::CompoundFile& file, const ole::DirectoryEntry& stream, const std::string& name) {
    // The FIB starts the WordDocument stream: wIdent, nFib, ..., flags at 0x0A ([MS-DOC] 2.5.2).
    const std::string fib = file.read_stream(stream, 32);
    if (fib.size() < 12)
        throw InputError(error_code::corrupt, name + " is damaged: its WordDocument stream is too short");
    const std::uint16_t ident = le16(fib, 0);
    if (ident != 0xA5EC && ident != 0xA5DC) {
        throw InputError(error_code::corrupt,
                         name + " is damaged: its WordDocument stream has no Word file header");
    }
    constexpr std::uint16_t word_encrypted_flag = 0x0100;  // fEncrypted
    if ((le16(fib, 0x0A) & word_encrypted_flag) != 0)
        throw InputError(error_code::encrypted, password_message(name, "an encrypted Word document"));
}

void check_excel(const ole::CompoundFile& file, const ole::DirectoryEntry& stream, const std::string& name) {
    // BIFF records: type (2 bytes), length (2 bytes), data. The globals substream opens with BOF;
    // FILEPASS before its EOF means the workbook is encrypted ([MS-XLS] 2.4.117).
    constexpr std::uint16_t eof_record = 0x000A;
    constexpr std::uint16_t file_pass = 0x002F;
    const std::string data = file.read_stream(stream, max_workbook_scan);
    const std::uint16_t first = data.size() >= 4 ? le16(data, 0) : 0;
    if (first != 0x0809 && first != 0x0409 && first != 0x0209 && first != 0x0009) {
        throw InputError(error_code::corrupt, name + " is damaged: its " + stream.name +
                                                  " stream does not start with a BOF record");
    }
    std::size_t at = 0;
    while (at + 4 <= data.size()) {
        const std::uint16_t type = le16(data, at);
        if (type == file_pass)
            throw InputError(error_code::encrypted, password_message(name, "an encrypted Excel workbook"));
        if (type == eof_record) break;
        at += 4 + static_cast<std::size_t>(le16(data, at + 2));
    }
}

void check_powerpoint(const ole::CompoundFile& file, const std::string& name) {
    if (is_stream(file.find("EncryptedSummary"))) {
        throw InputError(error_code::encrypted,
                         password_message(name, "an encrypted PowerPoint presentation"));
    }
    // CurrentUserAtom: record header (recType 0x0FF6), size, headerToken ([MS-PPT] 2.3.2).
    constexpr std::uint32_t encrypted_token = 0xF3D1C4DF;
    if (const auto* user = file.find("Current User"); is_stream(user)) {
        const std::string atom = file.read_stream(*user, 16);
        if (atom.size() >= 16 && le16(atom, 2) == 0x0FF6 && le32(atom, 12) == encrypted_token) {
            throw InputError(error_code::encrypted,
                             password_message(name, "an encrypted PowerPoint presentation"));
        }
    }
}

/// What a compound file without an Office document is, for the message.
std::string describe_other_ole(const ole::CompoundFile& file) {
    struct Known {
        std::string_view stream;
        const char* what;
    };
    static constexpr std::array<Known, 7> known_streams = {{
        {"VisioDocument", "a Visio drawing"},
        {"Quill", "a Publisher document"},
        {"__properties_version1.0", "an Outlook message"},
        {"FileHeader", "a Hangul (HWP) document"},
        {"Equation Native", "an Equation Editor object"},
        {"MatOST", "a Microsoft Works document"},
        {"CONTENTS", "a Microsoft Works or other non-Office document"},
    }};
    for (const auto& known : known_streams) {
        if (file.find(known.stream) != nullptr) return known.what;
    }
    std::string names;
    std::size_t listed = 0;
    for (const auto* entry : file.root_children()) {
        if (listed == 6) {
            names += ", …";
            break;
        }
        names += (listed++ == 0 ? "" : ", ") + zip::printable_name(entry->name);
    }
    return names.empty() ? "it holds no streams" : "its streams: " + names;
}

}  // namespace
}  // namespace wenku::worker
