// Unit tests for ZIP and OLE inspection over archives built here: identification, hostile names,
// decompression bombs (declared and lying sizes), encryption, XML entity attacks in every encoding
// form, damaged directories, and compound files with broken chains.
#include "worker/container.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/conversion.h"
#include "core/errors.h"
#include "support/test_support.h"
#include "worker/zip_xml_scanner.h"

namespace {

using namespace wenku::worker;
using namespace std::string_literals;
using wenku::InputError;

// --- A small ZIP writer -----------------------------------------------------------------------

void put16(std::string& out, std::uint32_t v) {
    out += static_cast<char>(v & 0xFF);
    out += static_cast<char>((v >> 8) & 0xFF);
}

void put32(std::string& out, std::uint32_t v) {
    put16(out, v & 0xFFFF);
    put16(out, v >> 16);
}

void put64(std::string& out, std::uint64_t v) {
    put32(out, static_cast<std::uint32_t>(v));
    put32(out, static_cast<std::uint32_t>(v >> 32));
}

std::string raw_deflate(std::string_view data) {
    z_stream s{};
    EXPECT_EQ(deflateInit2(&s, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    std::string out(deflateBound(&s, data.size()), '\0');
    s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    s.avail_in = static_cast<uInt>(data.size());
    s.next_out = reinterpret_cast<Bytef*>(out.data());
    s.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&s, Z_FINISH), Z_STREAM_END);
    out.resize(s.total_out);
    deflateEnd(&s);
    return out;
}

struct ZipEntrySpec {
    std::string name;
    std::string data;
    bool deflate = true;
    std::uint16_t flags = 0;
    std::uint16_t method_override = 0xFFFF;             // write this method number instead
    std::optional<std::uint64_t> declared_size;         // lie about the uncompressed size
    std::optional<std::uint32_t> declared_crc;          // lie about the CRC-32
    std::optional<std::string> raw_compressed;          // use these bytes as the compressed data
};

struct ZipOptions {
    bool zip64 = false;  // ZIP64 extra fields and end records
};

std::string make_zip(const std::vector<ZipEntrySpec>& specs, ZipOptions options = {}) {
    std::string out;
    std::string directory;
    for (const auto& spec : specs) {
        const std::string compressed =
            spec.raw_compressed ? *spec.raw_compressed : spec.deflate ? raw_deflate(spec.data) : spec.data;
        const std::uint16_t method = spec.method_override != 0xFFFF ? spec.method_override : spec.deflate ? 8 : 0;
        const std::uint32_t crc = spec.declared_crc
                                      ? *spec.declared_crc
                                      : static_cast<std::uint32_t>(crc32(
                                            0, reinterpret_cast<const Bytef*>(spec.data.data()),
                                            static_cast<uInt>(spec.data.size())));
        const std::uint64_t usize = spec.declared_size.value_or(spec.data.size());
        const std::uint64_t csize = compressed.size();
        const std::uint64_t offset = out.size();

        std::string local_extra;
        std::string central_extra;
        if (options.zip64) {
            put16(local_extra, 0x0001);
            put16(local_extra, 16);
            put64(local_extra, usize);
            put64(local_extra, csize);
            put16(central_extra, 0x0001);
            put16(central_extra, 24);
            put64(central_extra, usize);
            put64(central_extra, csize);
            put64(central_extra, offset);
        }
        const std::uint32_t usize32 = options.zip64 ? 0xFFFFFFFF : static_cast<std::uint32_t>(usize);
        const std::uint32_t csize32 = options.zip64 ? 0xFFFFFFFF : static_cast<std::uint32_t>(csize);

        put32(out, 0x04034b50);
        put16(out, options.zip64 ? 45 : 20);
        put16(out, spec.flags);
        put16(out, method);
        put16(out, 0);
        put16(out, 0x21);
        put32(out, crc);
        put32(out, csize32);
        put32(out, usize32);
        put16(out, static_cast<std::uint32_t>(spec.name.size()));
        put16(out, static_cast<std::uint32_t>(local_extra.size()));
        out += spec.name;
        out += local_extra;
        out += compressed;

        put32(directory, 0x02014b50);
        put16(directory, options.zip64 ? 45 : 20);
        put16(directory, options.zip64 ? 45 : 20);
        put16(directory, spec.flags);
        put16(directory, method);
        put16(directory, 0);
        put16(directory, 0x21);
        put32(directory, crc);
        put32(directory, csize32);
        put32(directory, usize32);
        put16(directory, static_cast<std::uint32_t>(spec.name.size()));
        put16(directory, static_cast<std::uint32_t>(central_extra.size()));
        put16(directory, 0);
        put16(directory, 0);
        put16(directory, 0);
        put32(directory, 0);
        put32(directory, options.zip64 ? 0xFFFFFFFF : static_cast<std::uint32_t>(offset));
        directory += spec.name;
        directory += central_extra;
    }
    const std::uint64_t directory_offset = out.size();
    out += directory;
    if (options.zip64) {
        const std::uint64_t record = out.size();
        put32(out, 0x06064b50);
        put64(out, 44);
        put16(out, 45);
        put16(out, 45);
        put32(out, 0);
        put32(out, 0);
        put64(out, specs.size());
        put64(out, specs.size());
        put64(out, directory.size());
        put64(out, directory_offset);
        put32(out, 0x07064b50);
        put32(out, 0);
        put64(out, record);
        put32(out, 1);
    }
    put32(out, 0x06054b50);
    put16(out, 0);
    put16(out, 0);
    put16(out, options.zip64 ? 0xFFFF : static_cast<std::uint32_t>(specs.size()));
    put16(out, options.zip64 ? 0xFFFF : static_cast<std::uint32_t>(specs.size()));
    put32(out, options.zip64 ? 0xFFFFFFFF : static_cast<std::uint32_t>(directory.size()));
    put32(out, options.zip64 ? 0xFFFFFFFF : static_cast<std::uint32_t>(directory_offset));
    put16(out, 0);
    return out;
}

const std::string kDocxTypes =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
    R"(<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">)"
    R"(<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>)"
    R"(<Default Extension="xml" ContentType="application/xml"/>)"
    R"(<Override PartName="/word/document.xml" )"
    R"(ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>)";
const std::string kRels =
    R"(<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
    R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>)";
const std::string kDocument =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
    R"(<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>你好，文库</w:t></w:r></w:p></w:body></w:document>)";

/// A minimal valid docx whose word/document.xml is `document`, plus `extra` entries.
std::vector<ZipEntrySpec> docx_entries(const std::string& document = kDocument,
                                       std::vector<ZipEntrySpec> extra = {}) {
    std::vector<ZipEntrySpec> entries = {
        {.name = "[Content_Types].xml", .data = kDocxTypes},
        {.name = "_rels/.rels", .data = kRels},
        {.name = "word/document.xml", .data = document},
    };
    for (auto& e : extra) entries.push_back(std::move(e));
    return entries;
}

struct Outcome {
    std::string format;  // when accepted
    std::string code;    // when refused
    std::string message;
};

Outcome zip_outcome(const std::string& bytes, const ContainerLimits& limits = {}) {
    try {
        return {inspect_zip_bytes(bytes, "test.docx", limits).format, "", ""};
    } catch (const InputError& e) {
        return {"", e.code(), e.what()};
    }
}

Outcome ole_outcome(const std::string& bytes) {
    try {
        return {inspect_ole_bytes(bytes, "test.doc").format, "", ""};
    } catch (const InputError& e) {
        return {"", e.code(), e.what()};
    }
}

std::string utf16le(std::string_view ascii, bool bom) {
    std::string out = bom ? "\xFF\xFE"s : ""s;
    for (char c : ascii) {
        out += c;
        out += '\0';
    }
    return out;
}

std::string utf16be(std::string_view ascii, bool bom) {
    std::string out = bom ? "\xFE\xFF"s : ""s;
    for (char c : ascii) {
        out += '\0';
        out += c;
    }
    return out;
}

std::string utf32le(std::string_view ascii) {
    std::string out = "\xFF\xFE\0\0"s;
    for (char c : ascii) {
        out += c;
        out += "\0\0\0"s;
    }
    return out;
}

// --- Identification ---------------------------------------------------------------------------

TEST(InspectZip, OfficeOpenXmlByMainPartContentType) {
    EXPECT_EQ(zip_outcome(make_zip(docx_entries())).format, "docx");

    auto with_type = [](const std::string& content_type, const std::string& part) {
        const std::string types = R"(<?xml version="1.0"?><Types><Override PartName="/)" + part +
                                  R"(" ContentType=")" + content_type + R"("/></Types>)";
        return make_zip({{.name = "[Content_Types].xml", .data = types},
                         {.name = part, .data = "<?xml version=\"1.0\"?><x/>"}});
    };
    EXPECT_EQ(zip_outcome(with_type("application/vnd.ms-word.document.macroEnabled.main+xml", "word/document.xml")).format,
              "docx");
    EXPECT_EQ(zip_outcome(with_type("application/vnd.ms-excel.sheet.macroEnabled.main+xml", "xl/workbook.xml")).format,
              "xlsx");
    EXPECT_EQ(zip_outcome(with_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                    "xl/workbook.xml"))
                  .format,
              "xlsx");
    EXPECT_EQ(zip_outcome(with_type("application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
                                    "ppt/presentation.xml"))
                  .format,
              "pptx");
    EXPECT_EQ(zip_outcome(with_type("application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml",
                                    "ppt/presentation.xml"))
                  .format,
              "pptx");
    // The main part need not live at the usual name.
    EXPECT_EQ(zip_outcome(with_type("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                                    "elsewhere/main.xml"))
                  .format,
              "docx");
}

TEST(InspectZip, OfficeOpenXmlByPartNameWhenTheTypeIsMissing) {
    const std::string types = R"(<?xml version="1.0"?><Types><Default Extension="xml" ContentType="application/xml"/></Types>)";
    auto package = [&](const std::string& part) {
        return make_zip({{.name = "[Content_Types].xml", .data = types}, {.name = part, .data = "<x/>"}});
    };
    EXPECT_EQ(zip_outcome(package("word/document.xml")).format, "docx");
    EXPECT_EQ(zip_outcome(package("xl/workbook.xml")).format, "xlsx");
    EXPECT_EQ(zip_outcome(package("ppt/presentation.xml")).format, "pptx");
    const Outcome xps = zip_outcome(package("Documents/1/FixedDocument.fdoc"));
    EXPECT_EQ(xps.code, wenku::error_code::unsupported);
    EXPECT_NE(xps.message.find("Office Open XML package"), std::string::npos) << xps.message;
}

TEST(InspectZip, OpenDocumentAndEpubByMimetype) {
    auto package = [](const std::string& mimetype, bool deflate, std::vector<ZipEntrySpec> extra = {}) {
        std::vector<ZipEntrySpec> entries = {{.name = "mimetype", .data = mimetype, .deflate = deflate},
                                             {.name = "content.xml", .data = "<?xml version=\"1.0\"?><office/>"}};
        for (auto& e : extra) entries.push_back(std::move(e));
        return make_zip(entries);
    };
    EXPECT_EQ(zip_outcome(package("application/vnd.oasis.opendocument.text", false)).format, "odt");
    EXPECT_EQ(zip_outcome(package("application/vnd.oasis.opendocument.spreadsheet", true)).format, "ods");
    EXPECT_EQ(zip_outcome(package("application/vnd.oasis.opendocument.presentation", false)).format, "odp");
    EXPECT_EQ(zip_outcome(package("application/vnd.oasis.opendocument.text-template\n", false)).format, "odt");
    EXPECT_EQ(zip_outcome(package("application/epub+zip", false)).format, "epub");

    const Outcome drawing = zip_outcome(package("application/vnd.oasis.opendocument.graphics", false));
    EXPECT_EQ(drawing.code, wenku::error_code::unsupported);
    EXPECT_NE(drawing.message.find("application/vnd.oasis.opendocument.graphics"), std::string::npos);

    // OpenDocument without a mimetype entry: the manifest's root entry decides.
    const std::string manifest =
        R"(<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">)"
        R"(<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>)"
        R"(<manifest:file-entry manifest:full-path="Object 1/" manifest:media-type="application/vnd.oasis.opendocument.text"/>)"
        R"(</manifest:manifest>)";
    EXPECT_EQ(zip_outcome(make_zip({{.name = "content.xml", .data = "<office/>"},
                                    {.name = "META-INF/manifest.xml", .data = manifest}}))
                  .format,
              "ods");
}

TEST(InspectZip, EpubAllowsPublicDoctypesOnly) {
    auto epub = [](const std::string& chapter) {
        return make_zip({{.name = "mimetype", .data = "application/epub+zip", .deflate = false},
                         {.name = "OEBPS/content.opf", .data = "<?xml version=\"1.0\"?><package/>"},
                         {.name = "OEBPS/chapter1.xhtml", .data = chapter}});
    };
    EXPECT_EQ(zip_outcome(epub("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!DOCTYPE html>\n<html/>")).format, "epub");
    EXPECT_EQ(zip_outcome(epub(R"(<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" )"
                               R"("http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd"><html/>)"))
                  .format,
              "epub");

    const Outcome subset = zip_outcome(epub(R"(<!DOCTYPE html [<!ENTITY a "aaaa">]><html>&a;</html>)"));
    EXPECT_EQ(subset.code, wenku::error_code::unsafe);
    EXPECT_NE(subset.message.find("OEBPS/chapter1.xhtml"), std::string::npos) << subset.message;

    const Outcome external = zip_outcome(epub(R"(<!DOCTYPE html SYSTEM "file:///etc/passwd"><html/>)"));
    EXPECT_EQ(external.code, wenku::error_code::unsafe);
    EXPECT_NE(external.message.find("file:///etc/passwd"), std::string::npos) << external.message;

    const Outcome relative = zip_outcome(epub(R"(<!DOCTYPE html SYSTEM "bomb.dtd"><html/>)"));
    EXPECT_EQ(relative.code, wenku::error_code::unsafe);
}

TEST(InspectZip, ArchivesThatAreNoDocument) {
    const Outcome plain = zip_outcome(make_zip({{.name = "photos/a.jpg", .data = "\xFF\xD8\xFF\xE0 jpeg"},
                                                {.name = "notes.txt", .data = "hello"}}));
    EXPECT_EQ(plain.code, wenku::error_code::unsupported);
    EXPECT_EQ(plain.message, "test.docx is a ZIP archive, not a document");

    const Outcome empty = zip_outcome(make_zip({}));
    EXPECT_EQ(empty.code, wenku::error_code::unsupported);
    EXPECT_NE(empty.message.find("empty ZIP archive"), std::string::npos);

    EXPECT_EQ(zip_outcome("").code, wenku::error_code::empty);
}

// --- Names, encryption, bombs -------------------------------------------------------------------

TEST(InspectZip, EntryNamesThatEscapeAreUnsafe) {
    for (const std::string& name : std::vector<std::string>{
             "../evil.txt", "word/../../evil.txt", "/etc/passwd", "\\evil.txt", "C:/Windows/evil.txt", "c:evil.txt",
             "word\\..\\..\\evil.txt", "word/media/..\\..\\..\\evil-win.txt", "a/.../b", "a/.. /b",
             "word/a\0b.xml"s}) {
        const Outcome o = zip_outcome(make_zip(docx_entries(kDocument, {{.name = name, .data = "x"}})));
        EXPECT_EQ(o.code, wenku::error_code::unsafe) << name;
        EXPECT_NE(o.message.find("test.docx has an entry that points outside the archive: "), std::string::npos)
            << o.message;
    }
    const Outcome o = zip_outcome(make_zip(docx_entries(kDocument, {{.name = "../../evil", .data = "x"}})));
    EXPECT_EQ(o.message, "test.docx has an entry that points outside the archive: ../../evil");

    for (const std::string name : {"word/a..b.xml", "..hidden/x.txt", "word/media/image..png", "x/./y.txt"}) {
        EXPECT_EQ(zip_outcome(make_zip(docx_entries(kDocument, {{.name = name, .data = "x"}}))).format, "docx")
            << name;
    }
}

TEST(InspectZip, EncryptedEntries) {
    auto entries = docx_entries();
    entries[2].flags = 0x0001;
    const Outcome o = zip_outcome(make_zip(entries));
    EXPECT_EQ(o.code, wenku::error_code::encrypted);
    EXPECT_NE(o.message.find("test.docx is password-protected"), std::string::npos) << o.message;
}

TEST(InspectZip, DeclaredDecompressionBombs) {
    const std::string zeros(8u << 20, '\0');
    const Outcome bomb = zip_outcome(make_zip(docx_entries(zeros)));
    EXPECT_EQ(bomb.code, wenku::error_code::too_large);
    EXPECT_NE(bomb.message.find("test.docx is a decompression bomb: word/document.xml would inflate from "),
              std::string::npos)
        << bomb.message;
    EXPECT_NE(bomb.message.find("to 8.0 MiB ("), std::string::npos) << bomb.message;

    // Highly compressible small parts are normal.
    EXPECT_EQ(zip_outcome(make_zip(docx_entries(kDocument, {{.name = "word/styles.xml",
                                                             .data = "<s>" + std::string(500'000, ' ') + "</s>"}})))
                  .format,
              "docx");

    ContainerLimits limits;
    limits.max_ratio = 1e9;
    limits.max_entry_bytes = 1u << 20;
    const Outcome entry = zip_outcome(make_zip(docx_entries(std::string(2u << 20, 'a'))), limits);
    EXPECT_EQ(entry.code, wenku::error_code::too_large);
    EXPECT_NE(entry.message.find("word/document.xml would inflate to 2.0 MiB (the limit for one entry is 1.0 MiB)"),
              std::string::npos)
        << entry.message;

    limits = {};
    limits.max_total_bytes = 1024;
    const Outcome total = zip_outcome(make_zip(docx_entries(std::string(600, 'a'), {{.name = "b.xml", .data = std::string(600, 'b')}})),
                                      limits);
    EXPECT_EQ(total.code, wenku::error_code::too_large);
    EXPECT_NE(total.message.find("in all (the limit is 1.0 KiB)"), std::string::npos) << total.message;

    limits = {};
    limits.max_entries = 3;
    const Outcome many = zip_outcome(make_zip(docx_entries(kDocument, {{.name = "x.xml", .data = "<x/>"}})), limits);
    EXPECT_EQ(many.code, wenku::error_code::too_large);
    EXPECT_NE(many.message.find("lists 4 entries (the limit is 3)"), std::string::npos) << many.message;
}

TEST(InspectZip, LyingSizesNeverInflateMore) {
    // 64 MiB of zeros declared as 1 KiB: inflation stops after the declared size.
    const std::string zeros(64u << 20, '\0');
    auto entries = docx_entries(zeros);
    entries[2].declared_size = 1024;
    const std::string archive = make_zip(entries);
    const auto start = std::chrono::steady_clock::now();
    const Outcome o = zip_outcome(archive);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(o.code, wenku::error_code::corrupt);
    EXPECT_NE(o.message.find("word/document.xml holds more data than its declared size of 1024 bytes"),
              std::string::npos)
        << o.message;
    EXPECT_LT(elapsed, std::chrono::milliseconds(200));

    // Less data than declared.
    entries = docx_entries();
    entries[2].declared_size = kDocument.size() + 10;
    const Outcome shorter = zip_outcome(make_zip(entries));
    EXPECT_EQ(shorter.code, wenku::error_code::corrupt);
    EXPECT_NE(shorter.message.find("not its declared"), std::string::npos) << shorter.message;

    // A stored entry whose sizes disagree.
    entries = docx_entries();
    entries[2].deflate = false;
    entries[2].declared_size = 5;
    EXPECT_EQ(zip_outcome(make_zip(entries)).code, wenku::error_code::corrupt);
}

TEST(InspectZip, OverlappingEntriesAreABomb) {
    // Entry "b" lies inside the stored data of entry "a": both inflate the same bytes.
    const std::string inner = make_zip({{.name = "b", .data = "payload", .deflate = false}});
    const std::string inner_local = inner.substr(0, 30 + 1 + 7);
    std::string archive = make_zip({{.name = "a", .data = inner_local, .deflate = false}});
    // Rebuild with a hand-made central directory that lists both entries.
    const std::string local_a = archive.substr(0, 30 + 1 + inner_local.size());
    std::string out = local_a;
    auto central = [](std::string& dir, const std::string& name, std::uint32_t size, std::uint32_t crc,
                      std::uint32_t offset) {
        put32(dir, 0x02014b50);
        put16(dir, 20);
        put16(dir, 20);
        put16(dir, 0);
        put16(dir, 0);
        put16(dir, 0);
        put16(dir, 0x21);
        put32(dir, crc);
        put32(dir, size);
        put32(dir, size);
        put16(dir, static_cast<std::uint32_t>(name.size()));
        put16(dir, 0);
        put16(dir, 0);
        put16(dir, 0);
        put16(dir, 0);
        put32(dir, 0);
        put32(dir, offset);
        dir += name;
    };
    std::string dir;
    central(dir, "a", static_cast<std::uint32_t>(inner_local.size()),
            static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(inner_local.data()),
                                             static_cast<uInt>(inner_local.size()))),
            0);
    central(dir, "b", 7, static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>("payload"), 7)), 31);
    const auto dir_offset = static_cast<std::uint32_t>(out.size());
    out += dir;
    put32(out, 0x06054b50);
    put16(out, 0);
    put16(out, 0);
    put16(out, 2);
    put16(out, 2);
    put32(out, static_cast<std::uint32_t>(dir.size()));
    put32(out, dir_offset);
    put16(out, 0);
    const Outcome o = zip_outcome(out);
    EXPECT_EQ(o.code, wenku::error_code::too_large);
    EXPECT_NE(o.message.find("overlap"), std::string::npos) << o.message;
}

// --- XML entity attacks -------------------------------------------------------------------------

TEST(InspectZip, DoctypeInAnyOfficePartIsUnsafe) {
    const std::string laughs = R"(<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>)"
                               R"(<w:document><w:t>&lol2;</w:t></w:document>)";
    const Outcome document = zip_outcome(make_zip(docx_entries(laughs)));
    EXPECT_EQ(document.code, wenku::error_code::unsafe);
    EXPECT_EQ(document.message,
              "test.docx contains an XML document type declaration in word/document.xml (entity expansion or "
              "external entity attack)");

    auto entries = docx_entries();
    entries[0].data = R"(<?xml version="1.0"?><!DOCTYPE t SYSTEM "http://evil/x.dtd">)" + kDocxTypes.substr(55);
    const Outcome types = zip_outcome(make_zip(entries));
    EXPECT_EQ(types.code, wenku::error_code::unsafe);
    EXPECT_NE(types.message.find("[Content_Types].xml"), std::string::npos) << types.message;

    entries = docx_entries();
    entries[1].data = "<?xml version=\"1.0\"?>\n<!doctype r [<!entity x SYSTEM \"file:///etc/passwd\">]><r/>";
    const Outcome rels = zip_outcome(make_zip(entries));
    EXPECT_EQ(rels.code, wenku::error_code::unsafe);
    EXPECT_NE(rels.message.find("_rels/.rels"), std::string::npos) << rels.message;

    // An XML part with an unusual extension is still XML to the reader.
    const Outcome odd = zip_outcome(make_zip(docx_entries(kDocument, {{.name = "customXml/item1.bin",
                                                                       .data = "  <!DOCTYPE x><x/>"}})));
    EXPECT_EQ(odd.code, wenku::error_code::unsafe);
    EXPECT_NE(odd.message.find("customXml/item1.bin"), std::string::npos) << odd.message;

    // Binary parts are not markup, whatever bytes they hold.
    const std::string png = "\x89PNG\r\n\x1A\n"s + std::string(300, 'x') + "<!ENTITY x \"y\">";
    EXPECT_EQ(zip_outcome(make_zip(docx_entries(kDocument, {{.name = "word/media/image1.png", .data = png}}))).format,
              "docx");
    // ... and an Excel XML map may not load schemas.
    const std::string types_xlsx =
        R"(<?xml version="1.0"?><Types><Override PartName="/xl/workbook.xml" )"
        R"(ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>)";
    const Outcome schema = zip_outcome(make_zip(
        {{.name = "[Content_Types].xml", .data = types_xlsx},
         {.name = "xl/workbook.xml", .data = "<workbook/>"},
         {.name = "xl/xmlMaps.xml",
          .data = R"(<MapInfo><Schema><xs:schema><xs:import schemaLocation="http://localhost/"/></xs:schema></Schema></MapInfo>)"}}));
    EXPECT_EQ(schema.code, wenku::error_code::unsafe);
    EXPECT_NE(schema.message.find("http://localhost/"), std::string::npos) << schema.message;
}

TEST(InspectZip, DoctypeInUtf16AndUtf32IsFound) {
    const std::string xml = R"(<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d [<!ENTITY e "e">]><d>&e;</d>)";
    for (const std::string& encoded : {utf16le(xml, true), utf16be(xml, true), utf16le(xml, false),
                                       utf16be(xml, false)}) {
        const Outcome o = zip_outcome(make_zip(docx_entries(encoded)));
        EXPECT_EQ(o.code, wenku::error_code::unsafe) << o.message;
    }
    const std::string xml32 = R"(<?xml version="1.0" encoding="UTF-32"?><!DOCTYPE d><d/>)";
    EXPECT_EQ(zip_outcome(make_zip(docx_entries(utf32le(xml32)))).code, wenku::error_code::unsafe);

    // Well-formed UTF-16 without DOCTYPE is fine.
    const std::string clean = R"(<?xml version="1.0" encoding="UTF-16"?><w:document><w:t>ok</w:t></w:document>)";
    EXPECT_EQ(zip_outcome(make_zip(docx_entries(utf16le(clean, true)))).format, "docx");
}

TEST(InspectZip, EncodingsThatHideMarkupAreUnsafe) {
    const Outcome utf7 =
        zip_outcome(make_zip(docx_entries(R"(<?xml version="1.0" encoding="UTF-7"?>+ADw-+ACE-DOCTYPE x+AD4-<d/>)")));
    EXPECT_EQ(utf7.code, wenku::error_code::unsafe);
    EXPECT_NE(utf7.message.find("UTF-7"), std::string::npos) << utf7.message;
    const Outcome ebcdic = zip_outcome(make_zip(docx_entries("\x4C\x6F\xA7\x94\x93\x40\xA5\x85")));
    EXPECT_EQ(ebcdic.code, wenku::error_code::unsafe);
    EXPECT_NE(ebcdic.message.find("EBCDIC"), std::string::npos) << ebcdic.message;
}

TEST(InspectZip, DoctypeAcrossPieceBoundariesIsFound) {
    // Inflated output arrives in 64 KiB pieces and stored data in 1 MiB pieces: put the marker
    // across each boundary.
    for (const std::size_t boundary : {std::size_t{64 * 1024}, std::size_t{1024 * 1024}}) {
        for (std::size_t shift = 1; shift < 9; shift += 3) {
            std::string xml = "<?xml version=\"1.0\"?><w:document>";
            // Padding that compresses poorly (a bomb-like ratio would be refused first).
            std::uint32_t state = 12345;
            while (xml.size() < boundary - shift) {
                state = state * 1103515245u + 12345u;
                xml += static_cast<char>('a' + (state >> 16) % 26);
            }
            xml += "<!DOCTYPE x [<!ENTITY a \"b\">]></w:document>";
            for (const bool deflate : {true, false}) {
                auto entries = docx_entries(xml);
                entries[2].deflate = deflate;
                EXPECT_EQ(zip_outcome(make_zip(entries)).code, wenku::error_code::unsafe)
                    << "boundary " << boundary << " shift " << shift << " deflate " << deflate;
            }
        }
    }
}

/// Feeds `xml` to a scanner in pieces of `piece` bytes; true when it finds a hazard.
bool scanner_finds_hazard(std::string_view xml, bool allow_public_doctype, std::size_t piece) {
    zip::XmlHazardScanner scanner({.allow_public_doctype = allow_public_doctype, .forbid_schema_location = false});
    for (std::size_t at = 0; at < xml.size(); at += piece) {
        if (!scanner.feed(xml.substr(at, piece))) break;
    }
    scanner.finish();
    return scanner.hazard().kind != zip::XmlHazard::Kind::none;
}

TEST(XmlHazardScanner, VerdictDoesNotDependOnPieceBoundaries) {
    // Found by fuzz_zip (fuzz/regressions/fuzz_zip/crash-scanner-rejudged-quoted-doctype.bin): a
    // "<!DOCTYPE" inside the quoted public identifier of an allowed DOCTYPE was judged again as
    // markup once the declaration had been carried across a piece boundary.
    const std::string xml = "<?xml version=\"1.0\" ePUBL~ICg\"?><!DOCTYPE x PUBLIC \"prg/x.dTd<!DOCTYPE\"><x/>";
    for (std::size_t piece = 1; piece <= xml.size() + 1; ++piece) {
        EXPECT_FALSE(scanner_finds_hazard(xml, true, piece)) << "piece " << piece;
        EXPECT_TRUE(scanner_finds_hazard(xml, false, piece)) << "piece " << piece;
    }
    const std::string entity = "<x>" + std::string(40, ' ') + "<!ENTITY a \"b\"></x>";
    for (std::size_t piece = 1; piece <= entity.size() + 1; ++piece) {
        EXPECT_TRUE(scanner_finds_hazard(entity, true, piece)) << "piece " << piece;
    }
}

// --- Damage -------------------------------------------------------------------------------------

TEST(InspectZip, DamagedDirectoriesAreCorrupt) {
    const std::string good = make_zip(docx_entries());
    ASSERT_EQ(zip_outcome(good).format, "docx");

    const Outcome no_end = zip_outcome(good.substr(0, good.size() - 22));
    EXPECT_EQ(no_end.code, wenku::error_code::corrupt);
    EXPECT_NE(no_end.message.find("test.docx is damaged: it has no ZIP central directory"), std::string::npos)
        << no_end.message;

    // Cut inside the central directory, keeping a copy of the end record.
    const std::string end = good.substr(good.size() - 22);
    const Outcome cut = zip_outcome(good.substr(0, good.size() - 60) + end);
    EXPECT_EQ(cut.code, wenku::error_code::corrupt) << cut.message;

    // Every truncation is refused as corrupt (never a crash, never accepted).
    for (std::size_t length = 0; length < good.size(); length += 7) {
        const Outcome o = zip_outcome(good.substr(0, length));
        EXPECT_TRUE(o.code == wenku::error_code::corrupt || o.code == wenku::error_code::empty)
            << length << ": " << o.code << " " << o.message;
    }

    // A damaged deflate stream, and a CRC that does not match.
    auto entries = docx_entries();
    entries[2].raw_compressed = "\xFF\xFF\xFF\xFF garbage";
    const Outcome inflate = zip_outcome(make_zip(entries));
    EXPECT_EQ(inflate.code, wenku::error_code::corrupt);
    EXPECT_NE(inflate.message.find("the compressed data of word/document.xml is damaged"), std::string::npos)
        << inflate.message;
    entries = docx_entries();
    entries[2].declared_crc = 0x12345678;
    const Outcome crc = zip_outcome(make_zip(entries));
    EXPECT_EQ(crc.code, wenku::error_code::corrupt);
    EXPECT_NE(crc.message.find("CRC-32"), std::string::npos) << crc.message;

    // A local header that names another entry.
    std::string renamed = good;
    renamed.replace(renamed.find("word/document.xml"), 17, "word/documenX.xml");
    EXPECT_EQ(zip_outcome(renamed).code, wenku::error_code::corrupt);
}

TEST(InspectZip, UnreadableCompressionOfAnXmlPart) {
    auto entries = docx_entries();
    entries[2].method_override = 14;  // LZMA
    const Outcome o = zip_outcome(make_zip(entries));
    EXPECT_EQ(o.code, wenku::error_code::unsupported);
    EXPECT_NE(o.message.find("compression method 14 (LZMA)"), std::string::npos) << o.message;
}

TEST(InspectZip, Zip64Records) {
    EXPECT_EQ(zip_outcome(make_zip(docx_entries(), {.zip64 = true})).format, "docx");
    const std::string laughs = R"(<!DOCTYPE x [<!ENTITY a "b">]><x/>)";
    EXPECT_EQ(zip_outcome(make_zip(docx_entries(laughs), {.zip64 = true})).code, wenku::error_code::unsafe);
}

TEST(InspectZip, ReadsFiles) {
    wenku::test::TempDir dir;
    wenku::test::write_file(dir.path() / "a.docx", make_zip(docx_entries()));
    EXPECT_EQ(inspect_zip(dir.path() / "a.docx", "a.docx").format, "docx");
    wenku::test::write_file(dir.path() / "empty.docx", "");
    try {
        inspect_zip(dir.path() / "empty.docx", "empty.docx");
        ADD_FAILURE() << "accepted an empty file";
    } catch (const InputError& e) {
        EXPECT_EQ(e.code(), wenku::error_code::empty);
    }
    EXPECT_THROW(inspect_zip(dir.path() / "missing.docx", "missing.docx"), wenku::EnvironmentError);
}

// --- A small compound file writer ----------------------------------------------------------------

struct CfbStream {
    std::string name;
    std::string data;  // padded to 4096 bytes (so that it lives in regular sectors)
    std::uint32_t right = 0xFFFFFFFF;  // overrides the sibling link (0xFFFFFFFF: the next entry)
    std::uint32_t start = 0xFFFFFFFF;  // overrides the first sector (0xFFFFFFFF: its own sectors)
};

struct CfbOptions {
    bool cyclic_directory_chain = false;
    bool cyclic_tree = false;
};

std::string make_cfb(std::vector<CfbStream> streams, CfbOptions options = {}) {
    constexpr std::uint32_t kEnd = 0xFFFFFFFE;
    constexpr std::uint32_t kFree = 0xFFFFFFFF;
    for (auto& s : streams) {
        if (s.data.size() < 4096) s.data.resize(4096, '\0');
        s.data.resize((s.data.size() + 511) / 512 * 512, '\0');
    }
    const std::size_t entries = streams.size() + 1;
    const std::uint32_t dir_sectors = static_cast<std::uint32_t>((entries + 3) / 4);
    std::vector<std::uint32_t> fat(128, kFree);
    fat[0] = 0xFFFFFFFD;  // the FAT itself
    std::uint32_t next = 1;
    for (std::uint32_t i = 0; i < dir_sectors; ++i, ++next) fat[next] = i + 1 == dir_sectors ? kEnd : next + 1;
    if (options.cyclic_directory_chain) fat[dir_sectors] = 1;
    std::vector<std::uint32_t> starts;
    for (const auto& s : streams) {
        starts.push_back(next);
        const auto count = static_cast<std::uint32_t>(s.data.size() / 512);
        for (std::uint32_t i = 0; i < count; ++i, ++next) fat[next] = i + 1 == count ? kEnd : next + 1;
    }

    std::string out;
    out += "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"s;
    out += std::string(16, '\0');
    put16(out, 0x3E);
    put16(out, 3);
    put16(out, 0xFFFE);
    put16(out, 9);
    put16(out, 6);
    out += std::string(6, '\0');
    put32(out, 0);     // directory sectors (v3: 0)
    put32(out, 1);     // FAT sectors
    put32(out, 1);     // first directory sector
    put32(out, 0);     // transaction
    put32(out, 4096);  // mini stream cutoff
    put32(out, kEnd);  // mini FAT
    put32(out, 0);
    put32(out, kEnd);  // DIFAT
    put32(out, 0);
    put32(out, 0);  // DIFAT[0]: sector 0 holds the FAT
    for (int i = 1; i < 109; ++i) put32(out, kFree);

    for (std::uint32_t v : fat) put32(out, v);

    auto entry = [&](const std::string& name, std::uint8_t type, std::uint32_t right, std::uint32_t child,
                     std::uint32_t start, std::uint32_t size) {
        std::string e;
        for (char c : name) {
            e += c;
            e += '\0';
        }
        e.resize(64, '\0');
        put16(e, static_cast<std::uint32_t>(name.size() * 2 + 2));
        e += static_cast<char>(type);
        e += '\1';  // black
        put32(e, 0xFFFFFFFF);
        put32(e, right);
        put32(e, child);
        e += std::string(16 + 4 + 16, '\0');
        put32(e, start);
        put32(e, size);
        put32(e, 0);
        out += e;
    };
    entry("Root Entry", 5, 0xFFFFFFFF, streams.empty() ? 0xFFFFFFFF : 1, kEnd, 0);
    for (std::size_t i = 0; i < streams.size(); ++i) {
        std::uint32_t right = i + 1 < streams.size() ? static_cast<std::uint32_t>(i + 2) : 0xFFFFFFFF;
        if (streams[i].right != 0xFFFFFFFF) right = streams[i].right;
        if (options.cyclic_tree && i + 1 == streams.size()) right = 1;
        const std::uint32_t start = streams[i].start != 0xFFFFFFFF ? streams[i].start : starts[i];
        entry(streams[i].name, 2, right, 0xFFFFFFFF, start, static_cast<std::uint32_t>(streams[i].data.size()));
    }
    for (std::size_t i = entries; i < dir_sectors * 4; ++i) out += std::string(128, '\0');
    for (const auto& s : streams) out += s.data;
    return out;
}

std::string word_fib(std::uint16_t flags) {
    std::string fib;
    put16(fib, 0xA5EC);
    put16(fib, 193);
    put16(fib, 0);
    put16(fib, 0);
    put16(fib, 0);
    put16(fib, flags);
    return fib;
}

std::string biff_record(std::uint16_t type, const std::string& data) {
    std::string r;
    put16(r, type);
    put16(r, static_cast<std::uint32_t>(data.size()));
    return r + data;
}

// --- OLE ------------------------------------------------------------------------------------------

TEST(InspectOle, IdentifiesWordExcelPowerPoint) {
    EXPECT_EQ(ole_outcome(make_cfb({{"WordDocument", word_fib(0x1200)}, {"1Table", "x"}})).format, "doc");
    const std::string workbook = biff_record(0x0809, std::string(16, '\0')) + biff_record(0x00E1, "") +
                                 biff_record(0x000A, "");
    EXPECT_EQ(ole_outcome(make_cfb({{"Workbook", workbook}})).format, "xls");
    EXPECT_EQ(ole_outcome(make_cfb({{"Book", workbook}})).format, "xls");
    std::string user;
    put16(user, 0);
    put16(user, 0x0FF6);
    put32(user, 20);
    put32(user, 20);
    put32(user, 0xE391C05F);
    EXPECT_EQ(ole_outcome(make_cfb({{"PowerPoint Document", "x"}, {"Current User", user}})).format, "ppt");
    // Stream names compare case-insensitively, as in CFB.
    EXPECT_EQ(ole_outcome(make_cfb({{"worddocument", word_fib(0)}})).format, "doc");
}

TEST(InspectOle, PasswordProtection) {
    const Outcome word = ole_outcome(make_cfb({{"WordDocument", word_fib(0x0100)}}));
    EXPECT_EQ(word.code, wenku::error_code::encrypted);
    EXPECT_NE(word.message.find("test.doc is password-protected"), std::string::npos) << word.message;

    const std::string workbook = biff_record(0x0809, std::string(16, '\0')) + biff_record(0x002F, "\x01\x00"s) +
                                 biff_record(0x000A, "");
    EXPECT_EQ(ole_outcome(make_cfb({{"Workbook", workbook}})).code, wenku::error_code::encrypted);

    std::string user;
    put16(user, 0);
    put16(user, 0x0FF6);
    put32(user, 20);
    put32(user, 20);
    put32(user, 0xF3D1C4DF);
    EXPECT_EQ(ole_outcome(make_cfb({{"PowerPoint Document", "x"}, {"Current User", user}})).code,
              wenku::error_code::encrypted);
    EXPECT_EQ(ole_outcome(make_cfb({{"PowerPoint Document", "x"}, {"EncryptedSummary", "x"}})).code,
              wenku::error_code::encrypted);
    EXPECT_EQ(ole_outcome(make_cfb({{"EncryptionInfo", "x"}, {"EncryptedPackage", "x"}})).code,
              wenku::error_code::encrypted);
}

TEST(InspectOle, OtherCompoundFilesAreUnsupported) {
    const Outcome o = ole_outcome(make_cfb({{"Slides", "x"}, {"\x05SummaryInformation", "x"}}));
    EXPECT_EQ(o.code, wenku::error_code::unsupported);
    EXPECT_NE(o.message.find("without a Word, Excel or PowerPoint document"), std::string::npos) << o.message;
    EXPECT_NE(o.message.find("\\x05SummaryInformation"), std::string::npos) << o.message;
    EXPECT_NE(ole_outcome(make_cfb({{"VisioDocument", "x"}})).message.find("Visio"), std::string::npos);
}

TEST(InspectOle, DamagedStructuresAreCorrupt) {
    const std::string good = make_cfb({{"WordDocument", word_fib(0)}});
    ASSERT_EQ(ole_outcome(good).format, "doc");

    const Outcome chain = ole_outcome(make_cfb({{"WordDocument", word_fib(0)}}, {.cyclic_directory_chain = true}));
    EXPECT_EQ(chain.code, wenku::error_code::corrupt);
    EXPECT_NE(chain.message.find("cyclic"), std::string::npos) << chain.message;

    const Outcome tree =
        ole_outcome(make_cfb({{"WordDocument", word_fib(0)}, {"Data", "x"}}, {.cyclic_tree = true}));
    EXPECT_EQ(tree.code, wenku::error_code::corrupt);
    EXPECT_NE(tree.message.find("cycle"), std::string::npos) << tree.message;

    // Two streams on the same sectors (also what keeps the check linear in the file size).
    const Outcome shared = ole_outcome(make_cfb({{"WordDocument", word_fib(0)}, {"Data", "x", 0xFFFFFFFF, 2}}));
    EXPECT_EQ(shared.code, wenku::error_code::corrupt);
    EXPECT_NE(shared.message.find("shares sector 2"), std::string::npos) << shared.message;

    const Outcome dangling = ole_outcome(make_cfb({{"WordDocument", word_fib(0), 77}}));
    EXPECT_EQ(dangling.code, wenku::error_code::corrupt) << dangling.message;

    const Outcome header = ole_outcome(good.substr(0, 300));
    EXPECT_EQ(header.code, wenku::error_code::corrupt);
    EXPECT_NE(header.message.find("shorter than the 512-byte compound file header"), std::string::npos);

    for (std::size_t length = 1; length < good.size(); length += 97) {
        const Outcome o = ole_outcome(good.substr(0, length));
        EXPECT_EQ(o.code, wenku::error_code::corrupt) << length << ": " << o.format << o.message;
    }

    std::string no_fib = make_cfb({{"WordDocument", "not a fib"}});
    EXPECT_EQ(ole_outcome(no_fib).code, wenku::error_code::corrupt);
    EXPECT_EQ(ole_outcome(make_cfb({{"Workbook", "no BOF here"}})).code, wenku::error_code::corrupt);
    EXPECT_EQ(ole_outcome("").code, wenku::error_code::empty);
}

}  // namespace
