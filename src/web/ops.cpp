// For operators: /healthz (the library's and the index's document counts, as JSON) and /metrics
// (the server's counters and the documents by status, in Prometheus' text format).
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
