#include "support/worker/zip_builder.h"

#include <zlib.h>

#include <gtest/gtest.h>

#include "core/errors.h"

namespace wenku::test {

using namespace std::string_literals;

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

std::string make_zip(const std::vector<ZipEntrySpec>& specs, ZipOptions options) {
    std::string out;
    std::string directory;
    for (const auto& spec : specs) {
        const std::string compressed = spec.raw_compressed ? *spec.raw_compressed
                                       : spec.deflate      ? raw_deflate(spec.data)
                                                           : spec.data;
        const std::uint16_t method = spec.method_override != 0xFFFF ? spec.method_override
                                     : spec.deflate                 ? 8
                                                                    : 0;
        const std::uint32_t crc =
            spec.declared_crc
                ? *spec.declared_crc
                : static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(spec.data.data()),
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

const std::string docx_content_types =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
    R"(<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">)"
    R"(<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>)"
    R"(<Default Extension="xml" ContentType="application/xml"/>)"
    R"(<Override PartName="/word/document.xml" )"
    R"(ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>)";
const std::string docx_relationships =
    R"(<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
    R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>)";
const std::string docx_document =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
    R"(<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>你好，文库</w:t></w:r></w:p></w:body></w:document>)";

std::vector<ZipEntrySpec> docx_entries(const std::string& document, std::vector<ZipEntrySpec> extra) {
    std::vector<ZipEntrySpec> entries = {
        {.name = "[Content_Types].xml", .data = docx_content_types},
        {.name = "_rels/.rels", .data = docx_relationships},
        {.name = "word/document.xml", .data = document},
    };
    for (auto& e : extra) entries.push_back(std::move(e));
    return entries;
}

Outcome zip_outcome(const std::string& bytes, const worker::ContainerLimits& limits) {
    try {
        return {worker::inspect_zip_bytes(bytes, "test.docx", limits).format, "", ""};
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

}  // namespace wenku::test
