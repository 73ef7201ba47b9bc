#include "core/conversion.h"

#include <fmt/format.h>

namespace wenku {

std::string preview_file_name(int page_number) { return fmt::format("p{:04d}.webp", page_number); }

}  // namespace wenku
