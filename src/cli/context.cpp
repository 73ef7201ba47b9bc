#include "cli/commands.h"
#include "core/errors.h"

namespace wenku::cli {

Library& Context::library() {
    if (!library_) library_ = std::make_unique<Library>(data_dir);
    return *library_;
}

std::int64_t parse_document_number(const std::string& s) {
    std::string digits = s;
    if (digits.starts_with("№")) digits = digits.substr(std::string("№").size());
    try {
        std::size_t used = 0;
        const long long n = std::stoll(digits, &used);
        if (used == digits.size() && n > 0) return n;
    } catch (const std::exception&) {
    }
    throw UsageError("'" + s + "' is not a document number");
}

Document require_document(Library& library, std::int64_t id) {
    auto doc = library.repository().find_document(id);
    if (!doc) throw NotFoundError("no document №" + std::to_string(id));
    return *doc;
}

}  // namespace wenku::cli
