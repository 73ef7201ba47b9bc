#pragma once
// Content-addressed files: originals under blobs/ab/<sha256>, page previews under
// pages/ab/<sha256>/. Every write is temp -> fsync -> rename -> fsync(dir), so a file that exists
// under its final name is complete. Failures throw EnvironmentError naming the path and the
// system's reason (StorageFullError when the disk is full; a file being written is removed then). A hash is
// used as a path component, so every method taking one refuses anything but 64 lowercase hex digits with
// UsageError. Files being written are named ".tmp-*" inside their final folder; they are never reported as
// content.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace wenku {

class BlobStore {
  public:
    explicit BlobStore(const std::filesystem::path& root);  // the data folder; creates blobs/ pages/

    /// SHA-256 (lowercase hex) of a file's bytes, streamed in 1 MiB chunks.
    static std::string sha256_file(const std::filesystem::path& file);

    /// Copies `file` into the store durably unless a blob with that hash exists (an existing blob
    /// is never overwritten); returns its path. The copy is hashed on the way: if its bytes do not
    /// match `sha256` (the file changed since it was hashed) nothing is stored and it throws.
    std::filesystem::path put_original(const std::filesystem::path& file, const std::string& sha256);
    std::filesystem::path original_path(const std::string& sha256) const;
    bool has_original(const std::string& sha256) const;

    /// Moves a folder of finished previews into place as pages/ab/<sha256>, durably (every file
    /// and the folder fsynced first, the parents after), replacing any earlier (orphaned) folder
    /// of that name. `staged_dir` must be on the same file system (a job folder in the data folder).
    std::filesystem::path publish_pages(const std::filesystem::path& staged_dir, const std::string& sha256);
    std::filesystem::path pages_dir(const std::string& sha256) const;

    /// Removes stray ".tmp-*" files left in blobs/ and pages/ by writes a crash interrupted.
    /// Only for the process that owns the data folder, at start-up: it would pull files from
    /// under another live writer.
    void remove_stray_temp_files();

    /// Remove the original / the pages folder, durably; nothing happens if it is absent.
    void remove_original(const std::string& sha256);
    void remove_pages(const std::string& sha256);

    /// The hashes that have an original / a pages folder on disk, sorted; temp files and names
    /// that are not hashes in their right <ab> folder are left out.
    std::vector<std::string> list_originals() const;
    std::vector<std::string> list_page_sets() const;

    const std::filesystem::path& root() const { return root_; }

  private:
    std::filesystem::path root_;
};

/// Durable file writing helpers shared by the stores.
/// Writes `bytes` to `target` atomically (temp file in the same folder, fsync, rename over any
/// existing file, fsync the folder), creating missing parent folders durably.
void write_file_durably(const std::filesystem::path& target, std::string_view bytes);
/// fsyncs a file or a folder.
void fsync_path(const std::filesystem::path& path);

}  // namespace wenku
