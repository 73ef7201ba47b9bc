#pragma once
// The fonts LibreOffice sees in a converter worker: Chinese, Japanese and Korean font names of
// office documents mapped onto the installed Noto CJK faces.
#include <filesystem>
#include <string>

namespace wenku::worker {

/// The fontconfig configuration wenku runs LibreOffice with: the system configuration
/// (`system_config`, normally /etc/fonts/fonts.conf) followed by rules that map the font names of
/// Chinese documents (宋体/SimSun, 黑体/SimHei, 微软雅黑, 仿宋, 楷体, ...) to Noto CJK SC faces and
/// make Han text without a Japanese, Korean or Traditional Chinese language tag prefer the SC
/// faces over the JP ones fontconfig would otherwise pick. `cache_dir` is where fontconfig may
/// write its cache when the system cache is stale. Exposed for tests.
std::string office_fontconfig(const std::filesystem::path& system_config,
                              const std::filesystem::path& cache_dir);

}  // namespace wenku::worker
