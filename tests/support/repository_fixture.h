#pragma once
// The Repository contract's test fixture, shared by the tests/unit/repository_*_test.cpp files: every
// back-end is run through a factory, so a PostgreSQL store adds one entry to repository_backends()
// and must pass the very same tests. Back-end specifics (SQLite's migrations and pragmas) are
// tested in sqlite_repository_test.cpp.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/repository.h"
#include "support/test_support.h"

namespace wenku::test {

struct RepositoryBackend {
    std::string name;
    /// Opens the store kept in `dir`; opening the same dir again reopens the same data.
    std::function<std::unique_ptr<Repository>(const std::filesystem::path& dir)> open;
};

inline std::ostream& operator<<(std::ostream& out, const RepositoryBackend& backend) {
    return out << backend.name;
}

/// Every back-end the contract runs against, for INSTANTIATE_TEST_SUITE_P.
inline auto repository_backends() {
    return ::testing::Values(RepositoryBackend{"sqlite", [](const std::filesystem::path& dir) {
                                                   return open_sqlite_repository((dir / "wenku.db").string());
                                               }});
}

/// A test name's back-end part ("sqlite").
inline std::string backend_name(const ::testing::TestParamInfo<RepositoryBackend>& backend) {
    return backend.param.name;
}

/// A distinct, well-formed SHA-256 hex for test document `n`.
inline std::string fake_sha(int n) {
    char text[65];
    std::snprintf(text, sizeof text, "%064x", n);
    return text;
}

inline Document make_document(int n, const std::string& name = "") {
    Document d;
    d.original_name = name.empty() ? "doc" + std::to_string(n) + ".pdf" : name;
    d.sha256 = fake_sha(n);
    d.size_bytes = 1000 + n;
    return d;
}

inline std::vector<Page> make_pages(std::int64_t document_id, int count) {
    std::vector<Page> pages;
    pages.reserve(static_cast<std::size_t>(count));
    for (int i = 1; i <= count; ++i) {
        pages.push_back(Page{document_id, i, 1000, 1414, "第" + std::to_string(i) + "页的文字"});
    }
    return pages;
}

inline std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

inline std::vector<std::int64_t> ids_of(const std::vector<Document>& docs) {
    std::vector<std::int64_t> ids;
    ids.reserve(docs.size());
    for (const auto& d : docs) ids.push_back(d.id);
    return ids;
}

class RepositoryTest : public ::testing::TestWithParam<RepositoryBackend> {
  protected:
    void SetUp() override { repo = GetParam().open(scratch.path()); }

    /// Closes the store and opens it again from the same place.
    void reopen() {
        repo.reset();
        repo = GetParam().open(scratch.path());
    }

    /// Adds document `n` and converts it to `page_count` pages; returns its id.
    std::int64_t add_ready(int n, int page_count = 2) {
        const std::int64_t id = repo->add_queued_document(make_document(n));
        auto job = repo->claim_job();
        EXPECT_TRUE(job);
        EXPECT_EQ(job->document_id, id);
        repo->complete_job(*job, "pdf", "", make_pages(id, page_count), {});
        return id;
    }

    TempDir scratch;
    std::unique_ptr<Repository> repo;
};

}  // namespace wenku::test
