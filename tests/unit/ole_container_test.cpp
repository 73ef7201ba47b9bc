// Unit tests for OLE compound file inspection over files built here: Word, Excel and PowerPoint
// identified, password protection found, other compound files named, and broken chains refused.
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/conversion.h"
#include "core/errors.h"
#include "support/worker/zip_builder.h"
#include "worker/container.h"

namespace {

using namespace wenku::worker;
using namespace wenku::test;
using namespace std::string_literals;
using wenku::InputError;

Outcome ole_outcome(const std::string& bytes) {
    try {
        return {inspect_ole_bytes(bytes, "test.doc").format, "", ""};
    } catch (const InputError& e) {
        return {"", e.code(), e.what()};
    }
}

// --- A small compound file writer ----------------------------------------------------------------

struct CfbStream {
    std::string name;
    std::string data;                  // padded to 4096 bytes (so that it lives in regular sectors)
    std::uint32_t right = 0xFFFFFFFF;  // overrides the sibling link (0xFFFFFFFF: the next entry)
    std::uint32_t start = 0xFFFFFFFF;  // overrides the first sector (0xFFFFFFFF: its own sectors)
};

struct CfbOptions {
    bool cyclic_directory_chain = false;
    bool cyclic_tree = false;
};

std::string make_cfb(std::vector<CfbStream> streams, CfbOptions options = {}) {
    constexpr std::uint32_t end_of_chain_marker = 0xFFFFFFFE;
    constexpr std::uint32_t free_marker = 0xFFFFFFFF;
    for (auto& s : streams) {
        if (s.data.size() < 4096) s.data.resize(4096, '\0');
        s.data.resize((s.data.size() + 511) / 512 * 512, '\0');
    }
    const std::size_t entries = streams.size() + 1;
    const std::uint32_t dir_sectors = static_cast<std::uint32_t>((entries + 3) / 4);
    std::vector<std::uint32_t> fat(128, free_marker);
    fat[0] = 0xFFFFFFFD;  // the FAT itself
    std::uint32_t next = 1;
    for (std::uint32_t i = 0; i < dir_sectors; ++i, ++next)
        fat[next] = i + 1 == dir_sectors ? end_of_chain_marker : next + 1;
    if (options.cyclic_directory_chain) fat[dir_sectors] = 1;
    std::vector<std::uint32_t> starts;
    for (const auto& s : streams) {
        starts.push_back(next);
        const auto count = static_cast<std::uint32_t>(s.data.size() / 512);
        for (std::uint32_t i = 0; i < count; ++i, ++next)
            fat[next] = i + 1 == count ? end_of_chain_marker : next + 1;
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
    put32(out, 0);                    // directory sectors (v3: 0)
    put32(out, 1);                    // FAT sectors
    put32(out, 1);                    // first directory sector
    put32(out, 0);                    // transaction
    put32(out, 4096);                 // mini stream cutoff
    put32(out, end_of_chain_marker);  // mini FAT
    put32(out, 0);
    put32(out, end_of_chain_marker);  // DIFAT
    put32(out, 0);
    put32(out, 0);  // DIFAT[0]: sector 0 holds the FAT
    for (int i = 1; i < 109; ++i) put32(out, free_marker);

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
    entry("Root Entry", 5, 0xFFFFFFFF, streams.empty() ? 0xFFFFFFFF : 1, end_of_chain_marker, 0);
    for (std::size_t i = 0; i < streams.size(); ++i) {
        std::uint32_t right = i + 1 < streams.size() ? static_cast<std::uint32_t>(i + 2) : 0xFFFFFFFF;
        if (streams[i].right != 0xFFFFFFFF) right = streams[i].right;
        if (options.cyclic_tree && i + 1 == streams.size()) right = 1;
        const std::uint32_t start = streams[i].start != 0xFFFFFFFF ? streams[i].start : starts[i];
        entry(streams[i].name, 2, right, 0xFFFFFFFF, start,
              static_cast<std::uint32_t>(streams[i].data.size()));
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
    const std::string workbook =
        biff_record(0x0809, std::string(16, '\0')) + biff_record(0x00E1, "") + biff_record(0x000A, "");
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

    const std::string workbook = biff_record(0x0809, std::string(16, '\0')) +
                                 biff_record(0x002F, "\x01\x00"s) + biff_record(0x000A, "");
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

    const Outcome chain =
        ole_outcome(make_cfb({{"WordDocument", word_fib(0)}}, {.cyclic_directory_chain = true}));
    EXPECT_EQ(chain.code, wenku::error_code::corrupt);
    EXPECT_NE(chain.message.find("cyclic"), std::string::npos) << chain.message;

    const Outcome tree =
        ole_outcome(make_cfb({{"WordDocument", word_fib(0)}, {"Data", "x"}}, {.cyclic_tree = true}));
    EXPECT_EQ(tree.code, wenku::error_code::corrupt);
    EXPECT_NE(tree.message.find("cycle"), std::string::npos) << tree.message;

    // Two streams on the same sectors (also what keeps the check linear in the file size).
    const Outcome shared =
        ole_outcome(make_cfb({{"WordDocument", word_fib(0)}, {"Data", "x", 0xFFFFFFFF, 2}}));
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
