#pragma once
// Domain types: what the library holds. Plain data; the store and the pages read and write them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wenku {

/// Where a document is in its life. Only `ready` documents are shown to readers.
enum class DocumentStatus { queued, converting, ready, failed };

const char* to_string(DocumentStatus s);
DocumentStatus document_status_from_string(const std::string& s);  // throws UsageError

/// Who may see a document, set by review and moderation (independent of its conversion status).
/// Only `published` documents are shown to everyone; the others only to their uploader and staff,
/// and a `deleted` one to nobody (its page answers 410 Gone).
enum class DocumentState { pending, published, rejected, hidden, deleted };

/// "pending", "public", "rejected", "hidden" or "deleted".
const char* to_string(DocumentState s);
/// The state named `word`, or none for any other word.
std::optional<DocumentState> document_state_from_string(std::string_view word);

struct Document {
    std::int64_t id = 0;  // the public number, 文档编号
    std::string title;
    std::string original_name;  // the uploaded file name
    std::string format;         // detected by content: "pdf", "txt", "md", ... (empty until converted)
    std::int64_t size_bytes = 0;
    std::string sha256;  // hex of the original's bytes; unique in the library
    int page_count = 0;
    DocumentStatus status = DocumentStatus::queued;
    std::string error;  // "code: message" when failed
    DocumentState state = DocumentState::published;
    std::string state_reason;  // why a moderator rejected, hid or deleted it; shown to its uploader
    std::string uploader;      // user name; empty for command-line imports
    std::optional<std::int64_t> uploader_id;  // the account that uploaded it; none: anonymous or imported
    std::optional<std::int64_t> category_id;
    int price = 0;                  // in the site's points; 0 = free to download
    std::optional<int> free_pages;  // per-document override of the site's free-preview pages
    std::int64_t created_at = 0;    // unix seconds
    std::int64_t views = 0, downloads = 0, favorites = 0;
    /// Flagged at ingest: the earlier document whose text this one nearly repeats (a re-upload under
    /// another name), and the estimated share of text they have in common, 0-1.
    std::optional<std::int64_t> near_duplicate_of;
    double near_duplicate_similarity = 0;
};

struct Page {
    std::int64_t document_id = 0;
    int number = 0;  // 1-based
    int width_px = 0, height_px = 0;
    std::string text;
    bool ocr = false;  // the text was recognised from the page image (a scan)
};

/// A document's text reduced for near-duplicate detection (search/near_duplicate.h): its MinHash
/// signature and the hash of each LSH band of it (band i at index i).
struct TextSignature {
    std::vector<std::uint32_t> minhash;
    std::vector<std::uint64_t> band_hashes;
    bool operator==(const TextSignature&) const = default;
};

struct Category {
    std::int64_t id = 0;
    std::optional<std::int64_t> parent_id;
    std::string name;
};

}  // namespace wenku
