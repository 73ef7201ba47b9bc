#include "cli/backup.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <initializer_list>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "core/conversion.h"
#include "core/errors.h"
#include "store/snapshot.h"

namespace wenku::cli {
namespace fs = std::filesystem;

namespace {

constexpr const char* database_file = "wenku.db";
constexpr const char* settings_file = "wenku.conf";
constexpr const char* manifest_file = "manifest.json";
constexpr const char* lock_file = "backup.lock";
/// The database of a backup in progress, until every file it refers to is on disk.
constexpr const char* staged_database_file = "wenku.db.new";

/// An flock on DIR/backup.lock, held while a backup writes into DIR or a restore reads from it.
class BackupLock {
  public:
    /// Takes the lock without waiting; throws EnvironmentError when another backup holds it.
    /// Without `create`, a folder that has no lock file (nothing ever wrote into it) is not locked.
    BackupLock(const fs::path& dir, bool create);
    ~BackupLock() {
        if (fd_ >= 0) ::close(fd_);
    }
    BackupLock(const BackupLock&) = delete;
    BackupLock& operator=(const BackupLock&) = delete;

  private:
    int fd_ = -1;
};

std::vector<Document> all_documents(Repository& repository);
bool copy_document_files(const BlobStore& from, const BlobStore& to, const Document& d, CopySummary& summary);
bool copy_if_changed(const fs::path& from, const fs::path& to, CopySummary& summary);
void remove_files(const fs::path& base, std::initializer_list<const char*> suffixes);
/// What SQLite may keep beside a database file: its write-ahead log, shared memory, journal.
constexpr std::initializer_list<const char*> sqlite_side_files = {"-wal", "-shm", "-journal"};
void sync_file_system(const fs::path& dir);
nlohmann::json manifest_entry(const Document& d);
std::int64_t unix_now();
[[noreturn]] void throw_errno(const std::string& action, const fs::path& path, int err);

}  // namespace

CopySummary back_up(Library& library, const fs::path& dest) {
    std::error_code ec;
    fs::create_directories(dest, ec);
    if (ec) throw EnvironmentError("cannot create the backup folder " + dest.string() + ": " + ec.message());
    const BackupLock lock(dest, /*create=*/true);
    CopySummary summary;
    BlobStore files(dest);
    files.remove_stray_temp_files();  // of an interrupted earlier backup
    const fs::path staged = dest / staged_database_file;
    remove_files(staged, {"", "-wal", "-shm", "-journal", ".partial"});
    copy_sqlite_snapshot(library.data_dir() / database_file, staged);
    const std::int64_t snapshot_at = unix_now();

    std::set<std::string> originals, page_sets;
    auto documents = nlohmann::json::array();
    {
        const auto snapshot = open_sqlite_repository(staged.string());
        for (const Document& d : all_documents(*snapshot)) {
            if (!copy_document_files(library.blobs(), files, d, summary)) {
                snapshot->remove_document(d.id);  // removed from the library since the snapshot
                summary.left_out.push_back(d.id);
                continue;
            }
            originals.insert(d.sha256);
            if (d.status == DocumentStatus::ready) page_sets.insert(d.sha256);
            documents.push_back(manifest_entry(d));
        }
    }
    summary.documents = static_cast<std::int64_t>(documents.size());
    if (fs::exists(library.data_dir() / settings_file, ec)) {
        copy_if_changed(library.data_dir() / settings_file, dest / settings_file, summary);
    } else {
        fs::remove(dest / settings_file, ec);
    }

    // Every file is on disk before the database that refers to them takes the earlier one's place.
    sync_file_system(dest);
    remove_files(dest / database_file, sqlite_side_files);
    fs::rename(staged, dest / database_file, ec);
    if (ec)
        throw EnvironmentError("cannot put the backup's database in place in " + dest.string() + ": " +
                               ec.message());
    fsync_path(dest);
    remove_files(staged, sqlite_side_files);
    summary.files_copied += 1;
    summary.bytes_copied += static_cast<std::int64_t>(fs::file_size(dest / database_file, ec));
    const nlohmann::json manifest{{"format", "wenku backup 1"},
                                  {"wenku_version", WENKU_VERSION},
                                  {"snapshot_at", snapshot_at},
                                  {"documents", documents},
                                  {"left_out", summary.left_out}};
    write_file_durably(dest / manifest_file,
                       manifest.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");

    // What the new snapshot no longer refers to goes (documents removed since the last backup).
    for (const auto& sha : files.list_originals()) {
        if (originals.contains(sha)) continue;
        files.remove_original(sha);
        ++summary.removed;
    }
    for (const auto& sha : files.list_page_sets()) {
        if (page_sets.contains(sha)) continue;
        files.remove_pages(sha);
        ++summary.removed;
    }
    return summary;
}

CopySummary restore(const fs::path& backup, const fs::path& data_dir) {
    std::error_code ec;
    if (!fs::is_regular_file(backup / database_file, ec)) {
        throw UsageError(backup.string() + " holds no wenku backup (it has no " + database_file + ")");
    }
    if (fs::exists(data_dir, ec) && !(fs::is_directory(data_dir, ec) && fs::is_empty(data_dir, ec))) {
        throw UsageError(data_dir.string() + " is not an empty folder: restore only into a new or empty one");
    }
    fs::create_directories(data_dir, ec);
    if (ec) throw EnvironmentError("cannot create " + data_dir.string() + ": " + ec.message());
    const BackupLock lock(backup, /*create=*/false);
    CopySummary summary;
    copy_sqlite_snapshot(backup / database_file, data_dir / database_file);
    summary.files_copied += 1;
    summary.bytes_copied += static_cast<std::int64_t>(fs::file_size(data_dir / database_file, ec));
    if (fs::exists(backup / settings_file, ec))
        copy_if_changed(backup / settings_file, data_dir / settings_file, summary);
    const BlobStore from(backup);
    BlobStore to(data_dir);
    {
        const auto repository = open_sqlite_repository((data_dir / database_file).string());
        for (const Document& d : all_documents(*repository)) {
            if (!copy_document_files(from, to, d, summary)) {
                throw EnvironmentError("the backup in " + backup.string() + " lacks files of document №" +
                                       std::to_string(d.id) + ": it is incomplete");
            }
            ++summary.documents;
        }
    }
    sync_file_system(data_dir);
    return summary;
}

namespace {

BackupLock::BackupLock(const fs::path& dir, bool create) {
    const fs::path path = dir / lock_file;
    fd_ = ::open(path.c_str(), (create ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC, 0644);
    if (fd_ < 0) {
        if (!create && errno == ENOENT) return;
        throw_errno("open", path, errno);
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        if (err == EWOULDBLOCK)
            throw EnvironmentError("a backup is being written into " + dir.string() +
                                   ": try again when it has finished");
        throw_errno("lock", path, err);
    }
}

std::vector<Document> all_documents(Repository& repository) {
    DocumentFilter all;
    all.limit = 1 << 30;
    return repository.list_documents(all);
}

/// Copies a document's original, and the previews and cover of a ready one, from one data (or
/// backup) folder to another; false when any of them is missing in `from`.
bool copy_document_files(const BlobStore& from, const BlobStore& to, const Document& d,
                         CopySummary& summary) {
    if (!copy_if_changed(from.original_path(d.sha256), to.original_path(d.sha256), summary)) return false;
    if (d.status != DocumentStatus::ready) return true;
    const fs::path from_dir = from.pages_dir(d.sha256);
    const fs::path to_dir = to.pages_dir(d.sha256);
    if (!copy_if_changed(from_dir / cover_file_name, to_dir / cover_file_name, summary)) return false;
    for (int n = 1; n <= d.page_count; ++n) {
        const std::string name = preview_file_name(n);
        if (!copy_if_changed(from_dir / name, to_dir / name, summary)) return false;
    }
    return true;
}

/// Copies `from` to `to` unless `to` has its size and modification time already (an earlier
/// backup's copy); the copy gets the same modification time. It is written under a ".tmp-" name
/// beside `to` and renamed into place, not fsynced: the caller syncs the file system once. Returns
/// false when `from` does not exist; throws EnvironmentError for any other failure.
bool copy_if_changed(const fs::path& from, const fs::path& to, CopySummary& summary) {
    struct stat source {};
    if (::stat(from.c_str(), &source) != 0) {
        if (errno == ENOENT) return false;
        throw_errno("read", from, errno);
    }
    if (struct stat present{}; ::stat(to.c_str(), &present) == 0 && present.st_size == source.st_size &&
                               present.st_mtim.tv_sec == source.st_mtim.tv_sec &&
                               present.st_mtim.tv_nsec == source.st_mtim.tv_nsec) {
        ++summary.files_present;
        return true;
    }
    std::error_code ec;
    fs::create_directories(to.parent_path(), ec);
    if (ec) throw EnvironmentError("cannot create " + to.parent_path().string() + ": " + ec.message());
    const fs::path temp = to.parent_path() / (".tmp-" + to.filename().string());
    fs::copy_file(from, temp, fs::copy_options::overwrite_existing, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(temp, ignored);
        if (ec == std::errc::no_such_file_or_directory) return false;  // removed just now
        throw EnvironmentError("cannot copy " + from.string() + " to " + temp.string() + ": " + ec.message());
    }
    const timespec times[2] = {source.st_atim, source.st_mtim};
    if (::utimensat(AT_FDCWD, temp.c_str(), times, 0) != 0) throw_errno("set the time of", temp, errno);
    fs::rename(temp, to, ec);
    if (ec)
        throw EnvironmentError("cannot rename " + temp.string() + " to " + to.string() + ": " + ec.message());
    ++summary.files_copied;
    summary.bytes_copied += source.st_size;
    return true;
}

/// Removes the files named `base` followed by each of `suffixes` ("" for `base` itself), where they exist.
void remove_files(const fs::path& base, std::initializer_list<const char*> suffixes) {
    for (const char* suffix : suffixes) {
        std::error_code ec;
        fs::remove(base.string() + suffix, ec);
        if (ec) throw EnvironmentError("cannot remove " + base.string() + suffix + ": " + ec.message());
    }
}

/// Flushes everything written to the file system holding `dir` to disk.
void sync_file_system(const fs::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw_errno("open", dir, errno);
    const int rc = ::syncfs(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) throw_errno("flush to disk the file system of", dir, err);
}

nlohmann::json manifest_entry(const Document& d) {
    return {{"id", d.id},
            {"sha256", d.sha256},
            {"status", to_string(d.status)},
            {"title", d.title},
            {"page_count", d.page_count},
            {"views", d.views},
            {"downloads", d.downloads},
            {"favorites", d.favorites}};
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void throw_errno(const std::string& action, const fs::path& path, int err) {
    throw EnvironmentError("cannot " + action + " " + path.string() + ": " + std::strerror(err));
}

}  // namespace

}  // namespace wenku::cli
