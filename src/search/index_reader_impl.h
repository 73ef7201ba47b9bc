#pragma once
// Inside the index reader (index_reader.cpp, index_related.cpp): its state, and how every read
// deals with Xapian's errors.
#include <xapian.h>

#include "core/errors.h"
#include "search/index_reader.h"

namespace wenku::search {

struct IndexReader::State {
    SearchOptions options;
    Xapian::Database db;
};

namespace detail {

/// Times a read starts again on the newest revision when writers replaced the one it was reading.
inline constexpr int max_read_retries = 3;

/// Runs `read(db)` and returns what it returns. When writers replaced the revision being read
/// (Xapian::DatabaseModifiedError), reopens `db` at the newest revision and runs `read` again, up
/// to max_read_retries times; past that, and for any other Xapian error, throws EnvironmentError.
/// `read` must start from scratch each time.
template <typename Read>
auto read_index(Xapian::Database& db, Read&& read) -> decltype(read(db)) {
    for (int attempt = 0;; ++attempt) {
        try {
            if (attempt > 0) db.reopen();
            return read(db);
        } catch (const Xapian::DatabaseModifiedError&) {
            if (attempt >= max_read_retries)
                throw EnvironmentError("search index: modified too often while reading");
        } catch (const Xapian::Error& e) {
            throw EnvironmentError("search index: " + e.get_description());
        }
    }
}

}  // namespace detail

}  // namespace wenku::search
