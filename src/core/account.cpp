#include "core/account.h"

#include "core/word_table.h"

namespace wenku {

namespace {

constexpr WordTable<Role, 4> role_words{{{Role::reader, "reader"},
                                         {Role::uploader, "uploader"},
                                         {Role::moderator, "moderator"},
                                         {Role::admin, "admin"}}};
constexpr WordTable<BanAction, 4> action_words{{{BanAction::login, "login"},
                                                {BanAction::upload, "upload"},
                                                {BanAction::comment, "comment"},
                                                {BanAction::download, "download"}}};

}  // namespace

const char* to_string(Role role) { return word_of(role_words, role); }

std::optional<Role> role_from_string(std::string_view word) { return value_of(role_words, word); }

const char* to_string(BanAction action) { return word_of(action_words, action); }

std::optional<BanAction> ban_action_from_string(std::string_view word) {
    return value_of(action_words, word);
}

std::optional<Ban> Principal::ban(BanAction action, std::int64_t now) const {
    for (const Ban& b : bans)
        if (b.action == action && b.until > now) return b;
    return std::nullopt;
}

}  // namespace wenku
