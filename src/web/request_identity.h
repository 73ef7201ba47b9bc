#pragma once
// Who a request acts as, resolved once before its handler runs, and the one place that decides
// whether a request may change state. A browser is known by its session cookie (random token,
// stored only as its SHA-256), a script by `Authorization: Bearer <API token>`. A state-changing
// request (any method but GET, HEAD and OPTIONS) authenticated by the cookie must carry the
// session's CSRF token, as the form field `csrf` or the header X-CSRF-Token; bearer-authenticated
// and anonymous requests need none (a browser never adds a bearer token by itself, and an
// anonymous request carries no authority to abuse).
#include <chrono>
#include <string>
#include <string_view>

#include "accounts/accounts.h"
#include "core/config.h"
#include "web/http.h"

namespace wenku::web {

inline constexpr std::string_view session_cookie_name = "wenku_session";
inline constexpr std::string_view csrf_field = "csrf";

/// Sets req.principal, req.authentication, req.session_token and req.csrf_token. A bearer token
/// wins over a cookie. An unknown or expired session cookie is anonymous; an unknown or revoked
/// bearer token throws LoginRequiredError (a script should hear that its token is bad).
void identify(accounts::AccountService& accounts, Request& req);

/// Throws ForbiddenError "csrf" when `req` changes state, is authenticated by its cookie, and
/// carries no CSRF token or a wrong one (compared in constant time). Reads the form field only from
/// an application/x-www-form-urlencoded body.
void check_state_change(const Request& req);

/// Whether `req` may be answered from a cache shared by every visitor: it carries no session
/// cookie and no Authorization header.
bool shared_answer_allowed(const Request& req);

/// Whether the session cookie is marked Secure for this request (accounts.secure_cookie).
bool secure_cookie(const Config& config, const Request& req);

/// The Set-Cookie value that gives the browser session token `token`: HttpOnly, SameSite=Lax,
/// Path=/, Max-Age of the session's lifetime, Secure when `secure`.
std::string session_cookie(const std::string& token, std::chrono::seconds lifetime, bool secure);
/// The Set-Cookie value that removes the session cookie.
std::string cleared_session_cookie(bool secure);

}  // namespace wenku::web
