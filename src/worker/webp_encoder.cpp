#include "worker/webp_encoder.h"

#include <climits>
#include <memory>

#include <webp/encode.h>

#include "core/errors.h"

namespace wenku::worker {

namespace {

struct PictureGuard {
    WebPPicture* picture;
    ~PictureGuard() { WebPPictureFree(picture); }
};

struct WriterGuard {
    WebPMemoryWriter* writer;
    ~WriterGuard() { WebPMemoryWriterClear(writer); }
};

}  // namespace

std::string encode_webp_rgb(const unsigned char* rgb, int width, int height, std::ptrdiff_t stride,
                            const WebpOptions& options) {
    if (width <= 0 || height <= 0 || width > webp_max_dimension || height > webp_max_dimension) {
        throw UsageError("cannot encode a " + std::to_string(width) + "x" + std::to_string(height) +
                         " image as WebP (each side must be 1-" + std::to_string(webp_max_dimension) +
                         " px)");
    }
    if (options.quality < 0 || options.quality > 100) {
        throw UsageError("WebP quality must be 0-100, not " + std::to_string(options.quality));
    }
    if (stride < std::ptrdiff_t{3} * width || stride > INT_MAX) {
        throw UsageError("WebP input rows are shorter than the image width");
    }
    WebPConfig config;
    if (!WebPConfigInit(&config)) throw EnvironmentError("libwebp version mismatch");
    config.quality = static_cast<float>(options.quality);
    config.method = options.method;
    if (!WebPValidateConfig(&config)) {
        throw UsageError("invalid WebP encoder settings (method " + std::to_string(options.method) + ")");
    }

    WebPPicture picture;
    if (!WebPPictureInit(&picture)) throw EnvironmentError("libwebp version mismatch");
    PictureGuard picture_guard{&picture};
    picture.use_argb = 0;
    picture.width = width;
    picture.height = height;
    if (!WebPPictureImportRGB(&picture, rgb, static_cast<int>(stride))) {
        throw EnvironmentError("out of memory while preparing a " + std::to_string(width) + "x" +
                               std::to_string(height) + " WebP image");
    }
    WebPMemoryWriter writer;
    WebPMemoryWriterInit(&writer);
    WriterGuard writer_guard{&writer};
    picture.writer = WebPMemoryWrite;
    picture.custom_ptr = &writer;
    if (!WebPEncode(&config, &picture)) {
        throw EnvironmentError("WebP encoding of a " + std::to_string(width) + "x" + std::to_string(height) +
                               " image failed (libwebp error " + std::to_string(picture.error_code) + ")");
    }
    return std::string(reinterpret_cast<const char*>(writer.mem), writer.size);
}

}  // namespace wenku::worker
