#pragma once
// What the handlers are given: the library and the site's services, built once when the site
// starts. Each service is a small class of its own (caches, search, counts, rendering); this
// struct only holds them, in the order they are built.
#include <filesystem>
#include <functional>

#include "accounts/accounts.h"
#include "ingest/library.h"
#include "web/cache.h"
#include "web/categories.h"
#include "web/documents.h"
#include "web/file_cache.h"
#include "web/metrics.h"
#include "web/page_data.h"
#include "web/page_renderer.h"
#include "web/search_service.h"
#include "web/translations.h"
#include "web/view_counts.h"

namespace wenku::web {

struct SiteServices {
    /// Reads the settings and web_dir's templates and strings; UsageError for a malformed template,
    /// string table or setting, EnvironmentError for an unreadable file.
    SiteServices(Library& library, const std::filesystem::path& web_dir,
                 std::function<void()> wake_converter);

    Library& library;
    Repository& repository;
    const std::filesystem::path web_dir;  // templates/, static/, i18n/, openapi.json
    const Config& config;                 // the library's settings, validated when it opened
    accounts::AccountService accounts;    // who requests act as (request_identity.h)
    ContentGeneration generation;         // advanced whenever documents change
    Metrics metrics;
    FileCache files;  // previews, covers and static files kept open
    Translations translations;
    CategoryList categories;
    DocumentCache documents;
    PreviewAccess access;
    SearchService search;
    /// The search API's JSON bodies, by index revision and parameters (api_search.cpp).
    ExpiringCache<std::string, std::shared_ptr<const std::string>> api_searches;
    ViewCounts counts;
    PageRenderer renderer;
    PageData page_data;
    const std::function<void()> wake_converter;  // after an upload is queued
};

}  // namespace wenku::web
