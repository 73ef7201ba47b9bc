#pragma once
// The worker's side of a conversion: read the original, detect its type, lay it out, render it.
// Runs inside the sandboxed worker process (see worker/worker_main.h); tests call it directly.
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

/// Converts request.input_path, writing previews into request.output_dir. A problem with the
/// document never throws: the result has ok=false, a specific error_code and a message naming the
/// file. Failures of the environment (unreadable input, unwritable output) throw EnvironmentError.
ConvertResult convert_document(const ConvertRequest& request, const ConverterOptions& options);

}  // namespace wenku::worker
