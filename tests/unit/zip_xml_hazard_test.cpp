// Unit tests for XML entity attacks inside ZIP-based documents: DOCTYPE and ENTITY in any part and
// in every Unicode encoding form, encodings that hide markup, markers split across the pieces
// inflation delivers, and the hazard scanner's verdict whatever the piece boundaries.
#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "core/conversion.h"
#include "support/worker/zip_builder.h"
#include "worker/container.h"
#include "worker/zip_xml_scanner.h"

namespace {

using namespace wenku::worker;
using namespace wenku::test;
using namespace std::string_literals;

// --- XML entity attacks -------------------------------------------------------------------------

TEST(InspectZip, DoctypeInAnyOfficePartIsUnsafe) {
    const std::string laughs =
        R"(<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>)"
        R"(<w:document><w:t>&lol2;</w:t></w:document>)";
    const Outcome document = zip_outcome(make_zip(docx_entries(laughs)));
    EXPECT_EQ(document.code, wenku::error_code::unsafe);
    EXPECT_EQ(document.message,
              "test.docx contains an XML document type declaration in word/document.xml (entity expansion or "
              "external entity attack)");

    auto entries = docx_entries();
    entries[0].data =
        R"(<?xml version="1.0"?><!DOCTYPE t SYSTEM "http://evil/x.dtd">)" + docx_content_types.substr(55);
    const Outcome types = zip_outcome(make_zip(entries));
    EXPECT_EQ(types.code, wenku::error_code::unsafe);
    EXPECT_NE(types.message.find("[Content_Types].xml"), std::string::npos) << types.message;

    entries = docx_entries();
    entries[1].data = "<?xml version=\"1.0\"?>\n<!doctype r [<!entity x SYSTEM \"file:///etc/passwd\">]><r/>";
    const Outcome rels = zip_outcome(make_zip(entries));
    EXPECT_EQ(rels.code, wenku::error_code::unsafe);
    EXPECT_NE(rels.message.find("_rels/.rels"), std::string::npos) << rels.message;

    // An XML part with an unusual extension is still XML to the reader.
    const Outcome odd = zip_outcome(make_zip(
        docx_entries(docx_document, {{.name = "customXml/item1.bin", .data = "  <!DOCTYPE x><x/>"}})));
    EXPECT_EQ(odd.code, wenku::error_code::unsafe);
    EXPECT_NE(odd.message.find("customXml/item1.bin"), std::string::npos) << odd.message;

    // Binary parts are not markup, whatever bytes they hold.
    const std::string png = "\x89PNG\r\n\x1A\n"s + std::string(300, 'x') + "<!ENTITY x \"y\">";
    EXPECT_EQ(
        zip_outcome(make_zip(docx_entries(docx_document, {{.name = "word/media/image1.png", .data = png}})))
            .format,
        "docx");
    // ... and an Excel XML map may not load schemas.
    const std::string types_xlsx =
        R"(<?xml version="1.0"?><Types><Override PartName="/xl/workbook.xml" )"
        R"(ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>)";
    const Outcome schema = zip_outcome(make_zip(
        {{.name = "[Content_Types].xml", .data = types_xlsx},
         {.name = "xl/workbook.xml", .data = "<workbook/>"},
         {.name = "xl/xmlMaps.xml",
          .data =
              R"(<MapInfo><Schema><xs:schema><xs:import schemaLocation="http://localhost/"/></xs:schema></Schema></MapInfo>)"}}));
    EXPECT_EQ(schema.code, wenku::error_code::unsafe);
    EXPECT_NE(schema.message.find("http://localhost/"), std::string::npos) << schema.message;
}

TEST(InspectZip, DoctypeInUtf16AndUtf32IsFound) {
    const std::string xml =
        R"(<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d [<!ENTITY e "e">]><d>&e;</d>)";
    for (const std::string& encoded :
         {utf16le(xml, true), utf16be(xml, true), utf16le(xml, false), utf16be(xml, false)}) {
        const Outcome o = zip_outcome(make_zip(docx_entries(encoded)));
        EXPECT_EQ(o.code, wenku::error_code::unsafe) << o.message;
    }
    const std::string xml32 = R"(<?xml version="1.0" encoding="UTF-32"?><!DOCTYPE d><d/>)";
    EXPECT_EQ(zip_outcome(make_zip(docx_entries(utf32le(xml32)))).code, wenku::error_code::unsafe);

    // Well-formed UTF-16 without DOCTYPE is fine.
    const std::string clean =
        R"(<?xml version="1.0" encoding="UTF-16"?><w:document><w:t>ok</w:t></w:document>)";
    EXPECT_EQ(zip_outcome(make_zip(docx_entries(utf16le(clean, true)))).format, "docx");
}

TEST(InspectZip, EncodingsThatHideMarkupAreUnsafe) {
    const Outcome utf7 = zip_outcome(
        make_zip(docx_entries(R"(<?xml version="1.0" encoding="UTF-7"?>+ADw-+ACE-DOCTYPE x+AD4-<d/>)")));
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
    zip::XmlHazardScanner scanner(
        {.allow_public_doctype = allow_public_doctype, .forbid_schema_location = false});
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
    const std::string xml =
        "<?xml version=\"1.0\" ePUBL~ICg\"?><!DOCTYPE x PUBLIC \"prg/x.dTd<!DOCTYPE\"><x/>";
    for (std::size_t piece = 1; piece <= xml.size() + 1; ++piece) {
        EXPECT_FALSE(scanner_finds_hazard(xml, true, piece)) << "piece " << piece;
        EXPECT_TRUE(scanner_finds_hazard(xml, false, piece)) << "piece " << piece;
    }
    const std::string entity = "<x>" + std::string(40, ' ') + "<!ENTITY a \"b\"></x>";
    for (std::size_t piece = 1; piece <= entity.size() + 1; ++piece) {
        EXPECT_TRUE(scanner_finds_hazard(entity, true, piece)) << "piece " << piece;
    }
}

}  // namespace
