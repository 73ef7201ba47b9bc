#pragma once
// Domain types of the people behind the library: accounts, their roles and timed bans, sessions and
// API tokens as the store keeps them (secrets only as hashes), and the Principal a request acts as.
// Plain data; the store (store/repository.h) and the account service (accounts/accounts.h) use them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wenku {

/// What an account may do, in increasing power. Stored as its word ("reader", ...).
enum class Role { reader, uploader, moderator, admin };

/// "reader", "uploader", "moderator" or "admin".
const char* to_string(Role role);
/// The role named `word`, or none for any other word.
std::optional<Role> role_from_string(std::string_view word);

/// What a ban forbids. Stored as its word ("login", ...).
enum class BanAction { login, upload, comment, download };

/// "login", "upload", "comment" or "download".
const char* to_string(BanAction action);
/// The action named `word`, or none for any other word.
std::optional<BanAction> ban_action_from_string(std::string_view word);

/// An account forbidden one action until a time.
struct Ban {
    BanAction action = BanAction::login;
    std::int64_t until = 0;  // unix seconds
    std::string reason;
};

struct User {
    std::int64_t id = 0;
    std::string name;           // unique, compared without regard to ASCII case
    std::string email;          // empty when none was given
    std::string password_hash;  // libsodium's argon2id string ("$argon2id$...")
    Role role = Role::reader;
    std::int64_t created_at = 0;  // unix seconds
};

/// A signed-in browser, as stored: only the SHA-256 of its cookie's token.
struct SessionRecord {
    std::string token_hash;  // hex SHA-256 of the cookie's random token
    std::int64_t user_id = 0;
    std::string csrf_token;  // sent back in every form and script request that changes state
    std::int64_t created_at = 0, last_seen_at = 0, expires_at = 0;
};

/// A token for scripts (Authorization: Bearer), as stored: its hash, never the token.
struct ApiToken {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::string name;
    std::int64_t created_at = 0;
    std::optional<std::int64_t> last_used_at;
    bool revoked = false;
};

/// Failed logins counted within a window (accounts.login_window_seconds).
struct LoginFailures {
    std::int64_t count = 0;
    std::int64_t oldest_at = 0;  // the oldest counted failure, unix seconds; 0 when none
};

/// Who a request acts as: anonymous, or an account with its role and the bans in force when the
/// request began. Resolved once per request (web/request_identity.h) and read by every handler.
struct Principal {
    std::optional<std::int64_t> user_id;  // none: anonymous
    std::string name;
    Role role = Role::reader;
    std::vector<Ban> bans;

    bool anonymous() const { return !user_id; }
    /// The ban of `action` in force at `now`, or none.
    std::optional<Ban> ban(BanAction action, std::int64_t now) const;
};

}  // namespace wenku
