#pragma once
// Content-addressed files: originals under blobs/ab/<sha256>, page previews under
// pages/ab/<sha256>/. Every write is temp -> fsync -> rename -> fsync(dir), so a file that exists
// under its final name is complete. Failures throw EnvironmentError.
#include <filesystem>
#include <string>
#include <vector>

namespace wenku {

class BlobStore {
public:
    explicit BlobStore(std::filesystem::path root);  // the data folder; creates blobs/ pages/ tmp/

    /// SHA-256 (hex) of a file's bytes, streamed.
    static std::string sha256_file(const std::filesystem::path& file);

    /// Copies `file` into the store durably unless a blob with that hash exists; returns its path.
    std::filesystem::path put_original(const std::filesystem::path& file, const std::string& sha256);
    std::filesystem::path original_path(const std::string& sha256) const;
    bool has_original(const std::string& sha256) const;

    /// Moves a folder of finished previews (in tmp/) into place as pages/ab/<sha256>, durably,
    /// replacing any earlier (orphaned) folder of that name.
    std::filesystem::path publish_pages(const std::filesystem::path& staged_dir, const std::string& sha256);
    std::filesystem::path pages_dir(const std::string& sha256) const;

    /// A new private folder under tmp/ for one conversion job.
    std::filesystem::path make_job_dir();
    /// Empties tmp/ (job folders of a process that died).
    void clear_tmp();

    void remove_original(const std::string& sha256);
    void remove_pages(const std::string& sha256);

    /// The hashes that have an original / a pages folder on disk.
    std::vector<std::string> list_originals() const;
    std::vector<std::string> list_page_sets() const;

    const std::filesystem::path& root() const { return root_; }

private:
    std::filesystem::path root_;
};

/// Durable file writing helpers shared by the stores.
void write_file_durably(const std::filesystem::path& target, std::string_view bytes);
void fsync_path(const std::filesystem::path& path);  // a file or a folder

}  // namespace wenku
