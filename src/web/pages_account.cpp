// Accounts on the site: registering (accounts.registration), logging in and out, and the account
// page (change the password, which ends the other sessions; log out everywhere; API tokens, each
// shown once when made). Who a request is was resolved before these run (request_identity.h).
#include "accounts/accounts.h"
#include "accounts/credentials.h"
#include "core/errors.h"
#include "web/display.h"
#include "web/errors.h"
#include "web/handlers.h"
#include "web/http_parsing.h"
#include "web/request_identity.h"
#include "web/site_services.h"

namespace wenku::web::pages {
using nlohmann::json;

namespace {

using Form = std::map<std::string, std::string>;

Form form_of(const Request& req);
Response redirect(const std::string& location);
/// The login or register page with `error` shown (none when empty).
Response credentials_page(SiteServices& site, const Request& req, const std::string& which,
                          const std::string& error, const std::string& name, int status);
/// The account page with `notice` and a new token's secret (each shown when not empty).
Response account_page(SiteServices& site, const Request& req, const std::string& notice,
                      const std::string& new_token, int status = 200);
/// Gives the browser a new session of `user_id` and sends it to the account page.
Response signed_in(SiteServices& site, const Request& req, const accounts::NewSession& session);
/// Throws ForbiddenError "registration_closed" unless anyone may register.
void require_open_registration(SiteServices& site, const Request& req);
/// The signed-in account; LoginRequiredError for an anonymous request.
std::int64_t require_user(SiteServices& site, const Request& req);

}  // namespace

Response register_form(SiteServices& site, Request& req, const Params&) {
    require_open_registration(site, req);
    return credentials_page(site, req, "register", "", "", 200);
}

Response register_submit(SiteServices& site, Request& req, const Params&) {
    require_open_registration(site, req);
    Form form = form_of(req);
    const std::string lang = site.translations.lang(req);
    if (form["password"] != form["password2"])
        return credentials_page(site, req, "register", site.translations.tr(lang, "passwords_differ"),
                                form["name"], 422);
    std::int64_t id = 0;
    try {
        id = site.accounts.add_user(form["name"], form["email"], form["password"], Role::reader);
    } catch (const InputError& e) {
        return credentials_page(site, req, "register", site.translations.tr(lang, "account_" + e.code()),
                                form["name"], error_status(e).status);
    }
    return signed_in(site, req, site.accounts.start_session(id));
}

Response login_form(SiteServices& site, Request& req, const Params&) {
    return credentials_page(site, req, "login", "", "", 200);
}

Response login_submit(SiteServices& site, Request& req, const Params&) {
    Form form = form_of(req);
    try {
        const accounts::NewSession session =
            site.accounts.log_in(form["name"], form["password"], req.remote_ip);
        // A new session at every login: whatever session the browser had ends here.
        site.accounts.log_out(req.session_token);
        return signed_in(site, req, session);
    } catch (const WrongCredentialsError&) {
        return credentials_page(site, req, "login",
                                site.translations.tr(site.translations.lang(req), "wrong_credentials"),
                                form["name"], 401);
    }
}

Response logout(SiteServices& site, Request& req, const Params&) {
    site.accounts.log_out(req.session_token);
    Response res = redirect("/");
    res.headers.emplace_back("Set-Cookie", cleared_session_cookie(secure_cookie(site.config, req)));
    return res;
}

Response account(SiteServices& site, Request& req, const Params&) {
    if (req.principal.anonymous()) return redirect("/login");
    return account_page(site, req, "", "");
}

Response change_password(SiteServices& site, Request& req, const Params&) {
    const std::int64_t user = require_user(site, req);
    Form form = form_of(req);
    const std::string lang = site.translations.lang(req);
    if (form["password"] != form["password2"])
        return account_page(site, req, site.translations.tr(lang, "passwords_differ"), "", 422);
    try {
        const std::string keep = req.session_token.empty() ? "" : accounts::token_hash(req.session_token);
        site.accounts.change_password(user, form["current"], form["password"], keep);
    } catch (const WrongCredentialsError&) {
        return account_page(site, req, site.translations.tr(lang, "wrong_password"), "", 403);
    } catch (const InputError& e) {
        return account_page(site, req, site.translations.tr(lang, "account_" + e.code()), "", 422);
    }
    return account_page(site, req, site.translations.tr(lang, "password_changed"), "");
}

Response end_sessions(SiteServices& site, Request& req, const Params&) {
    site.repository.remove_sessions(require_user(site, req), "");
    Response res = redirect("/login");
    res.headers.emplace_back("Set-Cookie", cleared_session_cookie(secure_cookie(site.config, req)));
    return res;
}

Response create_token(SiteServices& site, Request& req, const Params&) {
    const std::int64_t user = require_user(site, req);
    Form form = form_of(req);
    const std::string secret = site.accounts.create_api_token(user, form["name"]);
    return account_page(site, req, site.translations.tr(site.translations.lang(req), "token_created"), secret,
                        201);
}

Response revoke_token(SiteServices& site, Request& req, const Params& params) {
    const std::int64_t user = require_user(site, req);
    if (!site.repository.revoke_api_token(user, parse_id(params.at("id"))))
        throw NotFoundError("no such API token");
    return redirect("/account");
}

namespace {

Form form_of(const Request& req) {
    Form form;
    parse_form(req.body, form);
    return form;
}

Response redirect(const std::string& location) {
    Response res;
    res.status = 303;
    res.set("Location", location);
    res.set("Cache-Control", "no-store");
    res.text("", "text/plain; charset=utf-8");
    return res;
}

Response credentials_page(SiteServices& site, const Request& req, const std::string& which,
                          const std::string& error, const std::string& name, int status) {
    const std::string lang = site.translations.lang(req);
    json ctx = site.page_data.context(req, site.translations.tr(lang, which), "", "/" + which);
    ctx["error"] = error;
    ctx["name"] = name;
    ctx["noindex"] = true;
    ctx["registration_open"] = site.config.accounts.registration == Registration::open;
    ctx["min_password_chars"] = site.config.accounts.min_password_chars;
    Response res = site.renderer.render(req, which, ctx, status);
    res.set("Cache-Control", "no-store");
    return res;
}

Response account_page(SiteServices& site, const Request& req, const std::string& notice,
                      const std::string& new_token, int status) {
    const std::string lang = site.translations.lang(req);
    const std::int64_t user = *req.principal.user_id;
    json ctx = site.page_data.context(req, site.translations.tr(lang, "account"), "", "/account");
    json tokens = json::array();
    for (const ApiToken& t : site.repository.api_tokens(user)) {
        tokens.push_back({{"id", t.id},
                          {"name", t.name},
                          {"created", format_date(t.created_at)},
                          {"last_used", t.last_used_at ? format_date(*t.last_used_at) : "-"},
                          {"revoked", t.revoked}});
    }
    ctx["tokens"] = tokens;
    ctx["role"] = to_string(req.principal.role);
    ctx["notice"] = notice;
    ctx["new_token"] = new_token;
    ctx["noindex"] = true;
    ctx["min_password_chars"] = site.config.accounts.min_password_chars;
    Response res = site.renderer.render(req, "account", ctx, status);
    res.set("Cache-Control", "no-store");
    return res;
}

Response signed_in(SiteServices& site, const Request& req, const accounts::NewSession& session) {
    Response res = redirect("/account");
    res.headers.emplace_back("Set-Cookie",
                             session_cookie(session.token, site.config.accounts.session_lifetime,
                                            secure_cookie(site.config, req)));
    return res;
}

void require_open_registration(SiteServices& site, const Request& req) {
    if (site.config.accounts.registration != Registration::open) {
        throw ForbiddenError("registration_closed",
                             site.translations.tr(site.translations.lang(req), "registration_closed"));
    }
}

std::int64_t require_user(SiteServices& site, const Request& req) {
    if (req.principal.anonymous())
        throw LoginRequiredError(site.translations.tr(site.translations.lang(req), "login_first"));
    return *req.principal.user_id;
}

}  // namespace

}  // namespace wenku::web::pages
