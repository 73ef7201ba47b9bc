// Chinese documents with quotes beside words, 《书名号》 and full- and half-width punctuation, written
// here as .docx and .xlsx (and saved as .doc by LibreOffice), converted by the real converter: the
// text of every page of the word-processor files equals poppler's reading of the same PDF
// (whitespace aside; the sheet's holds the same characters, its rows in drawing order), quotes
// stand where they are drawn, and a quoted search for a phrase beside quotes finds each document
// in a real index.
#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "search/search_index.h"
#include "support/poppler_pages.h"
#include "support/search_fixture.h"
#include "support/test_support.h"
#include "support/worker/office_fixtures.h"
#include "support/worker/zip_builder.h"
#include "worker/office_converter.h"
#include "worker/renderer.h"

namespace wenku::worker {
namespace {

namespace fs = std::filesystem;

// Paragraphs as a report sets them: 三号 (16 pt) body, Times New Roman for Latin script (which the
// quotes “ ” ‘ ’ are drawn with) and 宋体 for Chinese, long enough to wrap and to reach page two.
const std::vector<std::string> paragraphs = {
    "积极探索“互联网党建”“智慧党建”模式，不断提高党员干部政治能力。",
    "他说：“双引号”和‘单引号’都要保留，《书名号》也一样。",
    "全角标点，。！？：；（）与半角标点,.!?:;()混排，English words “quoted” and ‘single’ too.",
    "加强“党员干部政治能力”建设，推进“智慧党建”平台上线，开展‘三会一课’，学习《中国共产党章程》，"
    "做到学思用贯通、知信行统一（见附件1）。“两学一做”常态化、制度化，坚持问题导向！是否到位？",
    "第二页：“智慧党建”的经验（2023年）;数据:100%完成,结论!",
};

std::string docx_run(const std::string& text) {
    return R"(<w:r><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="宋体"/>)"
           R"(<w:sz w:val="32"/></w:rPr><w:t xml:space="preserve">)" +
           text + "</w:t></w:r>";
}

std::string chinese_docx() {
    std::string body;
    for (std::size_t i = 0; i < paragraphs.size(); ++i) {
        // The paragraph before the last repeats, so that quotes fall at line starts and ends; then
        // a page break.
        const bool before_last = i + 2 == paragraphs.size();
        for (int t = 0; t < (before_last ? 4 : 1); ++t) body += "<w:p>" + docx_run(paragraphs[i]) + "</w:p>";
        if (before_last) body += R"(<w:p><w:r><w:br w:type="page"/></w:r></w:p>)";
    }
    const std::string document =
        R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
        R"(<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>)" +
        body + "</w:body></w:document>";
    return test::make_zip(test::docx_entries(document));
}

// The paragraphs in column A, one clause (up to and with its "，") a row, the column wide enough
// for the longest clause (LibreOffice draws text that overflows its cell after the rest of the
// page, which MuPDF keeps in that order and poppler does not).
std::string chinese_xlsx() {
    std::vector<std::string> clauses;
    for (const auto& paragraph : paragraphs) {
        std::size_t start = 0;
        for (std::size_t comma; (comma = paragraph.find("，", start)) != std::string::npos; start = comma + 3)
            clauses.push_back(paragraph.substr(start, comma + 3 - start));
        if (start < paragraph.size()) clauses.push_back(paragraph.substr(start));
    }
    std::string rows;
    for (std::size_t i = 0; i < clauses.size(); ++i) {
        const std::string r = std::to_string(i + 1);
        rows += "<row r=\"" + r + "\"><c r=\"A" + r + "\" t=\"inlineStr\"><is><t>" + clauses[i] +
                "</t></is></c></row>";
    }
    const std::string types =
        R"(<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">)"
        R"(<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>)"
        R"(<Default Extension="xml" ContentType="application/xml"/>)"
        R"(<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>)"
        R"(<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>)";
    const std::string rels =
        R"(<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
        R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>)";
    const std::string workbook =
        R"(<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" )"
        R"(xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>)"
        R"(<sheet name="党建" sheetId="1" r:id="rId1"/></sheets></workbook>)";
    const std::string workbook_rels =
        R"(<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
        R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>)";
    const std::string sheet =
        R"(<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">)"
        R"(<cols><col min="1" max="1" width="80" customWidth="1"/></cols><sheetData>)" +
        rows + "</sheetData></worksheet>";
    return test::make_zip({{.name = "[Content_Types].xml", .data = types},
                           {.name = "_rels/.rels", .data = rels},
                           {.name = "xl/workbook.xml", .data = workbook},
                           {.name = "xl/_rels/workbook.xml.rels", .data = workbook_rels},
                           {.name = "xl/worksheets/sheet1.xml", .data = sheet}});
}

// `docx` saved as Word 97 by a LibreOffice of its own (soffice, its own profile); empty when that
// fails.
std::string saved_as_doc(const fs::path& dir, const std::string& docx) {
    const fs::path input = dir / "report.docx";
    test::write_file(input, docx);
    const auto run = test::run_command(
        {"soffice", "-env:UserInstallation=file://" + (dir / "soffice-profile").string(), "--headless",
         "--convert-to", "doc:MS Word 97", "--outdir", (dir / "doc").string(), input.string()});
    const fs::path doc = dir / "doc" / "report.doc";
    if (run.exit_code != 0 || !fs::exists(doc)) {
        ADD_FAILURE() << "soffice could not save a .doc: " << run.err;
        return "";
    }
    return test::read_file(doc);
}

struct Fixture {
    std::string name;
    std::string format;
    std::string bytes;
};

TEST(ChinesePunctuationTest, EveryPageReadsAsPopplerReadsItAndQuotedPhrasesAreFound) {
    if (!test::have_pdftotext()) GTEST_SKIP() << "pdftotext (poppler-utils) is needed for the comparison";
    test::TempDir dir;
    const std::string docx = chinese_docx();
    const std::vector<Fixture> fixtures = {{"党建报告.docx", "docx", docx},
                                           {"党建报告.doc", "doc", saved_as_doc(dir.path(), docx)},
                                           {"党建台账.xlsx", "xlsx", chinese_xlsx()}};
    search::IndexWriter writer(dir.path() / "index", search::TextPolicy::everything());
    std::map<std::pair<std::int64_t, int>, std::string> texts;
    std::int64_t id = 0;
    for (const auto& fixture : fixtures) {
        SCOPED_TRACE(fixture.name);
        ++id;
        if (fixture.bytes.empty()) continue;
        const auto converted =
            test::convert_fixture(dir.path() / fixture.format, fixture.name, fixture.format, fixture.bytes);
        const auto& pages = converted.result.pages;
        const auto poppler = test::poppler_pages(converted.pdf);
        ASSERT_EQ(poppler.size(), pages.size());
        EXPECT_EQ(test::replacement_characters(converted.result), 0);
        std::string all;
        for (std::size_t i = 0; i < pages.size(); ++i) {
            std::printf("[%s p%zu] %s\n", fixture.name.c_str(), i + 1, pages[i].text.c_str());
            const auto ours = test::comparable_text(pages[i].text);
            const auto theirs = test::comparable_text(poppler[i]);
            if (fixture.format != "xlsx") {
                EXPECT_EQ(test::first_difference(ours, theirs), "") << "page " << i + 1;
            } else {
                // Calc draws cells of mixed script after the others; MuPDF keeps that order and
                // poppler sorts rows by position (see page_text_corpus_test). Same characters, and
                // within each cell the same order (the phrases below).
                auto sorted_ours = ours, sorted_theirs = theirs;
                std::sort(sorted_ours.begin(), sorted_ours.end());
                std::sort(sorted_theirs.begin(), sorted_theirs.end());
                EXPECT_EQ(encode_utf8(sorted_ours), encode_utf8(sorted_theirs)) << "page " << i + 1;
                std::printf("[%s p%zu] order against poppler: %s\n", fixture.name.c_str(), i + 1,
                            test::first_difference(ours, theirs).c_str());
            }
            texts[{id, static_cast<int>(i + 1)}] = pages[i].text;
            all += pages[i].text;
        }
        // The quotes stand where the document has them.
        const std::string compact = encode_utf8(test::comparable_text(all));
        for (const char* phrase :
             {"积极探索“互联网党建”“智慧党建”模式", "他说：“双引号”和‘单引号’都要保留，《书名号》也一样。",
              "（）与半角标点,.!?:;()混排", "“quoted”and‘single’",
              "开展‘三会一课’，学习《中国共产党章程》"}) {
            EXPECT_NE(compact.find(phrase), std::string::npos) << phrase << "\nin: " << compact;
        }
        std::vector<std::string> page_texts;
        for (const auto& page : pages) page_texts.push_back(page.text);
        writer.add(test::ready_document(id, fixture.name, fixture.format), test::text_pages(id, page_texts),
                   {});
    }
    writer.commit();

    search::IndexReader reader(dir.path() / "index");
    const auto found = [&](const std::string& query) {
        search::SearchRequest request;
        request.query = query;
        std::vector<std::int64_t> ids;
        const auto results =
            reader.search(request, [&](std::int64_t doc, int page) -> std::optional<std::string> {
                const auto it = texts.find({doc, page});
                if (it == texts.end()) return std::nullopt;
                return it->second;
            });
        for (const auto& hit : results.hits) ids.push_back(hit.document_id);
        std::sort(ids.begin(), ids.end());
        return ids;
    };
    const std::vector<std::int64_t> all_three = {1, 2, 3};
    EXPECT_EQ(found("\"智慧党建\""), all_three);
    EXPECT_EQ(found("\"党员干部政治能力\""), all_three);
    EXPECT_EQ(found("\"互联网党建\""), all_three);
    EXPECT_EQ(found("\"书名号\""), all_three);
    EXPECT_EQ(found("\"三会一课\""), all_three);
}

}  // namespace
}  // namespace wenku::worker
