// Unit tests for ZIP inspection over archives built here: identification, hostile names,
// decompression bombs (declared and lying sizes), encryption and damaged directories. XML entity
// attacks are in zip_xml_hazard_test.cpp, OLE compound files in ole_container_test.cpp.
#include <zlib.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/conversion.h"
#include "core/errors.h"
#include "support/test_support.h"
#include "support/worker/zip_builder.h"
#include "worker/container.h"

namespace {

using namespace wenku::worker;
using namespace wenku::test;
using namespace std::string_literals;
using wenku::InputError;

// --- Identification ---------------------------------------------------------------------------

TEST(InspectZip, OfficeOpenXmlByMainPartContentType) {
    EXPECT_EQ(zip_outcome(make_zip(docx_entries())).format, "docx");

    auto with_type = [](const std::string& content_type, const std::string& part) {
        const std::string types = R"(<?xml version="1.0"?><Types><Override PartName="/)" + part +
                                  R"(" ContentType=")" + content_type + R"("/></Types>)";
        return make_zip({{.name = "[Content_Types].xml", .data = types},
                         {.name = part, .data = "<?xml version=\"1.0\"?><x/>"}});
    };
    EXPECT_EQ(
        zip_outcome(with_type("application/vnd.ms-word.document.macroEnabled.main+xml", "word/document.xml"))
            .format,
        "docx");
    EXPECT_EQ(
        zip_outcome(with_type("application/vnd.ms-excel.sheet.macroEnabled.main+xml", "xl/workbook.xml"))
            .format,
        "xlsx");
    EXPECT_EQ(
        zip_outcome(with_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                              "xl/workbook.xml"))
            .format,
        "xlsx");
    EXPECT_EQ(zip_outcome(with_type("application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
                                    "ppt/presentation.xml"))
                  .format,
              "pptx");
    EXPECT_EQ(zip_outcome(
                  with_type("application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml",
                            "ppt/presentation.xml"))
                  .format,
              "pptx");
    // The main part need not live at the usual name.
    EXPECT_EQ(
        zip_outcome(
            with_type("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                      "elsewhere/main.xml"))
            .format,
        "docx");
}

TEST(InspectZip, OfficeOpenXmlByPartNameWhenTheTypeIsMissing) {
    const std::string types =
        R"(<?xml version="1.0"?><Types><Default Extension="xml" ContentType="application/xml"/></Types>)";
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
        std::vector<ZipEntrySpec> entries = {
            {.name = "mimetype", .data = mimetype, .deflate = deflate},
            {.name = "content.xml", .data = "<?xml version=\"1.0\"?><office/>"}};
        for (auto& e : extra) entries.push_back(std::move(e));
        return make_zip(entries);
    };
    EXPECT_EQ(zip_outcome(package("application/vnd.oasis.opendocument.text", false)).format, "odt");
    EXPECT_EQ(zip_outcome(package("application/vnd.oasis.opendocument.spreadsheet", true)).format, "ods");
    EXPECT_EQ(zip_outcome(package("application/vnd.oasis.opendocument.presentation", false)).format, "odp");
    EXPECT_EQ(zip_outcome(package("application/vnd.oasis.opendocument.text-template\n", false)).format,
              "odt");
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
    EXPECT_EQ(
        zip_outcome(epub("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!DOCTYPE html>\n<html/>")).format,
        "epub");
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
    const Outcome plain = zip_outcome(make_zip(
        {{.name = "photos/a.jpg", .data = "\xFF\xD8\xFF\xE0 jpeg"}, {.name = "notes.txt", .data = "hello"}}));
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
             "../evil.txt", "word/../../evil.txt", "/etc/passwd", "\\evil.txt", "C:/Windows/evil.txt",
             "c:evil.txt", "word\\..\\..\\evil.txt", "word/media/..\\..\\..\\evil-win.txt", "a/.../b",
             "a/.. /b", "word/a\0b.xml"s}) {
        const Outcome o = zip_outcome(make_zip(docx_entries(docx_document, {{.name = name, .data = "x"}})));
        EXPECT_EQ(o.code, wenku::error_code::unsafe) << name;
        EXPECT_NE(o.message.find("test.docx has an entry that points outside the archive: "),
                  std::string::npos)
            << o.message;
    }
    const Outcome o =
        zip_outcome(make_zip(docx_entries(docx_document, {{.name = "../../evil", .data = "x"}})));
    EXPECT_EQ(o.message, "test.docx has an entry that points outside the archive: ../../evil");

    for (const std::string name : {"word/a..b.xml", "..hidden/x.txt", "word/media/image..png", "x/./y.txt"}) {
        EXPECT_EQ(zip_outcome(make_zip(docx_entries(docx_document, {{.name = name, .data = "x"}}))).format,
                  "docx")
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
    EXPECT_EQ(zip_outcome(make_zip(docx_entries(docx_document,
                                                {{.name = "word/styles.xml",
                                                  .data = "<s>" + std::string(500'000, ' ') + "</s>"}})))
                  .format,
              "docx");

    ContainerLimits limits;
    limits.max_ratio = 1e9;
    limits.max_entry_bytes = 1u << 20;
    const Outcome entry = zip_outcome(make_zip(docx_entries(std::string(2u << 20, 'a'))), limits);
    EXPECT_EQ(entry.code, wenku::error_code::too_large);
    EXPECT_NE(
        entry.message.find("word/document.xml would inflate to 2.0 MiB (the limit for one entry is 1.0 MiB)"),
        std::string::npos)
        << entry.message;

    limits = {};
    limits.max_total_bytes = 1024;
    const Outcome total = zip_outcome(
        make_zip(docx_entries(std::string(600, 'a'), {{.name = "b.xml", .data = std::string(600, 'b')}})),
        limits);
    EXPECT_EQ(total.code, wenku::error_code::too_large);
    EXPECT_NE(total.message.find("in all (the limit is 1.0 KiB)"), std::string::npos) << total.message;

    limits = {};
    limits.max_entries = 3;
    const Outcome many =
        zip_outcome(make_zip(docx_entries(docx_document, {{.name = "x.xml", .data = "<x/>"}})), limits);
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
    std::printf("[zip] 64 MiB declared as 1 KiB refused in %.3f s\n",
                std::chrono::duration<double>(elapsed).count());

    // Less data than declared.
    entries = docx_entries();
    entries[2].declared_size = docx_document.size() + 10;
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
    central(dir, "b", 7, static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>("payload"), 7)),
            31);
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

}  // namespace
