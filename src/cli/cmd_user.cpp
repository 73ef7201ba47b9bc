// wenku user add / ls / passwd / role / ban / unban : accounts from the command line. Passwords
// are read from the terminal without echo, or as one line of standard input when it is not a
// terminal; never from the command line, where other users could see them.
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "accounts/accounts.h"
#include "cli/commands.h"
#include "cli/terminal.h"
#include "core/errors.h"

namespace wenku::cli {

namespace {

std::string read_password(const std::string& prompt);
/// The password for a new account or a reset: asked twice on a terminal, once from a pipe.
std::string new_password();
User require_user(Library& library, const std::string& name);
Role parse_role(const std::string& word);
BanAction parse_action(const std::string& word);
/// Seconds in "90s", "30m", "12h", "7d", "2w"; UsageError for anything else.
std::int64_t parse_duration(const std::string& text);

}  // namespace

void add_user_command(CLI::App& app, Context& ctx) {
    auto* user =
        app.add_subcommand("user", "Accounts: add, list, reset passwords, set roles, ban (see README)");
    user->require_subcommand(1);

    struct AddOptions {
        std::string name, email, role = "reader";
    };
    auto add = std::make_shared<AddOptions>();
    auto* add_cmd = user->add_subcommand(
        "add",
        "Add an account; its password is read from the terminal (without echo) or from standard input");
    add_cmd->add_option("name", add->name, "The account's name (unique without regard to case)")->required();
    add_cmd->add_option("--role", add->role, "reader, uploader, moderator or admin")->capture_default_str();
    add_cmd->add_option("--email", add->email, "Its e-mail address (optional)");
    add_cmd->callback([&ctx, add] {
        Library& library = ctx.library();
        const Role role = parse_role(add->role);
        accounts::AccountService service(library.repository(), library.config().accounts);
        accounts::check_account_name(add->name);
        const std::int64_t id = service.add_user(add->name, add->email, new_password(), role);
        std::printf("account #%lld %s (%s) added\n", static_cast<long long>(id),
                    terminal_safe(add->name).c_str(), to_string(role));
    });

    auto* ls = user->add_subcommand("ls", "List accounts: id, name, role, e-mail, bans in force");
    ls->callback([&ctx] {
        Repository& repo = ctx.library().repository();
        const std::int64_t now = accounts::now_seconds();
        for (const User& u : repo.users()) {
            std::string bans;
            for (const Ban& b : repo.bans(u.id, now))
                bans += std::string(bans.empty() ? "" : ", ") + "banned from " + to_string(b.action) +
                        " until " + format_time(b.until);
            std::printf("#%lld\t%s\t%s\t%s\t%s\n", static_cast<long long>(u.id),
                        terminal_safe(u.name).c_str(), to_string(u.role), terminal_safe(u.email).c_str(),
                        terminal_safe(bans).c_str());
        }
    });

    auto passwd_name = std::make_shared<std::string>();
    auto* passwd = user->add_subcommand(
        "passwd", "Set an account's password (read like add's) and end all its sessions");
    passwd->add_option("name", *passwd_name, "The account")->required();
    passwd->callback([&ctx, passwd_name] {
        Library& library = ctx.library();
        const User u = require_user(library, *passwd_name);
        accounts::AccountService(library.repository(), library.config().accounts)
            .reset_password(u.id, new_password());
        std::printf("password of %s changed; its sessions ended\n", terminal_safe(u.name).c_str());
    });

    auto role_args = std::make_shared<std::pair<std::string, std::string>>();
    auto* role = user->add_subcommand("role", "Set an account's role: reader, uploader, moderator or admin");
    role->add_option("name", role_args->first, "The account")->required();
    role->add_option("role", role_args->second, "The new role")->required();
    role->callback([&ctx, role_args] {
        Library& library = ctx.library();
        const Role r = parse_role(role_args->second);
        const User u = require_user(library, role_args->first);
        library.repository().set_role(u.id, r);
        std::printf("%s is now %s\n", terminal_safe(u.name).c_str(), to_string(r));
    });

    struct BanOptions {
        std::string name, action, until, reason;
    };
    auto ban = std::make_shared<BanOptions>();
    auto* ban_cmd = user->add_subcommand(
        "ban", "Forbid an account one action for a time; a login ban ends its sessions at once");
    ban_cmd->add_option("name", ban->name, "The account")->required();
    ban_cmd->add_option("--action", ban->action, "login, upload, comment or download")->required();
    ban_cmd->add_option("--until", ban->until, "For how long: 90s, 30m, 12h, 7d, 2w")->required();
    ban_cmd->add_option("--reason", ban->reason, "Why (shown to the account)")->required();
    ban_cmd->callback([&ctx, ban] {
        Library& library = ctx.library();
        const BanAction action = parse_action(ban->action);
        const std::int64_t until = accounts::now_seconds() + parse_duration(ban->until);
        const User u = require_user(library, ban->name);
        library.repository().set_ban(u.id, Ban{action, until, ban->reason});
        std::printf("%s is banned from %s until %s\n", terminal_safe(u.name).c_str(), to_string(action),
                    format_time(until).c_str());
    });

    auto unban = std::make_shared<std::pair<std::string, std::string>>();
    auto* unban_cmd = user->add_subcommand("unban", "Lift an account's ban of one action");
    unban_cmd->add_option("name", unban->first, "The account")->required();
    unban_cmd->add_option("--action", unban->second, "login, upload, comment or download")->required();
    unban_cmd->callback([&ctx, unban] {
        Library& library = ctx.library();
        const BanAction action = parse_action(unban->second);
        const User u = require_user(library, unban->first);
        const bool lifted = library.repository().remove_ban(u.id, action);
        std::printf("%s: %s\n", terminal_safe(u.name).c_str(),
                    lifted ? "ban lifted" : "was not banned from that");
    });
}

namespace {

std::string read_password(const std::string& prompt) {
    std::string line;
    if (isatty(STDIN_FILENO)) {
        std::fprintf(stderr, "%s", prompt.c_str());
        termios old{};
        tcgetattr(STDIN_FILENO, &old);
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        std::getline(std::cin, line);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        std::fprintf(stderr, "\n");
    } else if (!std::getline(std::cin, line)) {
        throw UsageError("no password on standard input (give it as one line)");
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

std::string new_password() {
    const std::string password = read_password("Password: ");
    if (isatty(STDIN_FILENO) && read_password("Password again: ") != password)
        throw UsageError("the two passwords differ");
    return password;
}

User require_user(Library& library, const std::string& name) {
    auto u = library.repository().find_user_by_name(name);
    if (!u) throw NotFoundError("no account named " + name);
    return *u;
}

Role parse_role(const std::string& word) {
    if (auto r = role_from_string(word)) return *r;
    throw UsageError("a role is reader, uploader, moderator or admin, not '" + word + "'");
}

BanAction parse_action(const std::string& word) {
    if (auto a = ban_action_from_string(word)) return *a;
    throw UsageError("a ban's action is login, upload, comment or download, not '" + word + "'");
}

std::int64_t parse_duration(const std::string& text) {
    std::int64_t n = 0;
    std::size_t i = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && n < 1'000'000'000)
        n = n * 10 + (text[i++] - '0');
    const std::string unit = text.substr(i);
    const std::int64_t scale = unit == "s"   ? 1
                               : unit == "m" ? 60
                               : unit == "h" ? 3600
                               : unit == "d" ? 86400
                               : unit == "w" ? 7 * 86400
                                             : 0;
    if (i == 0 || scale == 0 || n == 0 || n >= 1'000'000'000)
        throw UsageError("a duration is a number and s, m, h, d or w (30m, 7d), not '" + text + "'");
    return n * scale;
}

}  // namespace

}  // namespace wenku::cli
