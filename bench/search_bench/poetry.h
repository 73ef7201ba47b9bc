#pragma once
// The chinese-poetry package's poems (bench/fetch-poetry) as documents: one poem, one page.
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace wenku::bench {

struct Poem {
    std::string title;
    std::string author;
    std::vector<std::string> lines;  // the "paragraphs": usually two verses each
    std::string text() const;        // the lines, one per line
};

/// Up to `limit` poems of dist/quantangshi (全唐诗 and 全宋诗, ≈ 312k), in a fixed order (files by
/// name, then as listed), skipping poems without text. Throws std::runtime_error when `dist`
/// holds none.
std::vector<Poem> load_poems(const std::filesystem::path& dist, std::size_t limit);

}  // namespace wenku::bench
