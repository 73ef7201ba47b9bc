#include "web/site_services.h"

namespace wenku::web {

SiteServices::SiteServices(Library& lib, const std::filesystem::path& dir, std::function<void()> wake)
    : library(lib),
      repository(lib.repository()),
      web_dir(dir),
      config(lib.config()),
      accounts(repository, config.accounts),
      files(config.http.open_files),
      translations(dir / "i18n"),
      categories(repository, generation, config.http.page_cache_lifetime),
      documents(repository, generation, config.http.page_cache_lifetime, config.http.document_cache_entries),
      access(config.preview.free_pages),
      search(lib.index_dir(), lib.data_dir() / search::blocklist_file_name, repository, documents, access,
             generation,
             {config.http.page_cache_lifetime, config.http.search_cache_entries,
              static_cast<std::size_t>(config.site.related_searches),
              search::SearchOptions::from(config.search), config.search.distinct_queries_per_hour,
              config.search.budget_addresses, config.site.public_text_all}),
      api_searches(generation, config.http.page_cache_lifetime, config.http.search_cache_entries),
      counts(config.http.count_backlog_entries),
      renderer(dir / "templates", translations, generation,
               {config.http.page_cache_lifetime, config.http.page_cache_entries}),
      page_data(config.site, translations, categories),
      wake_converter(std::move(wake)) {}

}  // namespace wenku::web
