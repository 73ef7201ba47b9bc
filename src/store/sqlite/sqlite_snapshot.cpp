// copy_sqlite_snapshot (store/snapshot.h): SQLite's online backup API between two connections of
// their own, apart from any repository's.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/errors.h"
#include "store/snapshot.h"
#include "store/sqlite/sqlite_db.h"

namespace wenku {
namespace fs = std::filesystem;

namespace {

/// How long the copy waits for a lock it needs (a checkpoint in progress) before it gives up.
constexpr int busy_timeout_ms = 10000;
constexpr int busy_retry_ms = 50;

/// fsyncs a file or folder; throws EnvironmentError.
void fsync_or_throw(const fs::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        const int err = errno;
        if (fd >= 0) ::close(fd);
        throw EnvironmentError("cannot flush " + path.string() + " to disk: " + std::strerror(err));
    }
    ::close(fd);
}

/// Copies every page of `source` into `copy` in one step, that is in one read transaction of
/// `source`. Throws SqliteError.
void copy_pages(sqlite::Database& source, sqlite::Database& copy) {
    sqlite3_backup* backup = sqlite3_backup_init(copy.handle(), "main", source.handle(), "main");
    if (backup == nullptr) sqlite::throw_last_error(copy.handle());
    int rc = SQLITE_OK;
    for (int waited = 0; waited <= busy_timeout_ms; waited += busy_retry_ms) {
        rc = sqlite3_backup_step(backup, -1);
        if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
        sqlite3_sleep(busy_retry_ms);
    }
    const int finished = sqlite3_backup_finish(backup);  // the first error of any step, else OK
    if (rc != SQLITE_DONE) throw sqlite::SqliteError(rc, sqlite3_errstr(rc));
    if (finished != SQLITE_OK) throw sqlite::SqliteError(finished, sqlite3_errstr(finished));
}

}  // namespace

void copy_sqlite_snapshot(const fs::path& db_path, const fs::path& target) {
    std::error_code ec;
    if (!fs::is_regular_file(db_path, ec)) {
        throw EnvironmentError("cannot copy the database " + db_path.string() +
                               ": there is no database there");
    }
    const fs::path temp = target.string() + ".partial";
    fs::remove(temp, ec);
    try {
        sqlite::Database source(db_path.string(), busy_timeout_ms);
        sqlite::Database copy(temp.string(), busy_timeout_ms);
        copy_pages(source, copy);
    } catch (const sqlite::SqliteError& e) {
        fs::remove(temp, ec);
        throw EnvironmentError("cannot copy the database " + db_path.string() + " to " + temp.string() +
                               ": " + e.what());
    }
    try {
        fsync_or_throw(temp);
        fs::rename(temp, target);
        fsync_or_throw(target.parent_path().empty() ? fs::path(".") : target.parent_path());
    } catch (const fs::filesystem_error& e) {
        fs::remove(temp, ec);
        throw EnvironmentError("cannot put the copy of the database in place as " + target.string() + ": " +
                               e.code().message());
    } catch (const EnvironmentError&) {
        fs::remove(temp, ec);
        throw;
    }
}

}  // namespace wenku
