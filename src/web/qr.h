#pragma once
// QR codes for 分享 (share): libqrencode's modules drawn as one SVG path.
#include <string>

namespace wenku::web {

/// An SVG image of the QR code of `text` (error correction M), `size` pixels square, with a quiet
/// zone. Throws UsageError when the text is too long to encode.
std::string qr_svg(const std::string& text, int size = 200);

}  // namespace wenku::web
