#pragma once
// The worker's side of a request: read the original, detect its type, lay it out, render it; or,
// for the demo, lay Markdown out as a PDF. Runs inside the sandboxed worker process (see
// worker/worker_main.h); tests call it directly.
#include "core/conversion.h"
#include "worker/container.h"
#include "worker/csv_table.h"
#include "worker/office_converter.h"
#include "worker/renderer.h"

namespace wenku::worker {

/// How the worker converts: its limits and LibreOffice's profile. The worker fills it from its
/// command line (the convert.* settings); the defaults are the settings' defaults.
struct ConverterOptions {
    RenderLimits render;
    OfficeOptions office;
    ContainerLimits container;
    CsvLimits csv;
};

/// Does what request.job asks: convert_document() or lay_out_markdown_as_pdf().
ConvertResult run_job(const ConvertRequest& request, const ConverterOptions& options);

/// Converts request.input_path, writing previews into request.output_dir. A problem with the
/// document never throws: the result has ok=false, a specific error_code and a message naming the
/// file. Failures of the environment (unreadable input, unwritable output) throw EnvironmentError.
ConvertResult convert_document(const ConvertRequest& request, const ConverterOptions& options);

/// Lays the Markdown file at request.input_path out on pages of request.paper as a PDF at
/// request.output_dir / markdown_pdf_file_name (see write_html_as_pdf(); invalid UTF-8 becomes
/// U+FFFD). The result has ok, format "pdf" and the title of its first heading (markdown_title();
/// may be empty), no pages. A document that cannot be laid out gives ok=false with the error;
/// unreadable input or unwritable output throws EnvironmentError.
ConvertResult lay_out_markdown_as_pdf(const ConvertRequest& request, const RenderLimits& limits);

}  // namespace wenku::worker
