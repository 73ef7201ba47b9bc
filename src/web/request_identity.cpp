#include "web/request_identity.h"

#include <openssl/crypto.h>

#include "core/errors.h"
#include "web/http_parsing.h"

namespace wenku::web {

namespace {

bool changes_state(const std::string& method) {
    return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

/// The token of an "Authorization: Bearer <token>" header, or "".
std::string bearer_token(const Request& req) {
    const std::string& header = req.header("authorization");
    constexpr std::string_view scheme = "bearer ";
    if (header.size() <= scheme.size()) return "";
    for (std::size_t i = 0; i < scheme.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i]) return "";
    std::string token = header.substr(scheme.size());
    while (!token.empty() && token.front() == ' ') token.erase(0, 1);
    while (!token.empty() && token.back() == ' ') token.pop_back();
    return token;
}

bool same_secret(const std::string& a, const std::string& b) {
    return !a.empty() && a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

void identify(accounts::AccountService& accounts, Request& req) {
    req.principal = Principal{};
    req.authentication = Request::Authentication::none;
    req.session_token.clear();
    req.csrf_token.clear();
    if (const std::string token = bearer_token(req); !token.empty()) {
        auto principal = accounts.token_identity(token);
        if (!principal) throw LoginRequiredError("the API token is unknown or revoked");
        req.principal = std::move(*principal);
        req.authentication = Request::Authentication::bearer;
        return;
    }
    const std::string cookie = req.cookie(session_cookie_name);
    if (cookie.empty()) return;
    if (auto identity = accounts.session_identity(cookie)) {
        req.principal = std::move(identity->principal);
        req.authentication = Request::Authentication::cookie;
        req.session_token = cookie;
        req.csrf_token = identity->session.csrf_token;
    }
}

void check_state_change(const Request& req) {
    if (!changes_state(req.method) || req.authentication != Request::Authentication::cookie) return;
    std::string sent = req.header("x-csrf-token");
    if (sent.empty() && req.header("content-type").starts_with("application/x-www-form-urlencoded")) {
        std::map<std::string, std::string> form;
        parse_form(req.body, form);
        sent = form[std::string(csrf_field)];
    }
    if (!same_secret(sent, req.csrf_token)) {
        throw ForbiddenError(
            "csrf", "this request lacks the page's security token (CSRF); reload the page and try again");
    }
}

bool shared_answer_allowed(const Request& req) {
    return req.cookie(session_cookie_name).empty() && req.header("authorization").empty();
}

bool secure_cookie(const Config& config, const Request& req) {
    switch (config.accounts.secure_cookie) {
        case SecureCookie::always:
            return true;
        case SecureCookie::never:
            return false;
        case SecureCookie::automatic:
            break;
    }
    return config.site.url.starts_with("https://") || req.forwarded_https;
}

std::string session_cookie(const std::string& token, std::chrono::seconds lifetime, bool secure) {
    return std::string(session_cookie_name) + "=" + token +
           "; Path=/; Max-Age=" + std::to_string(lifetime.count()) + "; HttpOnly; SameSite=Lax" +
           (secure ? "; Secure" : "");
}

std::string cleared_session_cookie(bool secure) {
    return std::string(session_cookie_name) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax" +
           (secure ? "; Secure" : "");
}

}  // namespace wenku::web
