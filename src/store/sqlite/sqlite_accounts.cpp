// The people behind the library, in the SQLite store (sqlite_repository.h): accounts, browser
// sessions and API tokens (by the hashes of their secrets only), timed bans, and failed logins.
#include <string>

#include "store/sqlite/sqlite_repository.h"

namespace wenku::sqlite {

namespace {

constexpr std::string_view user_columns = "id, name, email, password_hash, role, created_at";

User read_user(const Query& q) {
    User u;
    u.id = q.column_int64(0);
    u.name = q.column_text(1);
    u.email = q.column_text(2);
    u.password_hash = q.column_text(3);
    u.role = role_from_string(q.column_text(4)).value_or(Role::reader);
    u.created_at = q.column_int64(5);
    return u;
}

/// Throws NotFoundError unless account `user_id` exists. For use inside locked().
void require_user(Database& db, std::int64_t user_id) {
    Query q = db.query("SELECT 1 FROM user WHERE id = ?1");
    q.bind(1, user_id);
    if (!q.step()) throw NotFoundError("no account #" + std::to_string(user_id));
}

}  // namespace

// --- accounts ---

std::int64_t SqliteRepository::add_user(const User& user) {
    return locked("add the account " + user.name, [&](Database& db) {
        Transaction tx(db);
        Query taken = db.query("SELECT 1 FROM user WHERE name = ?1 COLLATE NOCASE");
        taken.bind(1, user.name);
        if (taken.step()) throw InputError("name_taken", "the name " + user.name + " is taken");
        taken.reset();
        db.query(
              "INSERT INTO user (name, email, password_hash, role, created_at) VALUES (?1, ?2, ?3, ?4, ?5)")
            .bind(1, user.name)
            .bind(2, user.email)
            .bind(3, user.password_hash)
            .bind(4, std::string_view(to_string(user.role)))
            .bind(5, user.created_at != 0 ? user.created_at : unix_now())
            .run();
        const std::int64_t id = db.last_insert_rowid();
        tx.commit();
        return id;
    });
}

std::optional<User> SqliteRepository::find_user(std::int64_t id) {
    return locked("read account #" + std::to_string(id), [&](Database& db) -> std::optional<User> {
        Query q = db.query("SELECT " + std::string(user_columns) + " FROM user WHERE id = ?1");
        q.bind(1, id);
        if (!q.step()) return std::nullopt;
        return read_user(q);
    });
}

std::optional<User> SqliteRepository::find_user_by_name(const std::string& name) {
    return locked("read an account", [&](Database& db) -> std::optional<User> {
        Query q =
            db.query("SELECT " + std::string(user_columns) + " FROM user WHERE name = ?1 COLLATE NOCASE");
        q.bind(1, name);
        if (!q.step()) return std::nullopt;
        return read_user(q);
    });
}

std::vector<User> SqliteRepository::users() {
    return locked("list accounts", [&](Database& db) {
        Query q = db.query("SELECT " + std::string(user_columns) + " FROM user ORDER BY id");
        std::vector<User> result;
        while (q.step()) result.push_back(read_user(q));
        return result;
    });
}

void SqliteRepository::set_password(std::int64_t user_id, const std::string& password_hash,
                                    const std::string& keep_session_hash) {
    locked("change the password of account #" + std::to_string(user_id), [&](Database& db) {
        Transaction tx(db);
        require_user(db, user_id);
        db.query("UPDATE user SET password_hash = ?2 WHERE id = ?1")
            .bind(1, user_id)
            .bind(2, password_hash)
            .run();
        db.query("DELETE FROM session WHERE user_id = ?1 AND token_hash <> ?2")
            .bind(1, user_id)
            .bind(2, keep_session_hash)
            .run();
        tx.commit();
    });
}

void SqliteRepository::set_role(std::int64_t user_id, Role role) {
    locked("change the role of account #" + std::to_string(user_id), [&](Database& db) {
        db.query("UPDATE user SET role = ?2 WHERE id = ?1")
            .bind(1, user_id)
            .bind(2, std::string_view(to_string(role)))
            .run();
        if (db.changes() == 0) throw NotFoundError("no account #" + std::to_string(user_id));
    });
}

// --- sessions ---

void SqliteRepository::add_session(const SessionRecord& s) {
    locked("start a session", [&](Database& db) {
        require_user(db, s.user_id);
        db.query(
              "INSERT INTO session (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
            .bind(1, s.token_hash)
            .bind(2, s.user_id)
            .bind(3, s.csrf_token)
            .bind(4, s.created_at)
            .bind(5, s.last_seen_at)
            .bind(6, s.expires_at)
            .run();
        // Expired sessions of anyone go with each new one, so the table never keeps them long.
        db.query("DELETE FROM session WHERE expires_at <= ?1").bind(1, s.created_at).run();
    });
}

std::optional<SessionRecord> SqliteRepository::find_session(const std::string& token_hash, std::int64_t now) {
    return locked("read a session", [&](Database& db) -> std::optional<SessionRecord> {
        Query q = db.query(
            "SELECT token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at FROM session "
            "WHERE token_hash = ?1 AND expires_at > ?2");
        q.bind(1, token_hash).bind(2, now);
        if (!q.step()) return std::nullopt;
        return SessionRecord{q.column_text(0),  q.column_int64(1), q.column_text(2),
                             q.column_int64(3), q.column_int64(4), q.column_int64(5)};
    });
}

void SqliteRepository::touch_session(const std::string& token_hash, std::int64_t now) {
    locked("record the use of a session", [&](Database& db) {
        db.query("UPDATE session SET last_seen_at = ?2 WHERE token_hash = ?1")
            .bind(1, token_hash)
            .bind(2, now)
            .run();
    });
}

void SqliteRepository::remove_session(const std::string& token_hash) {
    locked("end a session", [&](Database& db) {
        db.query("DELETE FROM session WHERE token_hash = ?1").bind(1, token_hash).run();
    });
}

int SqliteRepository::remove_sessions(std::int64_t user_id, const std::string& except_hash) {
    return locked("end the sessions of account #" + std::to_string(user_id), [&](Database& db) {
        db.query("DELETE FROM session WHERE user_id = ?1 AND token_hash <> ?2")
            .bind(1, user_id)
            .bind(2, except_hash)
            .run();
        return db.changes();
    });
}

// --- API tokens ---

std::int64_t SqliteRepository::add_api_token(const ApiToken& token, const std::string& token_hash) {
    return locked("add an API token", [&](Database& db) {
        require_user(db, token.user_id);
        db.query("INSERT INTO api_token (user_id, token_hash, name, created_at) VALUES (?1, ?2, ?3, ?4)")
            .bind(1, token.user_id)
            .bind(2, token_hash)
            .bind(3, token.name)
            .bind(4, token.created_at != 0 ? token.created_at : unix_now())
            .run();
        return db.last_insert_rowid();
    });
}

std::vector<ApiToken> SqliteRepository::api_tokens(std::int64_t user_id) {
    return locked("list API tokens", [&](Database& db) {
        Query q = db.query(
            "SELECT id, user_id, name, created_at, last_used_at, revoked FROM api_token WHERE user_id = ?1 "
            "ORDER BY id DESC");
        q.bind(1, user_id);
        std::vector<ApiToken> result;
        while (q.step()) {
            result.push_back(ApiToken{q.column_int64(0), q.column_int64(1), q.column_text(2),
                                      q.column_int64(3), q.column_optional_int64(4), q.column_int(5) != 0});
        }
        return result;
    });
}

std::optional<std::int64_t> SqliteRepository::use_api_token(const std::string& token_hash, std::int64_t now) {
    return locked("read an API token", [&](Database& db) -> std::optional<std::int64_t> {
        Query q = db.query("SELECT user_id FROM api_token WHERE token_hash = ?1 AND revoked = 0");
        q.bind(1, token_hash);
        if (!q.step()) return std::nullopt;
        const std::int64_t user_id = q.column_int64(0);
        q.reset();
        // At most one write a minute per token: a script's every call need not write.
        db.query(
              "UPDATE api_token SET last_used_at = ?2 WHERE token_hash = ?1 "
              "AND (last_used_at IS NULL OR last_used_at < ?2 - 60)")
            .bind(1, token_hash)
            .bind(2, now)
            .run();
        return user_id;
    });
}

bool SqliteRepository::revoke_api_token(std::int64_t user_id, std::int64_t token_id) {
    return locked("revoke an API token", [&](Database& db) {
        db.query("UPDATE api_token SET revoked = 1 WHERE id = ?1 AND user_id = ?2")
            .bind(1, token_id)
            .bind(2, user_id)
            .run();
        return db.changes() > 0;
    });
}

// --- bans ---

void SqliteRepository::set_ban(std::int64_t user_id, const Ban& ban) {
    locked("ban account #" + std::to_string(user_id), [&](Database& db) {
        require_user(db, user_id);
        db.query(
              "INSERT INTO ban (user_id, action, until, reason) VALUES (?1, ?2, ?3, ?4) "
              "ON CONFLICT(user_id, action) DO UPDATE SET until = ?3, reason = ?4")
            .bind(1, user_id)
            .bind(2, std::string_view(to_string(ban.action)))
            .bind(3, ban.until)
            .bind(4, ban.reason)
            .run();
    });
}

bool SqliteRepository::remove_ban(std::int64_t user_id, BanAction action) {
    return locked("lift a ban of account #" + std::to_string(user_id), [&](Database& db) {
        db.query("DELETE FROM ban WHERE user_id = ?1 AND action = ?2")
            .bind(1, user_id)
            .bind(2, std::string_view(to_string(action)))
            .run();
        return db.changes() > 0;
    });
}

std::vector<Ban> SqliteRepository::bans(std::int64_t user_id, std::int64_t now) {
    return locked("read the bans of account #" + std::to_string(user_id), [&](Database& db) {
        Query q = db.query(
            "SELECT action, until, reason FROM ban WHERE user_id = ?1 AND until > ?2 ORDER BY action");
        q.bind(1, user_id).bind(2, now);
        std::vector<Ban> result;
        while (q.step()) {
            if (auto action = ban_action_from_string(q.column_text(0)))
                result.push_back(Ban{*action, q.column_int64(1), q.column_text(2)});
        }
        return result;
    });
}

// --- failed logins ---

void SqliteRepository::add_login_failure(const std::string& account, const std::string& address,
                                         std::int64_t now, std::int64_t forget_before) {
    locked("count a failed login", [&](Database& db) {
        Transaction tx(db);
        db.query("DELETE FROM login_failure WHERE at < ?1").bind(1, forget_before).run();
        db.query("INSERT INTO login_failure (account, client, at) VALUES (?1, ?2, ?3)")
            .bind(1, account)
            .bind(2, client_hash(client_key(db), address))
            .bind(3, now)
            .run();
        tx.commit();
    });
}

LoginFailures SqliteRepository::login_failures(const std::string& account, const std::string& address,
                                               std::int64_t since, bool by_address) {
    return locked("count failed logins", [&](Database& db) {
        Query q =
            by_address
                ? db.query("SELECT COUNT(*), MIN(at) FROM login_failure WHERE client = ?1 AND at >= ?2")
                : db.query("SELECT COUNT(*), MIN(at) FROM login_failure WHERE account = ?1 AND at >= ?2");
        q.bind(1, by_address ? client_hash(client_key(db), address) : account).bind(2, since);
        LoginFailures f;
        if (q.step()) {
            f.count = q.column_int64(0);
            f.oldest_at = q.column_is_null(1) ? 0 : q.column_int64(1);
        }
        return f;
    });
}

void SqliteRepository::clear_login_failures(const std::string& account) {
    locked("forget failed logins", [&](Database& db) {
        db.query("DELETE FROM login_failure WHERE account = ?1").bind(1, account).run();
    });
}

}  // namespace wenku::sqlite
