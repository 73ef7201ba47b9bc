#include "web/qr.h"

#include <qrencode.h>

#include <memory>

#include <fmt/format.h>

#include "core/errors.h"

namespace wenku::web {

std::string qr_svg(const std::string& text, int size) {
    std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
        QRcode_encodeString8bit(text.c_str(), 0, QR_ECLEVEL_M), &QRcode_free);
    if (!code) throw UsageError("cannot encode a QR code of " + std::to_string(text.size()) + " bytes");
    const int n = code->width;
    constexpr int quiet = 4;
    const int total = n + 2 * quiet;
    std::string path;
    for (int y = 0; y < n; ++y) {
        for (int x = 0; x < n; ++x) {
            if (code->data[y * n + x] & 1) path += fmt::format("M{} {}h1v1h-1z", x + quiet, y + quiet);
        }
    }
    return fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{0}\" viewBox=\"0 0 {1} {1}\" "
        "shape-rendering=\"crispEdges\" role=\"img\"><rect width=\"{1}\" height=\"{1}\" fill=\"#fff\"/>"
        "<path fill=\"#000\" d=\"{2}\"/></svg>",
        size, total, path);
}

}  // namespace wenku::web
