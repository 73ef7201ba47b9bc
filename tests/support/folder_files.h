#pragma once
// How many entries a folder holds (0 when it is missing): what tests check to see that nothing was
// written, e.g. to the upload folder after a refused upload.
#include <cstddef>
#include <filesystem>
#include <system_error>

namespace wenku::test {

inline std::size_t files_in(const std::filesystem::path& dir) {
    std::error_code ec;
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir, ec)) ++n;
    return n;
}

}  // namespace wenku::test
