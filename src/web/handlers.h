#pragma once
// Every handler of the site, by the file that holds it; router.cpp maps routes to them. A handler
// answers one route: it reads the request, asks the services (site_services.h) and returns the
// response, or throws one of the errors that error_status (errors.h) turns into a status.
#include <functional>
#include <map>
#include <string>

#include "web/http.h"

namespace wenku::web {

struct SiteServices;

/// A route's path parameters ("/d/{id}" matched by "/d/12": id → "12").
using Params = std::map<std::string, std::string, std::less<>>;
using Handler = Response (*)(SiteServices& site, Request& req, const Params& params);

namespace pages {
// pages_home.cpp: listings
Response home(SiteServices& site, Request& req, const Params& params);
Response category(SiteServices& site, Request& req, const Params& params);
// pages_document.cpp: a document
Response document(SiteServices& site, Request& req, const Params& params);
Response reader(SiteServices& site, Request& req, const Params& params);
// pages_search.cpp
Response search(SiteServices& site, Request& req, const Params& params);
// pages_actions.cpp: what a reader does with the library and its documents
Response upload(SiteServices& site, Request& req, const Params& params);
Response share(SiteServices& site, Request& req, const Params& params);
Response qr_code(SiteServices& site, Request& req, const Params& params);
Response report_form(SiteServices& site, Request& req, const Params& params);
Response report_submit(SiteServices& site, Request& req, const Params& params);
Response needs_account(SiteServices& site, Request& req, const Params& params);
// pages_account.cpp: registering, logging in and out, the account page
Response register_form(SiteServices& site, Request& req, const Params& params);
Response register_submit(SiteServices& site, Request& req, const Params& params);
Response login_form(SiteServices& site, Request& req, const Params& params);
Response login_submit(SiteServices& site, Request& req, const Params& params);
Response logout(SiteServices& site, Request& req, const Params& params);
Response account(SiteServices& site, Request& req, const Params& params);
Response change_password(SiteServices& site, Request& req, const Params& params);
Response end_sessions(SiteServices& site, Request& req, const Params& params);
Response create_token(SiteServices& site, Request& req, const Params& params);
Response revoke_token(SiteServices& site, Request& req, const Params& params);
}  // namespace pages

namespace api {
// api_documents.cpp
Response list_documents(SiteServices& site, Request& req, const Params& params);
Response document(SiteServices& site, Request& req, const Params& params);
Response upload(SiteServices& site, Request& req, const Params& params);
/// What upload() checks before reading the body, asked with the header alone: throws
/// ForbiddenError (uploads_closed) when site.uploads = 0, or the storage refusal for `bytes`
/// (Library::upload_refusal: quota, free space, library size).
void admit_upload(SiteServices& site, const Request& req, std::uint64_t bytes);
Response status(SiteServices& site, Request& req, const Params& params);
Response pages(SiteServices& site, Request& req, const Params& params);
// api_search.cpp: search, categories and the API's description
Response search(SiteServices& site, Request& req, const Params& params);
Response categories(SiteServices& site, Request& req, const Params& params);
Response openapi(SiteServices& site, Request& req, const Params& params);
}  // namespace api

namespace files {
// files.cpp: previews, page text, covers, originals, static files
Response preview(SiteServices& site, Request& req, const Params& params);
Response page_text(SiteServices& site, Request& req, const Params& params);
Response cover(SiteServices& site, Request& req, const Params& params);
Response download(SiteServices& site, Request& req, const Params& params);
Response static_file(SiteServices& site, Request& req, const Params& params);
Response favicon(SiteServices& site, Request& req, const Params& params);
}  // namespace files

namespace seo {
// seo.cpp
Response robots(SiteServices& site, Request& req, const Params& params);
Response sitemap(SiteServices& site, Request& req, const Params& params);
}  // namespace seo

namespace ops {
// ops.cpp
Response healthz(SiteServices& site, Request& req, const Params& params);
Response metrics(SiteServices& site, Request& req, const Params& params);
}  // namespace ops

}  // namespace wenku::web
