#pragma once
// Lossy WebP encoding of rendered pages (previews and covers).
#include <cstddef>
#include <string>

namespace wenku::worker {

/// Tuning of the encoder: `method` is libwebp's speed/size trade-off (0 fastest .. 6 smallest).
/// Measured at 1000 px, quality 80, libwebp 1.2.4 (RGB import + encode per page): a dense
/// two-column paper page (tracemonkey) takes ~27 ms at ~225 KB with method 0 and ~45 ms at
/// ~200 KB with method 2; Chinese and sparser pages take 12-20 ms with method 0. Previews favour
/// throughput, hence method 0. libwebp's default tuning is used: its "text" preset made pages
/// 1.5-2x larger; multi-threaded encoding saved only ~1 ms.
struct WebpOptions {
    int quality = 80;  // 0-100
    int method = 0;
};

/// Encodes packed 8-bit RGB rows (`stride` bytes apart) of a width x height image as lossy WebP.
/// Throws UsageError for dimensions WebP cannot hold (over 16383 px a side) or a quality out of
/// 0-100, EnvironmentError when the encoder fails (out of memory).
std::string encode_webp_rgb(const unsigned char* rgb, int width, int height, std::ptrdiff_t stride,
                            const WebpOptions& options);

/// Largest width or height a WebP image can have.
inline constexpr int webp_max_dimension = 16383;

}  // namespace wenku::worker
