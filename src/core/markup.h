#pragma once
// Escaping text for HTML and XML (element text and quoted attribute values): & < > " '.
#include <string>
#include <string_view>

namespace wenku {

void append_markup_escaped(std::string& out, std::string_view text);
std::string markup_escape(std::string_view text);

}  // namespace wenku
