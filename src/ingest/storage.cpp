#include "ingest/storage.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace wenku {
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t seconds_per_day = 86400;

std::string mebibytes(std::uint64_t bytes) {
    return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20));
}

}  // namespace

DiskSpace disk_space(const fs::path& dir) {
    struct statvfs st {};
    if (::statvfs(dir.c_str(), &st) != 0) {
        throw EnvironmentError("cannot measure the free space of " + dir.string() + ": " +
                               std::generic_category().message(errno));
    }
    return {static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize,
            static_cast<std::uint64_t>(st.f_blocks) * st.f_frsize};
}

// --- StorageMonitor ---

StorageMonitor::StorageMonitor(fs::path dir, std::uint64_t min_free_bytes)
    : dir_(std::move(dir)), min_free_bytes_(min_free_bytes) {}

DiskSpace StorageMonitor::measure() {
    DiskSpace space;
    try {
        space = disk_space(dir_);
    } catch (const EnvironmentError& e) {
        spdlog::error("{}", e.what());
    }
    const bool low = space.free_bytes < min_free_bytes_;
    std::lock_guard lock(mutex_);
    if (low && !low_) {
        spdlog::warn(
            "low disk space: {} free in the data folder, below storage.min_free_mb ({}); uploads are "
            "refused and conversions wait until space returns",
            mebibytes(space.free_bytes), mebibytes(min_free_bytes_));
    } else if (!low && low_) {
        spdlog::info("disk space is back: {} free; uploads and conversions resume",
                     mebibytes(space.free_bytes));
    }
    low_ = low;
    return space;
}

bool StorageMonitor::was_low() const {
    std::lock_guard lock(mutex_);
    return low_;
}

// --- UploadQuota ---

UploadQuota::UploadQuota(const StorageConfig& config, Repository& repository)
    : max_bytes_(config.address_bytes_per_day),
      max_documents_(config.address_documents_per_day),
      repository_(repository) {}

std::optional<StorageRefusal> UploadQuota::check(const std::string& address, std::uint64_t bytes,
                                                 std::int64_t now) const {
    const std::int64_t day = now / seconds_per_day;
    const UploadUsage used = repository_.upload_usage(address, day);
    const auto used_bytes = static_cast<std::uint64_t>(used.bytes);
    const long long retry_after = (day + 1) * seconds_per_day - now;
    if (used.documents + 1 > max_documents_) {
        return StorageRefusal(
            "quota_exceeded",
            fmt::format("this address has uploaded {} documents today; the limit is {} a day", used.documents,
                        max_documents_),
            retry_after);
    }
    if (used_bytes + bytes > max_bytes_) {
        return StorageRefusal(
            "quota_exceeded",
            fmt::format("this address has uploaded {} today and this upload is {}; the limit is "
                        "{} a day",
                        mebibytes(used_bytes), mebibytes(bytes), mebibytes(max_bytes_)),
            retry_after);
    }
    return std::nullopt;
}

void UploadQuota::record(const std::string& address, std::uint64_t bytes, std::int64_t now) {
    repository_.add_upload_usage(address, now / seconds_per_day, static_cast<std::int64_t>(bytes));
}

std::int64_t unix_seconds_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace wenku
