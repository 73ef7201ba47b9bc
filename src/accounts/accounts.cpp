#include "accounts/accounts.h"

#include <algorithm>
#include <chrono>

#include "accounts/credentials.h"
#include "core/errors.h"
#include "core/utf8.h"

namespace wenku::accounts {

namespace {

constexpr std::size_t max_name_chars = 32;
constexpr std::size_t max_email_bytes = 254;
constexpr std::size_t max_password_bytes = 4096;  // argon2id hashes anything, but not a megabyte per try

/// The account name failed logins are counted under: lower-cased ASCII, as names compare.
std::string failure_key(std::string name) {
    for (char& c : name)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return name;
}

}  // namespace

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void check_account_name(const std::string& name) {
    const std::u32string chars = decode_utf8(name);
    const bool bad_char = std::any_of(chars.begin(), chars.end(), [](char32_t c) {
        return c < 0x20 || (c >= 0x7f && c < 0xa0) || c == '/' || c == '@' || c == ':' || c == 0xfffd ||
               (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
    });
    if (chars.empty() || chars.size() > max_name_chars || bad_char || chars.front() == ' ' ||
        chars.back() == ' ' || encode_utf8(chars) != name) {
        throw InputError(
            "name_invalid",
            "an account name is 1 to 32 characters, without control characters, spaces at either "
            "end or any of / @ :");
    }
}

void AccountService::check_password(const std::string& password) const {
    if (decode_utf8(password).size() < static_cast<std::size_t>(config_.min_password_chars))
        throw InputError(
            "password_too_short",
            "a password has at least " + std::to_string(config_.min_password_chars) + " characters");
    if (password.size() > max_password_bytes)
        throw InputError("password_too_long", "a password has at most 4096 bytes");
}

std::int64_t AccountService::add_user(const std::string& name, const std::string& email,
                                      const std::string& password, Role role) {
    check_account_name(name);
    if (email.size() > max_email_bytes ||
        (!email.empty() && (email.find('@') == std::string::npos || decode_utf8(email).empty() ||
                            std::any_of(email.begin(), email.end(),
                                        [](char c) { return static_cast<unsigned char>(c) <= ' '; })))) {
        throw InputError("email_invalid", "an e-mail address is name@domain, without spaces");
    }
    check_password(password);
    User user;
    user.name = name;
    user.email = email;
    user.password_hash = hash_password(password);
    user.role = role;
    return repository_.add_user(user);
}

NewSession AccountService::log_in(const std::string& name, const std::string& password,
                                  const std::string& address) {
    const std::int64_t now = now_seconds();
    const std::int64_t window = config_.login_window.count(), since = now - window + 1;
    const std::string key = failure_key(name);
    const LoginFailures of_account = repository_.login_failures(key, address, since, false);
    const LoginFailures from_address = repository_.login_failures(key, address, since, true);
    const auto refuse_after = [&](const LoginFailures& f) {
        throw TooManyAttemptsError("too many failed logins; try again later",
                                   std::max<std::int64_t>(1, f.oldest_at + window - now));
    };
    if (of_account.count >= config_.login_failures_per_account) refuse_after(of_account);
    if (from_address.count >= config_.login_failures_per_address) refuse_after(from_address);

    const std::optional<User> user =
        password.size() <= max_password_bytes ? repository_.find_user_by_name(name) : std::nullopt;
    bool ok = false;
    if (user) {
        ok = verify_password(user->password_hash, password);
    } else {
        verify_against_dummy(password.substr(0, max_password_bytes));
    }
    if (ok) {
        const std::vector<Ban> bans = repository_.bans(user->id, now);
        ok =
            std::none_of(bans.begin(), bans.end(), [](const Ban& b) { return b.action == BanAction::login; });
    }
    if (!ok) {
        repository_.add_login_failure(key, address, now, now - window);
        throw WrongCredentialsError("wrong name or password");
    }
    repository_.clear_login_failures(key);
    return start_session(user->id);
}

NewSession AccountService::start_session(std::int64_t user_id) {
    const std::int64_t now = now_seconds();
    NewSession s;
    s.token = random_token();
    s.record.token_hash = token_hash(s.token);
    s.record.user_id = user_id;
    s.record.csrf_token = random_token();
    s.record.created_at = s.record.last_seen_at = now;
    s.record.expires_at = now + config_.session_lifetime.count();
    repository_.add_session(s.record);
    return s;
}

std::optional<SessionIdentity> AccountService::session_identity(const std::string& token) {
    if (token.empty()) return std::nullopt;
    const std::int64_t now = now_seconds();
    auto session = repository_.find_session(token_hash(token), now);
    if (!session) return std::nullopt;
    auto principal = principal_of(session->user_id, now);
    if (!principal) return std::nullopt;
    // The last use is recorded once a minute at most: a page view need not write.
    if (now - session->last_seen_at >= 60) repository_.touch_session(session->token_hash, now);
    return SessionIdentity{std::move(*principal), std::move(*session)};
}

std::optional<Principal> AccountService::token_identity(const std::string& token) {
    if (token.empty()) return std::nullopt;
    const std::int64_t now = now_seconds();
    const auto user_id = repository_.use_api_token(token_hash(token), now);
    return user_id ? principal_of(*user_id, now) : std::nullopt;
}

std::optional<Principal> AccountService::principal_of(std::int64_t user_id, std::int64_t now) {
    const auto user = repository_.find_user(user_id);
    if (!user) return std::nullopt;
    Principal p{user->id, user->name, user->role, repository_.bans(user->id, now)};
    if (p.ban(BanAction::login, now)) return std::nullopt;  // a login ban ends every session at once
    return p;
}

void AccountService::log_out(const std::string& token) {
    if (!token.empty()) repository_.remove_session(token_hash(token));
}

void AccountService::change_password(std::int64_t user_id, const std::string& current,
                                     const std::string& next, const std::string& keep_session_hash) {
    const auto user = repository_.find_user(user_id);
    if (!user || current.size() > max_password_bytes || !verify_password(user->password_hash, current))
        throw WrongCredentialsError("the current password is wrong");
    check_password(next);
    repository_.set_password(user_id, hash_password(next), keep_session_hash);
}

void AccountService::reset_password(std::int64_t user_id, const std::string& password) {
    check_password(password);
    repository_.set_password(user_id, hash_password(password), "");
}

std::string AccountService::create_api_token(std::int64_t user_id, const std::string& name) {
    const std::string secret = "wk_" + random_token();
    ApiToken token;
    token.user_id = user_id;
    token.name = name.empty() ? "token" : name.substr(0, 100);
    repository_.add_api_token(token, token_hash(secret));
    return secret;
}

}  // namespace wenku::accounts
