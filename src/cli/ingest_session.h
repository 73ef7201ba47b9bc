#pragma once
// What `add` and `import` share: enqueue files while this process converts them (through a
// ConversionService), reporting each outcome to a Progress. If another process is converting this
// library already, files are only queued and that process converts them.
#include <filesystem>
#include <optional>

#include "cli/terminal.h"
#include "ingest/conversion_service.h"
#include "ingest/enqueue.h"

namespace wenku::cli {

class IngestSession {
  public:
    /// Starts converting with `workers` worker processes (0 = setting convert.jobs), at most
    /// `max_workers` (0 = no cap), unless another process converts (said on stderr). With
    /// `skip_duplicates` (import) a file already in the library counts as skipped; without it
    /// (add) as a refusal. Throws like ConversionService::start.
    IngestSession(Library& library, Progress& progress, bool skip_duplicates, int workers,
                  int max_workers = 0);

    /// Queues one file; a refusal (duplicate, empty, too large) is reported to the progress.
    /// Returns the new document number, or none when refused. Throws EnvironmentError when the
    /// disk or the database fails.
    std::optional<std::int64_t> add(const std::filesystem::path& file, const AddOptions& options);

    /// Waits for every queued document to be converted (if this process converts).
    /// Returns exit_code::ok, or document_failed when anything failed.
    int finish();

  private:
    Library& library_;
    Progress& progress_;
    bool skip_duplicates_;
    ConversionService conversion_;
};

}  // namespace wenku::cli
