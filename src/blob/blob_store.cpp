#include "blob/blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <random>
#include <system_error>
#include <utility>

#include <openssl/evp.h>

#include "core/errors.h"

namespace wenku {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t chunk_bytes = std::size_t{1} << 20;
/// Names of files being written start with this; they are never reported as content.
constexpr std::string_view temp_prefix = ".tmp-";

[[noreturn]] void throw_error_code(std::string_view action, const fs::path& path, const std::error_code& ec) {
    const std::string message = "cannot " + std::string(action) + " " + path.string() + ": " + ec.message();
    if (is_out_of_space(ec)) throw StorageFullError(message);
    throw EnvironmentError(message);
}

[[noreturn]] void throw_errno(std::string_view action, const fs::path& path, int err) {
    throw_error_code(action, path, std::error_code(err, std::generic_category()));
}

/// An open file descriptor, closed when it dies (close errors are reported by close_checked).
class FileDescriptor {
  public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const { return fd_; }

    /// Closes now; a failure (a delayed write error on some file systems) throws.
    void close_checked(const fs::path& path) {
        const int fd = std::exchange(fd_, -1);
        if (::close(fd) != 0) throw_errno("close", path, errno);
    }

  private:
    int fd_;
};

FileDescriptor open_for_reading(const fs::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw_errno("open", path, errno);
    return FileDescriptor(fd);
}

/// Reads up to `size` bytes; 0 means end of file.
std::size_t read_some(int fd, unsigned char* buffer, std::size_t size, const fs::path& path) {
    while (true) {
        const ssize_t n = ::read(fd, buffer, size);
        if (n >= 0) return static_cast<std::size_t>(n);
        if (errno != EINTR) throw_errno("read", path, errno);
    }
}

void write_all(int fd, const void* data, std::size_t size, const fs::path& path) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    while (size > 0) {
        const ssize_t n = ::write(fd, bytes, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("write", path, errno);
        }
        bytes += n;
        size -= static_cast<std::size_t>(n);
    }
}

void fsync_fd(int fd, const fs::path& path) {
    if (::fsync(fd) != 0) throw_errno("flush to disk", path, errno);
}

/// A name no other writer uses at the same moment (O_EXCL settles the rest).
std::string unique_suffix() {
    static std::atomic<unsigned> counter{0};
    thread_local std::mt19937_64 random{std::random_device{}() ^ static_cast<std::uint64_t>(::getpid())};
    char text[40];
    std::snprintf(text, sizeof text, "%x-%016llx", counter.fetch_add(1),
                  static_cast<unsigned long long>(random()));
    return text;
}

bool is_folder(const fs::path& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

/// Creates `dir` and any missing parents, fsyncing each new folder's parent so the new entry
/// survives a crash. Does nothing if it exists.
void ensure_directory(const fs::path& dir) {
    if (is_folder(dir)) return;
    const fs::path parent = dir.has_relative_path() ? dir.parent_path() : fs::path();
    if (!parent.empty() && parent != dir) ensure_directory(parent);
    if (::mkdir(dir.c_str(), 0755) != 0) {
        if (errno == EEXIST && is_folder(dir)) return;  // another writer made it meanwhile
        throw_errno("create the folder", dir, errno);
    }
    fsync_path(parent.empty() ? fs::path(".") : parent);
}

/// A file being written under a temporary name in its final folder; unlinked when it dies unless
/// it was moved into place.
class TempFile {
  public:
    TempFile(const fs::path& dir, const std::string& final_name) : fd_(-1) {
        const std::string stem = final_name.substr(0, 100);
        for (int attempt = 0; attempt < 100; ++attempt) {
            path_ = dir / (std::string(temp_prefix) + stem + "-" + unique_suffix());
            const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
            if (fd >= 0) {
                fd_ = fd;
                owned_ = true;
                return;
            }
            if (errno != EEXIST) throw_errno("create", path_, errno);
        }
        throw_errno("create a temporary file in", dir, EEXIST);
    }
    ~TempFile() {
        if (fd_ >= 0) ::close(fd_);
        if (owned_) ::unlink(path_.c_str());
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    int fd() const { return fd_; }
    const fs::path& path() const { return path_; }

    /// fsyncs and closes the file; it stays under its temporary name until moved.
    void finish() {
        fsync_fd(fd_, path_);
        const int fd = std::exchange(fd_, -1);
        if (::close(fd) != 0) throw_errno("close", path_, errno);
    }

    /// Renames the finished file to `target`, replacing any file there, and fsyncs the folder.
    void move_to(const fs::path& target) {
        if (::rename(path_.c_str(), target.c_str()) != 0) throw_errno("rename into place", target, errno);
        owned_ = false;
        fsync_path(target.parent_path());
    }

    /// Like move_to but never replaces: returns false (and drops this file) if `target` exists.
    bool move_to_if_absent(const fs::path& target) {
        if (::renameat2(AT_FDCWD, path_.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) != 0) {
            if (errno == EEXIST) return false;
            if (errno != EINVAL && errno != ENOSYS) throw_errno("rename into place", target, errno);
            // The file system cannot refuse to replace: check, then rename (same content anyway).
            if (::access(target.c_str(), F_OK) == 0) return false;
            if (::rename(path_.c_str(), target.c_str()) != 0) throw_errno("rename into place", target, errno);
        }
        owned_ = false;
        fsync_path(target.parent_path());
        return true;
    }

  private:
    fs::path path_;
    int fd_;
    bool owned_ = false;
};

std::string to_hex(const unsigned char* bytes, unsigned size) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(std::size_t{size} * 2);
    for (unsigned i = 0; i < size; ++i) {
        hex += digits[bytes[i] >> 4];
        hex += digits[bytes[i] & 0xf];
    }
    return hex;
}

/// A streaming SHA-256 over OpenSSL's EVP interface.
class Sha256 {
  public:
    Sha256() : ctx_(EVP_MD_CTX_new()) {
        if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) {
            throw EnvironmentError("cannot start a SHA-256 digest (OpenSSL failed)");
        }
    }
    void update(const unsigned char* data, std::size_t size) {
        if (EVP_DigestUpdate(ctx_.get(), data, size) != 1)
            throw EnvironmentError("SHA-256 digest failed (OpenSSL)");
    }
    std::string hex() {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned size = 0;
        if (EVP_DigestFinal_ex(ctx_.get(), digest, &size) != 1) {
            throw EnvironmentError("SHA-256 digest failed (OpenSSL)");
        }
        return to_hex(digest, size);
    }

  private:
    struct Free {
        void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
    };
    std::unique_ptr<EVP_MD_CTX, Free> ctx_;
};

bool is_hex_digit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool is_sha256_hex(std::string_view s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), is_hex_digit);
}

/// The <ab> folders of the two-level layout.
bool is_prefix_dir_name(std::string_view name) {
    return name.size() == 2 && is_hex_digit(name[0]) && is_hex_digit(name[1]);
}

/// Hashes become path components: anything but 64 lowercase hex digits is refused.
void check_sha256(const std::string& sha256) {
    if (!is_sha256_hex(sha256)) {
        throw UsageError("'" + sha256 + "' is not a SHA-256 digest (64 lowercase hex digits)");
    }
}

/// fsyncs every file and folder under `dir`, then `dir` itself.
void fsync_tree(const fs::path& dir) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const auto status = it->symlink_status(ec);
        if (ec) break;
        if (fs::is_directory(status)) {
            fsync_tree(it->path());
        } else if (fs::is_regular_file(status)) {
            fsync_path(it->path());
        }
    }
    if (ec) throw_error_code("read the folder", dir, ec);
    fsync_path(dir);
}

/// The hashes stored under root/<ab>/<sha256>, where `want_dir` picks folders or regular files.
std::vector<std::string> list_two_level(const fs::path& top, bool want_dir) {
    std::vector<std::string> hashes;
    std::error_code ec;
    for (fs::directory_iterator outer(top, ec), end; !ec && outer != end; outer.increment(ec)) {
        const std::string prefix = outer->path().filename().string();
        if (!is_prefix_dir_name(prefix) || !outer->is_directory(ec)) continue;
        std::error_code inner_ec;
        for (fs::directory_iterator inner(outer->path(), inner_ec); !inner_ec && inner != end;
             inner.increment(inner_ec)) {
            const std::string name = inner->path().filename().string();
            if (!is_sha256_hex(name) || !name.starts_with(prefix)) continue;  // temp files, strays
            const auto status = inner->symlink_status(inner_ec);
            if (inner_ec) break;
            if (want_dir ? fs::is_directory(status) : fs::is_regular_file(status)) hashes.push_back(name);
        }
        if (inner_ec) throw_error_code("read the folder", outer->path(), inner_ec);
    }
    if (ec) throw_error_code("read the folder", top, ec);
    std::sort(hashes.begin(), hashes.end());
    return hashes;
}

/// Removes files named .tmp-* directly inside the <ab> folders under `top`.
void remove_temp_files_below(const fs::path& top) {
    std::error_code ec;
    for (fs::directory_iterator outer(top, ec), end; !ec && outer != end; outer.increment(ec)) {
        if (!is_prefix_dir_name(outer->path().filename().string()) || !outer->is_directory(ec)) continue;
        std::error_code inner_ec;
        for (fs::directory_iterator inner(outer->path(), inner_ec); !inner_ec && inner != end;
             inner.increment(inner_ec)) {
            if (!inner->path().filename().string().starts_with(temp_prefix)) continue;
            std::error_code rm_ec;
            fs::remove_all(inner->path(), rm_ec);
            if (rm_ec) throw_error_code("remove", inner->path(), rm_ec);
        }
        if (inner_ec) throw_error_code("read the folder", outer->path(), inner_ec);
    }
    if (ec) throw_error_code("read the folder", top, ec);
}

}  // namespace

// --- free helpers ---

void fsync_path(const fs::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw_errno("open", path, errno);
    FileDescriptor file(fd);
    fsync_fd(file.get(), path);
    file.close_checked(path);
}

void write_file_durably(const fs::path& target, std::string_view bytes) {
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    ensure_directory(dir);
    TempFile temp(dir, target.filename().string());
    write_all(temp.fd(), bytes.data(), bytes.size(), temp.path());
    temp.finish();
    temp.move_to(target);
}

// --- BlobStore ---

BlobStore::BlobStore(const fs::path& root) {
    std::error_code ec;
    root_ = fs::absolute(root, ec);
    if (ec) throw_error_code("resolve the data folder", root, ec);
    ensure_directory(root_ / "blobs");
    ensure_directory(root_ / "pages");
}

std::string BlobStore::sha256_file(const fs::path& file) {
    FileDescriptor in = open_for_reading(file);
    Sha256 digest;
    std::vector<unsigned char> buffer(chunk_bytes);
    while (const std::size_t n = read_some(in.get(), buffer.data(), buffer.size(), file)) {
        digest.update(buffer.data(), n);
    }
    return digest.hex();
}

fs::path BlobStore::original_path(const std::string& sha256) const {
    check_sha256(sha256);
    return root_ / "blobs" / sha256.substr(0, 2) / sha256;
}

bool BlobStore::has_original(const std::string& sha256) const {
    struct stat st {};
    return ::stat(original_path(sha256).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

fs::path BlobStore::put_original(const fs::path& file, const std::string& sha256) {
    fs::path target = original_path(sha256);
    if (has_original(sha256)) return target;
    ensure_directory(target.parent_path());

    FileDescriptor in = open_for_reading(file);
    TempFile temp(target.parent_path(), sha256);
    // Hashing while copying costs little next to the I/O and guarantees the content-addressing:
    // a file changed since it was hashed (or a wrong hash) never lands under the wrong name.
    Sha256 digest;
    std::vector<unsigned char> buffer(chunk_bytes);
    while (const std::size_t n = read_some(in.get(), buffer.data(), buffer.size(), file)) {
        digest.update(buffer.data(), n);
        write_all(temp.fd(), buffer.data(), n, temp.path());
    }
    temp.finish();
    if (const std::string actual = digest.hex(); actual != sha256) {
        throw EnvironmentError("cannot store " + file.string() + ": its SHA-256 is " + actual + ", not " +
                               sha256 + " (did the file change while it was being imported?)");
    }
    temp.move_to_if_absent(target);  // false: another writer stored the same bytes first
    return target;
}

fs::path BlobStore::pages_dir(const std::string& sha256) const {
    check_sha256(sha256);
    return root_ / "pages" / sha256.substr(0, 2) / sha256;
}

fs::path BlobStore::publish_pages(const fs::path& staged_dir, const std::string& sha256) {
    fs::path target = pages_dir(sha256);
    if (!is_folder(staged_dir)) {
        throw EnvironmentError("cannot publish pages from " + staged_dir.string() + ": it is not a folder");
    }
    fsync_tree(staged_dir);
    ensure_directory(target.parent_path());

    std::error_code ec;
    if (fs::exists(fs::symlink_status(target, ec))) {
        // An orphan of an earlier attempt that died before its database commit.
        fs::remove_all(target, ec);
        if (ec) throw_error_code("remove the old pages folder", target, ec);
    }
    if (::rename(staged_dir.c_str(), target.c_str()) != 0)
        throw_errno("move the pages into place at", target, errno);
    fsync_path(target.parent_path());
    const fs::path staged_parent = fs::absolute(staged_dir, ec).parent_path();
    if (!ec && staged_parent != target.parent_path()) fsync_path(staged_parent);
    return target;
}

void BlobStore::remove_stray_temp_files() {
    remove_temp_files_below(root_ / "blobs");
    remove_temp_files_below(root_ / "pages");
}

void BlobStore::remove_original(const std::string& sha256) {
    const fs::path target = original_path(sha256);
    if (::unlink(target.c_str()) != 0) {
        if (errno == ENOENT) return;
        throw_errno("remove", target, errno);
    }
    fsync_path(target.parent_path());
}

void BlobStore::remove_pages(const std::string& sha256) {
    const fs::path target = pages_dir(sha256);
    std::error_code ec;
    const auto removed = fs::remove_all(target, ec);
    if (ec) throw_error_code("remove", target, ec);
    if (removed > 0) fsync_path(target.parent_path());
}

std::vector<std::string> BlobStore::list_originals() const { return list_two_level(root_ / "blobs", false); }

std::vector<std::string> BlobStore::list_page_sets() const { return list_two_level(root_ / "pages", true); }

}  // namespace wenku
