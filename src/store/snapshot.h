#pragma once
// A consistent copy of the metadata database taken while other processes keep reading and writing
// it: what `wenku backup` stores and `wenku restore` puts back. It stands beside Repository, not in
// it, because each back-end copies itself its own way: SQLite through its online backup API (here),
// a PostgreSQL back-end through its own dump.
#include <filesystem>

namespace wenku {

/// Copies the SQLite database at `db_path` as it stands at one moment to `target`: the copy is made
/// in one read transaction, so a commit other connections make meanwhile is either wholly in it or
/// not at all, and they are never blocked (the database is in WAL mode). The copy is written beside
/// `target` under a temporary name, fsynced and renamed over `target`, and the folder fsynced.
/// Throws EnvironmentError naming the database and SQLite's or the system's reason when there is
/// no database at `db_path` or it cannot be read or the copy written; `target` is unchanged then.
void copy_sqlite_snapshot(const std::filesystem::path& db_path, const std::filesystem::path& target);

}  // namespace wenku
