// The trusted side's handle on a real `wenku worker` (ingest/worker_process.h): the worker contract's
// job kinds, and the convert.* settings that reach the worker on its command line.
#include "ingest/worker_process.h"

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/conversion.h"
#include "core/settings.h"
#include "support/test_support.h"
#include "support/worker/zip_builder.h"
#include "support/worker_jobs.h"

namespace wenku::test {
namespace {

namespace fs = std::filesystem;

TEST(WorkerContract, JobKindIsConvertUnlessAskedOtherwise) {
    EXPECT_EQ(nlohmann::json::parse(R"({"input_path": "a.pdf"})").get<ConvertRequest>().job,
              JobKind::convert);
    ConvertRequest request;
    request.job = JobKind::markdown_pdf;
    EXPECT_EQ(nlohmann::json(request)["job"], "markdown_pdf");
    EXPECT_EQ(nlohmann::json(request).get<ConvertRequest>().job, JobKind::markdown_pdf);
}

TEST(WorkerProcess, LaysMarkdownOutAsPdfWithTheTitleOfItsFirstHeading) {
    TempDir dir;
    WorkerProcess worker = start_worker(dir);
    ConvertRequest request = request_for(dir, "guide.md", "# 文库使用指南\n\n上传、预览、搜索。\n");
    request.job = JobKind::markdown_pdf;
    const ConvertResult result = worker.convert(request);
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_EQ(result.title, "文库使用指南");
    EXPECT_EQ(result.format, "pdf");
    EXPECT_TRUE(result.pages.empty());
    EXPECT_EQ(read_file(fs::path(request.output_dir) / markdown_pdf_file_name).substr(0, 5), "%PDF-");

    // The PDF converts like any other, with the Markdown's text on its page.
    TempDir again;
    WorkerProcess converter = start_worker(again);
    const ConvertResult pdf = converter.convert(
        request_for(again, "guide.pdf", read_file(fs::path(request.output_dir) / markdown_pdf_file_name)));
    ASSERT_TRUE(pdf.ok) << pdf.error;
    EXPECT_NE(all_page_text(pdf).find("上传、预览、搜索。"), std::string::npos) << all_page_text(pdf);
}

TEST(WorkerProcess, CsvAndZipLimitsComeFromTheSettings) {
    TempDir dir;
    Settings settings;
    settings.set("convert.csv_max_rows", "2");
    settings.set("convert.zip_max_entries", "2");
    WorkerProcess worker = start_worker(dir, settings);

    const ConvertResult table = worker.convert(request_for(dir, "t.csv", "名称,数量\n苹果,3\n梨,12\n桃,7\n"));
    ASSERT_TRUE(table.ok) << table.error;
    std::string text = all_page_text(table);
    std::erase(text, ' ');  // the text extractor may or may not keep the spaces around Latin digits
    EXPECT_NE(text.find("只显示了前2行"), std::string::npos) << all_page_text(table);

    const ConvertResult docx = worker.convert(request_for(dir, "d.docx", make_zip(docx_entries())));
    EXPECT_FALSE(docx.ok);
    EXPECT_EQ(docx.error_code, error_code::too_large) << docx.error;
}

}  // namespace
}  // namespace wenku::test
