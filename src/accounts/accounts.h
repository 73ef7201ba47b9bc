#pragma once
// The identity layer, transport-free: making accounts, logging in (with the failed-login limits),
// sessions and API tokens, and who a session or token acts as. The web site (web/request_identity.h)
// and the command line (`wenku user`) both go through it; secrets reach the store only as hashes.
#include <cstdint>
#include <optional>
#include <string>

#include "core/account.h"
#include "core/config.h"
#include "store/repository.h"

namespace wenku::accounts {

/// A session just started: the cookie's token (shown to the browser once, never stored) and the
/// session as stored.
struct NewSession {
    std::string token;
    SessionRecord record;
};

/// What a session cookie stands for.
struct SessionIdentity {
    Principal principal;
    SessionRecord session;
};

class AccountService {
  public:
    AccountService(Repository& repository, const AccountsConfig& config)
        : repository_(repository), config_(config) {}

    /// Makes an account; returns its id. Throws InputError "name_invalid" (1-32 characters, no
    /// control characters, spaces at either end or '/', '@', ':'), "password_too_short" (under
    /// accounts.min_password_chars), "email_invalid", or "name_taken".
    std::int64_t add_user(const std::string& name, const std::string& email, const std::string& password,
                          Role role);

    /// Checks `name` and `password` and starts a session. Throws TooManyAttemptsError when the
    /// account or `address` has used up its failed logins within accounts.login_window_seconds
    /// (before the password is looked at), and WrongCredentialsError for an unknown name, a wrong
    /// password or an account banned from logging in (each costing one argon2id verification),
    /// counting the failure.
    NewSession log_in(const std::string& name, const std::string& password, const std::string& address);
    /// Starts a session for an account (a new random token and CSRF token).
    NewSession start_session(std::int64_t user_id);
    /// Who the session with cookie token `token` is: none for an unknown or expired session, a
    /// deleted account or one banned from logging in.
    std::optional<SessionIdentity> session_identity(const std::string& token);
    /// Who the API token `token` is: none for an unknown or revoked token or a banned account.
    std::optional<Principal> token_identity(const std::string& token);
    /// Ends the session of cookie token `token`.
    void log_out(const std::string& token);

    /// Changes an account's password after checking the current one (WrongCredentialsError), and
    /// ends its other sessions (all but `keep_session_hash`'s). Throws as add_user for a short one.
    void change_password(std::int64_t user_id, const std::string& current, const std::string& next,
                         const std::string& keep_session_hash);
    /// Sets a password without the current one (the command line). Ends every session.
    void reset_password(std::int64_t user_id, const std::string& password);
    /// A new API token named `name` for an account: its secret, shown once.
    std::string create_api_token(std::int64_t user_id, const std::string& name);

    /// Throws InputError "password_too_short" for a password under the minimum.
    void check_password(const std::string& password) const;

  private:
    std::optional<Principal> principal_of(std::int64_t user_id, std::int64_t now);

    Repository& repository_;
    const AccountsConfig& config_;
};

/// Throws InputError "name_invalid" unless `name` may name an account (see add_user).
void check_account_name(const std::string& name);

/// Seconds since 1970-01-01 UTC.
std::int64_t now_seconds();

}  // namespace wenku::accounts
