#include "core/document.h"

#include "core/errors.h"
#include "core/word_table.h"

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

namespace {
constexpr WordTable<DocumentState, 5> state_words{{{DocumentState::pending, "pending"},
                                                   {DocumentState::published, "public"},
                                                   {DocumentState::rejected, "rejected"},
                                                   {DocumentState::hidden, "hidden"},
                                                   {DocumentState::deleted, "deleted"}}};
}  // namespace

const char* to_string(DocumentState s) { return word_of(state_words, s); }

std::optional<DocumentState> document_state_from_string(std::string_view word) {
    return value_of(state_words, word);
}

}  // namespace wenku
