#include "web/categories.h"

namespace wenku::web {

CategoryList::CategoryList(Repository& repository, const ContentGeneration& generation,
                           std::chrono::seconds max_age)
    : repository_(repository), cache_(generation, max_age, 1) {}

std::shared_ptr<const std::vector<Category>> CategoryList::all() {
    return cache_.get(
        0, [&] { return std::make_shared<const std::vector<Category>>(repository_.categories()); });
}

}  // namespace wenku::web
