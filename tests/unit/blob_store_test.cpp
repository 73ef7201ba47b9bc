// The content-addressed blob store: hashing, the on-disk layout, durable writes that leave no
// temp files behind, publishing page folders over orphans, and the listings repair relies on.
#include "blob/blob_store.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "core/errors.h"
#include "support/test_support.h"

namespace wenku {
namespace {

namespace fs = std::filesystem;

const std::string empty_sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const std::string abc_sha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

/// SHA-256 of `bytes` in one call, to check the streamed version against.
std::string one_shot_sha256(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned size = 0;
    EXPECT_EQ(EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr), 1);
    std::string hex;
    char pair[3];
    for (unsigned i = 0; i < size; ++i) {
        std::snprintf(pair, sizeof pair, "%02x", digest[i]);
        hex += pair;
    }
    return hex;
}

/// Every entry under `dir` whose name starts with ".tmp-".
std::vector<fs::path> temp_files_under(const fs::path& dir) {
    std::vector<fs::path> found;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (e.path().filename().string().starts_with(".tmp-")) found.push_back(e.path());
    }
    return found;
}

class BlobStoreTest : public ::testing::Test {
  protected:
    /// Writes `bytes` to a file outside the store and puts it in; returns its hash.
    std::string put(const std::string& bytes, const std::string& name = "upload") {
        const fs::path source = scratch.path() / name;
        test::write_file(source, bytes);
        std::string sha = BlobStore::sha256_file(source);
        store.put_original(source, sha);
        return sha;
    }

    /// A staging folder (in the data folder, like a job's) holding previews with `marker` inside.
    fs::path staged_pages(const std::string& marker) {
        fs::path dir = store.root() / "workers" / "w0" / ("job-" + marker) / "publish";
        fs::create_directories(dir);
        test::write_file(dir / "p0001.webp", "page one " + marker);
        test::write_file(dir / "cover.webp", "cover " + marker);
        return dir;
    }

    test::TempDir scratch;
    BlobStore store{scratch.path() / "data"};
};

TEST_F(BlobStoreTest, HashesKnownVectors) {
    test::write_file(scratch.path() / "empty", "");
    test::write_file(scratch.path() / "abc", "abc");
    EXPECT_EQ(BlobStore::sha256_file(scratch.path() / "empty"), empty_sha);
    EXPECT_EQ(BlobStore::sha256_file(scratch.path() / "abc"), abc_sha);

    // Several 1 MiB chunks and a partial one.
    std::string big;
    for (int i = 0; big.size() < (std::size_t{3} << 20) + 12345; ++i) big += "文库" + std::to_string(i);
    test::write_file(scratch.path() / "big", big);
    EXPECT_EQ(BlobStore::sha256_file(scratch.path() / "big"), one_shot_sha256(big));
}

TEST_F(BlobStoreTest, HashingAMissingFileNamesIt) {
    const fs::path missing = scratch.path() / "不存在.pdf";
    try {
        BlobStore::sha256_file(missing);
        FAIL() << "hashed a missing file";
    } catch (const EnvironmentError& e) {
        EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos) << e.what();
    }
}

TEST_F(BlobStoreTest, CreatesItsFolders) {
    EXPECT_TRUE(fs::is_directory(store.root() / "blobs"));
    EXPECT_TRUE(fs::is_directory(store.root() / "pages"));
    EXPECT_TRUE(store.root().is_absolute());
}

TEST_F(BlobStoreTest, LaysOutPathsByHashPrefix) {
    EXPECT_EQ(store.original_path(abc_sha), store.root() / "blobs" / "ba" / abc_sha);
    EXPECT_EQ(store.pages_dir(abc_sha), store.root() / "pages" / "ba" / abc_sha);
}

TEST_F(BlobStoreTest, RefusesNamesThatAreNotHashes) {
    for (const std::string& bad :
         std::vector<std::string>{"", "abc", "../../etc/passwd", std::string(64, 'A'),
                                  std::string(63, 'a') + "/", std::string(65, 'a')}) {
        EXPECT_THROW(store.original_path(bad), UsageError) << bad;
        EXPECT_THROW(store.pages_dir(bad), UsageError) << bad;
        EXPECT_THROW(store.remove_original(bad), UsageError) << bad;
        EXPECT_THROW(store.remove_pages(bad), UsageError) << bad;
    }
}

TEST_F(BlobStoreTest, PutsAnOriginalDurablyAndOnlyOnce) {
    const std::string sha = put("abc");
    EXPECT_EQ(sha, abc_sha);
    EXPECT_TRUE(store.has_original(sha));
    EXPECT_EQ(test::read_file(store.original_path(sha)), "abc");
    EXPECT_TRUE(temp_files_under(store.root()).empty());

    // An existing blob is never overwritten, whatever the caller hands in.
    test::write_file(scratch.path() / "other", "something else");
    EXPECT_EQ(store.put_original(scratch.path() / "other", sha), store.original_path(sha));
    EXPECT_EQ(test::read_file(store.original_path(sha)), "abc");
    EXPECT_FALSE(store.has_original(empty_sha));
}

TEST_F(BlobStoreTest, RefusesContentThatDoesNotMatchItsHash) {
    test::write_file(scratch.path() / "upload", "changed after hashing");
    EXPECT_THROW(store.put_original(scratch.path() / "upload", abc_sha), EnvironmentError);
    EXPECT_FALSE(store.has_original(abc_sha));
    EXPECT_TRUE(temp_files_under(store.root()).empty());
}

TEST_F(BlobStoreTest, PuttingAMissingFileFailsCleanly) {
    EXPECT_THROW(store.put_original(scratch.path() / "missing", abc_sha), EnvironmentError);
    EXPECT_FALSE(store.has_original(abc_sha));
}

TEST_F(BlobStoreTest, PublishesPagesAndReplacesAnOrphan) {
    const std::string sha = abc_sha;
    // An orphan of a conversion that died before its database commit.
    fs::create_directories(store.pages_dir(sha));
    test::write_file(store.pages_dir(sha) / "p0009.webp", "stale");

    const fs::path staged = staged_pages("new");
    EXPECT_EQ(store.publish_pages(staged, sha), store.pages_dir(sha));
    EXPECT_FALSE(fs::exists(staged));
    EXPECT_EQ(test::read_file(store.pages_dir(sha) / "p0001.webp"), "page one new");
    EXPECT_EQ(test::read_file(store.pages_dir(sha) / "cover.webp"), "cover new");
    EXPECT_FALSE(fs::exists(store.pages_dir(sha) / "p0009.webp"));

    // Publishing again (a re-conversion) replaces the folder as a whole.
    store.publish_pages(staged_pages("again"), sha);
    EXPECT_EQ(test::read_file(store.pages_dir(sha) / "cover.webp"), "cover again");
    EXPECT_EQ(store.list_page_sets(), std::vector<std::string>{sha});
}

TEST_F(BlobStoreTest, PublishingAMissingFolderFails) {
    EXPECT_THROW(store.publish_pages(scratch.path() / "nothing", abc_sha), EnvironmentError);
    EXPECT_FALSE(fs::exists(store.pages_dir(abc_sha)));
}

TEST_F(BlobStoreTest, RemovesStrayTempFilesAndNothingElse) {
    const std::string kept = put("abc");
    const fs::path stray_blob = store.root() / "blobs" / "ba" / (".tmp-" + kept + "-1234");
    test::write_file(stray_blob, "interrupted copy");
    const fs::path stray_page = store.root() / "pages" / "ba" / ".tmp-cover.webp-99";
    test::write_file(stray_page, "interrupted write");

    store.remove_stray_temp_files();
    EXPECT_FALSE(fs::exists(stray_blob));
    EXPECT_FALSE(fs::exists(stray_page));
    EXPECT_EQ(test::read_file(store.original_path(kept)), "abc");
    store.remove_stray_temp_files();  // nothing to do is fine
}

TEST_F(BlobStoreTest, ListingsReportOnlyStoredContent) {
    const std::string a = put("abc", "a");
    const std::string b = put("", "b");
    store.publish_pages(staged_pages("x"), a);

    // Temp files, misplaced names and junk are not content.
    test::write_file(store.root() / "blobs" / "ba" / (".tmp-" + a + "-1"), "partial");
    test::write_file(store.root() / "blobs" / "ba" / std::string(64, 'f'), "wrong prefix folder");
    test::write_file(store.root() / "blobs" / "zz" / a, "not a prefix folder");
    test::write_file(store.root() / "blobs" / "notes.txt", "junk");
    fs::create_directories(store.root() / "pages" / "ba" / (".tmp-" + a));
    test::write_file(store.root() / "pages" / "e3" / empty_sha, "a file, not a pages folder");

    std::vector<std::string> expected{a, b};
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(store.list_originals(), expected);
    EXPECT_EQ(store.list_page_sets(), std::vector<std::string>{a});
}

TEST_F(BlobStoreTest, RemovesOriginalsAndPagesIdempotently) {
    const std::string sha = put("abc");
    store.publish_pages(staged_pages("x"), sha);
    store.remove_original(sha);
    store.remove_pages(sha);
    EXPECT_FALSE(store.has_original(sha));
    EXPECT_FALSE(fs::exists(store.pages_dir(sha)));
    EXPECT_TRUE(store.list_originals().empty());
    EXPECT_TRUE(store.list_page_sets().empty());
    EXPECT_NO_THROW(store.remove_original(sha));
    EXPECT_NO_THROW(store.remove_pages(sha));
}

TEST(WriteFileDurably, WritesReplacesAndCreatesFolders) {
    test::TempDir dir;
    const fs::path target = dir.path() / "新建" / "子目录" / "设置.json";
    write_file_durably(target, "{\"a\":1}");
    EXPECT_EQ(test::read_file(target), "{\"a\":1}");
    write_file_durably(target, "{}");
    EXPECT_EQ(test::read_file(target), "{}");
    write_file_durably(dir.path() / "empty", "");
    EXPECT_EQ(fs::file_size(dir.path() / "empty"), 0u);
    EXPECT_TRUE(temp_files_under(dir.path()).empty());
}

TEST(WriteFileDurably, FailsNamingThePath) {
    test::TempDir dir;
    test::write_file(dir.path() / "a-file", "x");
    try {
        write_file_durably(dir.path() / "a-file" / "inside", "x");  // a file is in the way
        FAIL() << "wrote below a regular file";
    } catch (const EnvironmentError& e) {
        EXPECT_NE(std::string(e.what()).find((dir.path() / "a-file").string()), std::string::npos)
            << e.what();
    }
    EXPECT_THROW(fsync_path(dir.path() / "missing"), EnvironmentError);
}

}  // namespace
}  // namespace wenku
