// Accounts through real HTTP on 127.0.0.1 against `wenku serve` and its real SQLite file:
// registering, logging in and out, the session cookie, CSRF, API tokens, failed-login limits, bans
// made with `wenku user`, and that no password or token reaches the database or the log.
#include <sqlite3.h>

#include "integration/web_fixture.h"

namespace {

using namespace web_fixture;

/// The session token a response's Set-Cookie gives, or "".
std::string session_of(const HttpResponse& r) {
    for (const auto& [name, value] : r.headers) {
        if (name == "set-cookie" && value.starts_with("wenku_session=")) {
            return value.substr(14, value.find(';') - 14);
        }
    }
    return "";
}

std::string set_cookie(const HttpResponse& r) {
    for (const auto& [name, value] : r.headers)
        if (name == "set-cookie" && value.starts_with("wenku_session=")) return value;
    return "";
}

Headers cookie(const std::string& token) { return {{"Cookie", "wenku_session=" + token}}; }
Headers form_with(const std::string& token) {
    return {{"Cookie", "wenku_session=" + token}, {"Content-Type", "application/x-www-form-urlencoded"}};
}

/// The CSRF token the account page shows to this session.
std::string csrf_of(unsigned short port, const std::string& token) {
    const auto page = http_request(port, "GET", "/account", {}, cookie(token));
    std::smatch m;
    if (!std::regex_search(page.body, m, std::regex("name=\"csrf\" value=\"([^\"]+)\""))) return "";
    return m[1].str();
}

/// Every value of column 0 of `sql` on the library's database, read directly.
std::vector<std::string> column(const fs::path& db_path, const std::string& sql) {
    sqlite3* db = nullptr;
    std::vector<std::string> out;
    if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
            while (sqlite3_step(stmt) == SQLITE_ROW) {
                const auto* text = sqlite3_column_text(stmt, 0);
                out.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
            }
        }
        sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return out;
}

class AccountsWebTest : public ::testing::Test {
  protected:
    void start(const std::string& extra_conf = "") {
        server_ = std::make_unique<ServedLibrary>(data_.path(),
                                                  "http.access_log = 1\nhttp.rate_per_ip = 0\n" + extra_conf);
    }
    unsigned short port() const { return server_->port(); }
    HttpResponse post_form(const std::string& target, const std::string& body, const Headers& extra = {}) {
        Headers h{{"Content-Type", "application/x-www-form-urlencoded"}};
        h.insert(h.end(), extra.begin(), extra.end());
        return http_request(port(), "POST", target, body, h);
    }
    std::string log_in(const std::string& name, const std::string& password) {
        const auto r = post_form("/login", "name=" + url_encode(name) + "&password=" + url_encode(password));
        EXPECT_EQ(r.status, 303) << r.body;
        return session_of(r);
    }
    bool signed_in(const std::string& token) {
        return http_request(port(), "GET", "/account", {}, cookie(token)).status == 200;
    }
    void TearDown() override {
        if (!server_) return;
        server_->stop(10s);  // its access log is written out as it stops
        const std::string log = server_->log() + read_file(data_.path() / "serve.out");
        EXPECT_TRUE(contains(log, "POST /login")) << "the access log (stdout) holds the requests";
        for (const auto& secret : secrets_) EXPECT_FALSE(contains(log, secret)) << "the log holds a secret";
    }

    TempDir data_;
    std::unique_ptr<ServedLibrary> server_;
    std::vector<std::string> secrets_;  // every password and token used: none may be logged
};

TEST_F(AccountsWebTest, RegisterLoginLogoutCookiesCsrfTokensAndStoredHashes) {
    start();
    secrets_ = {"correct horse battery", "an0ther-secret-pass", "third password 3"};
    const auto form = http_request(port(), "GET", "/register");
    ASSERT_EQ(form.status, 200);
    EXPECT_TRUE(contains(form.body, "name=\"password2\""));

    const auto reg = post_form("/register",
                               "name=Alice&email=a%40example.org&password=correct+horse+battery"
                               "&password2=correct+horse+battery");
    ASSERT_EQ(reg.status, 303) << reg.body;
    const std::string cookie_line = set_cookie(reg);
    EXPECT_TRUE(contains(cookie_line, "HttpOnly")) << cookie_line;
    EXPECT_TRUE(contains(cookie_line, "SameSite=Lax")) << cookie_line;
    EXPECT_TRUE(contains(cookie_line, "Path=/")) << cookie_line;
    EXPECT_FALSE(contains(cookie_line, "Secure")) << "an http:// site's cookie: " << cookie_line;
    const std::string first = session_of(reg);
    secrets_.push_back(first);
    ASSERT_GE(first.size(), 40u);
    EXPECT_TRUE(signed_in(first));
    EXPECT_TRUE(contains(http_request(port(), "GET", "/", {}, cookie(first)).body, "Alice"));
    EXPECT_EQ(post_form("/register", "name=alice&password=whatever123&password2=whatever123").status, 409)
        << "names are unique without regard to case";

    // A new session id at every login; the old one ends.
    const std::string second = log_in("alice", "correct horse battery");
    secrets_.push_back(second);
    ASSERT_FALSE(second.empty());
    EXPECT_NE(second, first);
    EXPECT_TRUE(signed_in(second));
    EXPECT_EQ(post_form("/login", "name=alice&password=wrong-password").status, 401);
    EXPECT_EQ(post_form("/login", "name=nobody&password=wrong-password").status, 401);

    // CSRF: a cookie-authenticated state change needs the session's token.
    const std::string csrf = csrf_of(port(), second);
    secrets_.push_back(csrf);
    ASSERT_FALSE(csrf.empty());
    EXPECT_EQ(http_request(port(), "POST", "/account/tokens", "name=ci", form_with(second)).status, 403);
    EXPECT_EQ(http_request(port(), "POST", "/account/tokens", "name=ci&csrf=" + std::string(csrf.size(), 'x'),
                           form_with(second))
                  .status,
              403);
    const auto made =
        http_request(port(), "POST", "/account/tokens", "name=ci&csrf=" + csrf, form_with(second));
    ASSERT_EQ(made.status, 201) << made.body;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(made.body, m, std::regex("<code>(wk_[A-Za-z0-9_-]+)</code>")));
    const std::string api_token = m[1].str();
    secrets_.push_back(api_token);
    EXPECT_FALSE(contains(http_request(port(), "GET", "/account", {}, cookie(second)).body, api_token))
        << "a token is shown once";
    // The same header works for scripts' requests.
    Headers with_header = form_with(second);
    with_header.emplace_back("X-CSRF-Token", csrf);
    EXPECT_EQ(http_request(port(), "POST", "/account/tokens", "name=second", with_header).status, 201);

    // Bearer: no cookie, no CSRF token; uploads record their account.
    const Headers bearer{{"Authorization", "Bearer " + api_token},
                         {"Content-Type", "application/x-www-form-urlencoded"}};
    EXPECT_EQ(http_request(port(), "POST", "/account/tokens", "name=from-script", bearer).status, 201);
    const auto up =
        http_request(port(), "POST", "/api/documents?name=mine.txt", "由账户上传的文件 uploadedbyalice\n",
                     {{"Authorization", "Bearer " + api_token}});
    ASSERT_EQ(up.status, 201) << up.body;
    const auto bad_bearer =
        http_request(port(), "GET", "/api/documents", {}, {{"Authorization", "Bearer wk_nope"}});
    EXPECT_EQ(bad_bearer.status, 401);
    const std::string id = std::to_string(json_of(up).at("id").get<std::int64_t>());
    const fs::path db = data_.path() / "wenku.db";
    EXPECT_EQ(
        column(db, "SELECT u.name FROM document d JOIN user u ON u.id = d.uploader_id WHERE d.id = " + id),
        std::vector<std::string>{"Alice"});
    // Anonymous uploads keep working (accounts.anonymous_uploads = 1 by default).
    EXPECT_EQ(
        http_request(port(), "POST", "/api/documents?name=anon.txt", "匿名上传 anonymousupload\n").status,
        201);

    // Favorite: anonymous 401; an account is told it is not available yet (501), no longer 401.
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (json_of(http_request(port(), "GET", "/api/documents/" + id + "/status")).value("status", "") !=
               "ready" &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(100ms);
    }
    EXPECT_EQ(http_request(port(), "POST", "/d/" + id + "/favorite", "").status, 401);
    EXPECT_EQ(
        http_request(port(), "POST", "/d/" + id + "/favorite", "csrf=" + csrf, form_with(second)).status,
        501);
    EXPECT_EQ(http_request(port(), "POST", "/d/" + id + "/tip", "", bearer).status, 501);

    // A password change ends the other sessions, keeps this one.
    const std::string other = log_in("alice", "correct horse battery");
    secrets_.push_back(other);
    const auto changed = http_request(port(), "POST", "/account/password",
                                      "current=correct+horse+battery&password=an0ther-secret-pass"
                                      "&password2=an0ther-secret-pass&csrf=" +
                                          csrf_of(port(), second),
                                      form_with(second));
    ASSERT_EQ(changed.status, 200) << changed.body;
    EXPECT_TRUE(signed_in(second));
    EXPECT_FALSE(signed_in(other));
    EXPECT_EQ(post_form("/login", "name=alice&password=correct+horse+battery").status, 401);
    const std::string third = log_in("Alice", "an0ther-secret-pass");
    secrets_.push_back(third);

    // Log out: needs the token; afterwards the old cookie is anonymous.
    EXPECT_EQ(http_request(port(), "POST", "/logout", "", form_with(third)).status, 403);
    const auto out =
        http_request(port(), "POST", "/logout", "csrf=" + csrf_of(port(), third), form_with(third));
    EXPECT_EQ(out.status, 303);
    EXPECT_TRUE(contains(set_cookie(out), "Max-Age=0"));
    EXPECT_FALSE(signed_in(third));
    EXPECT_EQ(http_request(port(), "GET", "/account", {}, cookie(third)).header("location"), "/login");
    // An anonymous POST that exists without accounts (举报) keeps working, with a stale cookie too.
    EXPECT_EQ(
        http_request(port(), "POST", "/d/" + id + "/report", "reason=spam&detail=x", form_with(third)).status,
        201);

    // The database holds argon2id hashes and token hashes only.
    for (const auto& hash : column(db, "SELECT password_hash FROM user"))
        EXPECT_TRUE(hash.starts_with("$argon2id$"));
    std::string stored;
    for (const char* sql : {"SELECT token_hash FROM session", "SELECT token_hash FROM api_token",
                            "SELECT password_hash FROM user", "SELECT email FROM user"}) {
        for (const auto& v : column(db, sql)) stored += v + "\n";
    }
    for (const auto& secret : secrets_) {
        if (secret != csrf) {
            EXPECT_FALSE(contains(stored, secret)) << "stored in the clear";
        }
    }
    EXPECT_EQ(column(db, "SELECT COUNT(*) FROM api_token WHERE length(token_hash) = 64"),
              std::vector<std::string>{"3"});
}

TEST_F(AccountsWebTest, FailedLoginsAreLimitedPerAccountAndPerAddressAndBansEndSessions) {
    ASSERT_EQ(run_command({"sh", "-c",
                           "printf 'right-password-1\\n' | '" + std::string(WENKU_BINARY) + "' --data '" +
                               data_.path().string() + "' user add bob"})
                  .exit_code,
              0);
    start("accounts.login_window_seconds = 6\naccounts.login_failures_per_address = 15\n");
    secrets_ = {"right-password-1"};
    std::vector<int> statuses;
    std::string retry_after;
    for (int i = 0; i < 20; ++i) {
        const auto r = post_form("/login", "name=bob&password=wrong-" + std::to_string(i));
        statuses.push_back(r.status);
        if (r.status == 429) retry_after = r.header("retry-after");
    }
    EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 401), 10) << "accounts.login_failures_per_account";
    EXPECT_EQ(statuses.back(), 429);
    ASSERT_FALSE(retry_after.empty());
    EXPECT_GE(std::stoi(retry_after), 1);
    EXPECT_LE(std::stoi(retry_after), 6);
    EXPECT_EQ(post_form("/login", "name=bob&password=right-password-1").status, 429)
        << "even the right one, now";
    std::this_thread::sleep_for(std::chrono::seconds(std::stoi(retry_after)) + 1500ms);
    const std::string session = log_in("bob", "right-password-1");
    ASSERT_FALSE(session.empty());
    secrets_.push_back(session);
    EXPECT_TRUE(signed_in(session));

    // A ban on login makes the cookie anonymous at once; lifting it restores it.
    const auto ban = run_wenku(
        data_.path(), {"user", "ban", "bob", "--action", "login", "--until", "1h", "--reason", "spam"});
    ASSERT_EQ(ban.exit_code, 0) << ban.err;
    EXPECT_FALSE(signed_in(session));
    EXPECT_EQ(post_form("/login", "name=bob&password=right-password-1").status, 401);
    ASSERT_EQ(run_wenku(data_.path(), {"user", "unban", "bob", "--action", "login"}).exit_code, 0);
    EXPECT_TRUE(signed_in(session));

    // Many accounts from one address.
    std::this_thread::sleep_for(6500ms);
    int limited = 0;
    for (int i = 0; i < 17; ++i) {
        if (post_form("/login", "name=guess" + std::to_string(i) + "&password=x-password").status == 429)
            ++limited;
    }
    EXPECT_EQ(limited, 2) << "accounts.login_failures_per_address";
}

TEST_F(AccountsWebTest, ClosedRegistrationAndSecureCookieBehindHttps) {
    ASSERT_EQ(run_command({"sh", "-c",
                           "printf 'carol-password\\n' | '" + std::string(WENKU_BINARY) + "' --data '" +
                               data_.path().string() + "' user add carol --role uploader"})
                  .exit_code,
              0);
    start("accounts.registration = closed\nhttp.trusted_proxies = 127.0.0.1\n");
    secrets_ = {"carol-password"};
    EXPECT_EQ(http_request(port(), "GET", "/register").status, 403);
    EXPECT_EQ(post_form("/register", "name=dave&password=dave-password&password2=dave-password").status, 403);
    const auto plain = post_form("/login", "name=carol&password=carol-password");
    EXPECT_FALSE(contains(set_cookie(plain), "Secure"));
    const auto https =
        post_form("/login", "name=carol&password=carol-password", {{"X-Forwarded-Proto", "https"}});
    EXPECT_TRUE(contains(set_cookie(https), "; Secure")) << set_cookie(https);
    secrets_.push_back(session_of(plain));
    secrets_.push_back(session_of(https));
}

}  // namespace
