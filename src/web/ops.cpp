// For operators: /healthz (the library's and the index's document counts, as JSON) and /metrics
// (the server's counters, the documents by status and the data folder's free space, in
// Prometheus' text format).
#include <fmt/format.h>

#include "web/handlers.h"
#include "web/responses.h"
#include "web/site_services.h"

namespace wenku::web::ops {

Response healthz(SiteServices& site, Request&, const Params&) {
    DocumentFilter ready;
    ready.status = DocumentStatus::ready;
    auto res = json_response({{"status", "ok"},
                              {"documents", site.repository.count_documents(ready)},
                              {"queued", site.repository.count_queued_jobs()},
                              {"index_documents", site.search.index().document_count()}});
    res.set("Cache-Control", "no-store");
    return res;
}

Response metrics(SiteServices& site, Request&, const Params&) {
    std::string out = site.metrics.prometheus();
    out += "# HELP wenku_documents Documents in the library, by status.\n# TYPE wenku_documents gauge\n";
    for (auto status : {DocumentStatus::queued, DocumentStatus::converting, DocumentStatus::ready,
                        DocumentStatus::failed}) {
        DocumentFilter f;
        f.status = status;
        out += fmt::format("wenku_documents{{status=\"{}\"}} {}\n", to_string(status),
                           site.repository.count_documents(f));
    }
    const DiskSpace space = site.library.storage().measure();
    out += fmt::format(
        "# HELP wenku_storage_free_bytes Free bytes on the data folder's file system.\n"
        "# TYPE wenku_storage_free_bytes gauge\n"
        "wenku_storage_free_bytes {}\n"
        "# HELP wenku_storage_min_free_bytes The free space kept (storage.min_free_mb).\n"
        "# TYPE wenku_storage_min_free_bytes gauge\n"
        "wenku_storage_min_free_bytes {}\n"
        "# HELP wenku_storage_low 1 while the free space is below storage.min_free_mb: uploads are refused "
        "and conversions wait.\n"
        "# TYPE wenku_storage_low gauge\n"
        "wenku_storage_low {}\n",
        space.free_bytes, site.library.storage().min_free_bytes(),
        space.free_bytes < site.library.storage().min_free_bytes() ? 1 : 0);
    out += fmt::format(
        "# HELP wenku_open_files Previews and static files kept open for sending.\n"
        "# TYPE wenku_open_files gauge\n"
        "wenku_open_files {}\n",
        site.files.open_count());
    Response res;
    res.text(std::move(out), "text/plain; version=0.0.4; charset=utf-8");
    res.set("Cache-Control", "no-store");
    return res;
}

}  // namespace wenku::web::ops
