#include "core/document.h"

#include "core/errors.h"

namespace wenku {

const char* to_string(DocumentStatus s) {
    switch (s) {
        case DocumentStatus::queued:
            return "queued";
        case DocumentStatus::converting:
            return "converting";
        case DocumentStatus::ready:
            return "ready";
        case DocumentStatus::failed:
            return "failed";
    }
    return "unknown";
}

DocumentStatus document_status_from_string(const std::string& s) {
    if (s == "queued") return DocumentStatus::queued;
    if (s == "converting") return DocumentStatus::converting;
    if (s == "ready") return DocumentStatus::ready;
    if (s == "failed") return DocumentStatus::failed;
    throw UsageError("unknown document status '" + s + "'");
}

}  // namespace wenku
