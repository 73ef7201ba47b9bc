// ZIP and OLE inspection over the shared real-document corpus: every good Office, OpenDocument and
// EPUB file is identified as MANIFEST.tsv's `format` column says, and every hostile, broken or
// encrypted container in files/bad gets its expected outcome (printed as a table).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "core/conversion.h"
#include "core/errors.h"
#include "support/test_support.h"
#include "worker/container.h"
#include "worker/detect.h"

namespace {

namespace fs = std::filesystem;
using namespace wenku::worker;

/// MANIFEST.tsv: "files/<folder>/<name>" -> format column.
std::map<std::string, std::string> manifest_formats() {
    std::map<std::string, std::string> formats;
    std::ifstream in(*wenku::test::corpus_dir() / "MANIFEST.tsv");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream row(line);
        std::string field;
        std::vector<std::string> fields;
        while (std::getline(row, field, '\t')) fields.push_back(field);
        if (fields.size() > 5) formats[fields[0]] = fields[5];
    }
    return formats;
}

std::string manifest_path(const fs::path& file) {
    return "files/" + file.parent_path().filename().string() + "/" + file.filename().string();
}

struct Outcome {
    std::string container;  // "zip", "ole", or empty when detect_type() says it is neither
    std::string format;     // when accepted
    std::string code;       // when refused
    std::string message;
    double seconds = 0;
    std::string result() const { return code.empty() ? format : code; }
};

Outcome inspect(const fs::path& file) {
    Outcome o;
    std::string head = wenku::test::read_file(file).substr(0, 8192);
    const DetectedType type = detect_type(head);
    if (type != DetectedType::zip && type != DetectedType::ole) return o;
    o.container = type == DetectedType::zip ? "zip" : "ole";
    const std::string name = file.filename().string();
    const auto start = std::chrono::steady_clock::now();
    try {
        o.format =
            type == DetectedType::zip ? inspect_zip(file, name).format : inspect_ole(file, name).format;
    } catch (const wenku::InputError& e) {
        o.code = e.code();
        o.message = e.what();
    }
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return o;
}

void print_row(const fs::path& file, const Outcome& o) {
    const std::string outcome = o.container.empty() ? "- (not a ZIP or OLE file)"
                                : o.code.empty()    ? o.format
                                                    : "[" + o.code + "] " + o.message;
    std::printf("  %-58s %-3s %6.3fs  %s\n", file.filename().c_str(), o.container.c_str(), o.seconds,
                outcome.c_str());
}

/// Hidden files are no corpus documents (LibreOffice leaves ".~lock.<name>#" beside files it opens).
bool is_hidden(const fs::path& file) { return file.filename().string().starts_with("."); }

/// Raw BIFF streams without an OLE wrapper: the converter hands them to LibreOffice by type.
const std::set<std::string> not_containers = {"files/xls/apache-poi__testEXCEL_4.xls"};

TEST(ContainerCorpus, GoodDocumentsAreIdentifiedAsTheManifestSays) {
    if (!wenku::test::corpus_dir()) GTEST_SKIP() << wenku::test::corpus_missing_message();
    const auto formats = manifest_formats();
    std::printf("file -> container, seconds, outcome\n");
    int checked = 0;
    for (const char* folder : {"docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "doc", "xls", "ppt"}) {
        for (const auto& file : wenku::test::corpus_files(folder)) {
            if (is_hidden(file)) continue;
            const Outcome o = inspect(file);
            print_row(file, o);
            const std::string rel = manifest_path(file);
            if (not_containers.contains(rel)) {
                EXPECT_TRUE(o.container.empty()) << rel;
                continue;
            }
            ASSERT_TRUE(formats.contains(rel)) << rel << " is not in MANIFEST.tsv";
            EXPECT_FALSE(o.container.empty()) << rel << " is neither ZIP nor OLE";
            EXPECT_EQ(o.code, "") << o.message;
            EXPECT_EQ(o.format, formats.at(rel)) << rel;
            ++checked;
        }
    }
    EXPECT_GT(checked, 80);
}

TEST(ContainerCorpus, BadFilesGetTheirExpectedOutcome) {
    if (!wenku::test::corpus_dir()) GTEST_SKIP() << wenku::test::corpus_missing_message();
    namespace code = wenku::error_code;
    // Every ZIP or OLE file in files/bad: an error code, or the detected format where the
    // container is sound and only the content (or the extension) is bad.
    const std::map<std::string, std::string> expected = {
        {"apache-poi__54764-2.xlsx", code::unsafe},
        {"apache-poi__54764.xlsx", code::unsafe},
        {"apache-poi__57272_corrupted_usereditatom.ppt", "ppt"},  // sound container, bad records inside
        {"apache-poi__ContentTypeHasEntities.ooxml", code::unsafe},
        {"apache-poi__ExternalEntityInText.docx", code::unsafe},
        {"apache-poi__Fuzzed.doc", "doc"},  // sound container, fuzzed content
        {"apache-poi__PackageRelsHasEntities.ooxml", code::unsafe},
        {"apache-poi__PasswordProtected.doc", code::encrypted},
        {"apache-poi__Password_Protected-hello.ppt", code::encrypted},
        {"apache-poi__bug53475-password-is-pass.docx", code::encrypted},
        {"apache-poi__invalid.xlsx", code::unsupported},  // an empty ZIP archive
        {"apache-poi__password.xls", code::encrypted},
        {"apache-poi__password_password_cryptoapi.doc", code::encrypted},
        {"apache-poi__poc-xmlbomb.xlsx", code::unsafe},
        {"apache-poi__protected_agile.docx", code::encrypted},
        {"apache-poi__protected_passtika.xlsx", code::encrypted},
        {"apache-poi__truncated62886.docx", code::corrupt},
        {"apache-poi__xlsx-corrupted.xlsx", "xlsx"},  // sound container, malformed _rels/.rels
        {"apache-poi__xor-encryption-abc.xls", code::encrypted},
        {"apache-poi__xxe_in_schema.xlsx", code::unsafe},
        {"derived__billion-laughs.docx", code::unsafe},
        {"derived__corrupt-deflate-document-xml.docx", code::corrupt},
        {"derived__docx-named-as.pdf", "docx"},
        {"derived__ppt-named-as.pptx", "ppt"},
        {"derived__truncated-50pct-test04.doc", code::corrupt},
        {"derived__xlsx-named-as.xls", "xlsx"},
        {"derived__xxe-file-etc-passwd.docx", code::unsafe},
        {"derived__zipbomb-1GiB-document-xml.docx", code::too_large},
        {"derived__zipslip-entry.docx", code::unsafe},
        {"excelize__BadWorkbook.xlsx", "xlsx"},  // sound container, questionable workbook data
        {"excelize__encryptAES.xlsx", code::encrypted},
        {"excelize__encryptSHA1.xlsx", code::encrypted},
        {"node-word-extractor__bad-xml.docx", "docx"},  // sound container, lenient-parser XML
        {"node-word-extractor__badfile-01-bad-header.doc", code::corrupt},
        {"recursiveextractor__zbsm.zip", code::too_large},
        {"recursiveextractor__zip-slip-win.zip", code::unsafe},
        {"recursiveextractor__zip-slip.zip", code::unsafe},
        {"xapian__corrupt_file.odp", code::corrupt},
    };
    const auto formats = manifest_formats();
    std::set<std::string> seen;
    std::printf("file -> container, seconds, outcome\n");
    for (const auto& file : wenku::test::corpus_files("bad")) {
        if (is_hidden(file)) continue;
        const Outcome o = inspect(file);
        print_row(file, o);
        const std::string name = file.filename().string();
        if (o.container.empty()) {
            EXPECT_FALSE(expected.contains(name)) << name << " should be a ZIP or OLE file";
            continue;
        }
        seen.insert(name);
        const auto it = expected.find(name);
        ASSERT_NE(it, expected.end()) << "no expectation for " << name << " (outcome " << o.result() << ")";
        EXPECT_EQ(o.result(), it->second) << name << ": " << o.message;
        if (!o.code.empty()) {
            EXPECT_TRUE(o.message.starts_with(name + " ")) << o.message;
        } else {
            EXPECT_EQ(o.format, formats.at(manifest_path(file))) << name;
        }
    }
    for (const auto& [name, outcome] : expected) EXPECT_TRUE(seen.contains(name)) << name << " is missing";
}

TEST(ContainerCorpus, MessagesSayWhatIsWrong) {
    if (!wenku::test::corpus_dir()) GTEST_SKIP() << wenku::test::corpus_missing_message();
    const fs::path bad = *wenku::test::corpus_dir() / "files" / "bad";
    auto message = [&](const std::string& name) { return inspect(bad / name).message; };
    EXPECT_EQ(
        message("derived__zipbomb-1GiB-document-xml.docx"),
        "derived__zipbomb-1GiB-document-xml.docx is a decompression bomb: word/document.xml would inflate "
        "from 1.0 MiB to 1.0 GiB (1027×)");
    EXPECT_EQ(message("derived__zipslip-entry.docx"),
              "derived__zipslip-entry.docx has an entry that points outside the archive: "
              "../../../../../../tmp/evil.txt");
    EXPECT_EQ(
        message("derived__xxe-file-etc-passwd.docx"),
        "derived__xxe-file-etc-passwd.docx contains an XML document type declaration in word/document.xml "
        "(entity expansion or external entity attack)");
    EXPECT_NE(message("apache-poi__password.xls").find("apache-poi__password.xls is password-protected"),
              std::string::npos);
    EXPECT_NE(message("derived__truncated-50pct-test04.doc").find("is damaged: the file is truncated"),
              std::string::npos);
}

}  // namespace
