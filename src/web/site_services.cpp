#include "web/site_services.h"

namespace wenku::web {

SiteServices::SiteServices(Library& lib, const std::filesystem::path& dir, std::function<void()> wake)
    : library(lib),
      repository(lib.repository()),
      web_dir(dir),
      options(SiteOptions::read(lib.settings())),
      files(options.open_files),
      translations(dir / "i18n"),
      categories(repository, generation, options.cache_seconds),
      documents(repository, generation, options.cache_seconds, options.document_cache_entries),
      access(options.default_free_pages),
      search(lib.index_dir(), repository, documents, access, generation,
             {options.cache_seconds, options.search_cache_entries,
              static_cast<std::size_t>(options.related_searches)}),
      counts(options.count_backlog_entries),
      renderer(dir / "templates", translations, generation,
               {options.cache_seconds, options.page_cache_entries}),
      page_data(options, translations, categories),
      wake_converter(std::move(wake)) {}

}  // namespace wenku::web
