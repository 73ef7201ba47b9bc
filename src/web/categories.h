#pragma once
// The library's categories, read once and kept like rendered pages: every page's navigation, the
// home page, the upload form, the search facets and the sitemap use them.
#include <chrono>
#include <memory>
#include <vector>

#include "core/document.h"
#include "store/repository.h"
#include "web/cache.h"

namespace wenku::web {

class CategoryList {
  public:
    CategoryList(Repository& repository, const ContentGeneration& generation, std::chrono::seconds max_age);

    /// Every category, parents before their children. Errors of the repository propagate.
    std::shared_ptr<const std::vector<Category>> all();

  private:
    Repository& repository_;
    ExpiringCache<int, std::shared_ptr<const std::vector<Category>>> cache_;  // one entry, key 0
};

}  // namespace wenku::web
