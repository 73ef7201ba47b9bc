#include "ingest/conversion_service.h"

#include <algorithm>

namespace wenku {

ConversionService::ConversionService(Library& library)
    : library_(library), lock_(library.data_dir(), /*wait=*/false) {}

ConversionService::~ConversionService() = default;  // the runner's destructor finishes

void ConversionService::start(Listener on_done, int workers, int max_workers) {
    if (!lock_.held() || runner_) return;
    ConversionOptions options = ConversionOptions::from(library_.config());
    if (workers > 0) options.workers = workers;
    if (max_workers > 0) options.workers = std::min(options.workers, max_workers);
    runner_ = std::make_unique<ConversionRunner>(library_, options, std::move(on_done));
}

void ConversionService::wake() {
    if (runner_) runner_->wake();
}

void ConversionService::finish() {
    if (runner_) runner_->finish();
}

void ConversionService::stop() {
    if (runner_) runner_->stop();
}

long long ConversionService::peak_worker_rss_kb() const {
    return runner_ ? runner_->peak_worker_rss_kb() : 0;
}

}  // namespace wenku
