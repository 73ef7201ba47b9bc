#pragma once
// Documents and pages made in memory for the search tests, and ready documents put straight into a
// repository (as if a conversion had finished) so that an index can be built from them.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "store/repository.h"

namespace wenku::test {

/// A ready document with this id and title, not stored anywhere.
inline Document ready_document(std::int64_t id, std::string title, std::string format = "txt",
                               std::int64_t created_at = 0) {
    Document d;
    d.id = id;
    d.title = std::move(title);
    d.format = std::move(format);
    d.status = DocumentStatus::ready;
    d.created_at = created_at;
    return d;
}

/// One page per text, numbered from 1.
inline std::vector<Page> text_pages(std::int64_t id, const std::vector<std::string>& texts) {
    std::vector<Page> pages;
    for (std::size_t i = 0; i < texts.size(); ++i) {
        Page p;
        p.document_id = id;
        p.number = static_cast<int>(i + 1);
        p.text = texts[i];
        pages.push_back(std::move(p));
    }
    return pages;
}

/// Adds a document to `repo` and completes its conversion job with `texts` as its pages: it is
/// ready in the database and not yet in any index. Returns its id.
inline std::int64_t add_ready_document(Repository& repo, const std::string& title,
                                       const std::vector<std::string>& texts) {
    static int serial = 0;
    Document d;
    d.original_name = title + ".txt";
    d.sha256 = std::to_string(++serial);
    d.sha256.resize(64, 'f');
    d.size_bytes = 1;
    const auto id = repo.add_queued_document(d);
    const auto job = repo.claim_job();
    EXPECT_TRUE(job);
    repo.complete_job(*job, "txt", title, text_pages(id, texts), {});
    return id;
}

}  // namespace wenku::test
