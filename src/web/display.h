#pragma once
// How values are shown on the pages and in the API: sizes, dates, masked uploaders, formats,
// shortened texts and highlighted fragments.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "search/highlight.h"

namespace wenku::web {

/// "512B", "1.50KB", "2.25MB".
std::string human_size(std::int64_t bytes);
/// "2026-01-31" (UTC).
std::string format_date(std::int64_t unix_seconds);
/// 上传人 as shown: the first and last characters around ****; `anonymous` for no name.
std::string mask_uploader(const std::string& name, const std::string& anonymous);
/// ASCII letters in upper case ("pdf" → "PDF").
std::string upper(std::string s);
/// The first `n` code points of `text`, with "…" when that is not all of it.
std::string first_chars(const std::string& text, std::size_t n);
/// Highlighted text as JSON, [{text, hit}], for the templates and the API.
nlohmann::json fragments_json(const std::vector<search::Fragment>& fragments);

}  // namespace wenku::web
