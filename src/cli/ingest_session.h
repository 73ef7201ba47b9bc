#pragma once
// What `add` and `import` share: enqueue files while a ConversionRunner converts them, reporting
// each outcome to a Progress. If another process is converting this library already, files are
// only queued and that process converts them.
#include <filesystem>
#include <map>
#include <memory>
#include <optional>

#include "cli/terminal.h"
#include "ingest/pipeline.h"

namespace wenku::cli {

class IngestSession {
public:
    /// With `skip_duplicates` (import) a file already in the library counts as skipped; without
    /// it (add) as a refusal.
    IngestSession(Library& library, int jobs, Progress& progress, bool skip_duplicates);
    ~IngestSession();

    /// Queues one file; a refusal (duplicate, empty, too large) is reported to the progress.
    /// Returns the new document number, or none when refused.
    std::optional<std::int64_t> add(const std::filesystem::path& file, const AddOptions& options);

    /// Waits for every queued document to be converted (if this process converts).
    /// Returns exit_code::ok, or document_failed when anything failed.
    int finish();

    bool converting_here() const { return lock_.held(); }

private:
    Library& library_;
    Progress& progress_;
    bool skip_duplicates_;
    QueueLock lock_;
    std::unique_ptr<ConversionRunner> runner_;
};

}  // namespace wenku::cli
