#include "core/account.h"

#include <array>
#include <utility>

namespace wenku {

namespace {

constexpr std::array<std::pair<Role, const char*>, 4> role_words{{{Role::reader, "reader"},
                                                                  {Role::uploader, "uploader"},
                                                                  {Role::moderator, "moderator"},
                                                                  {Role::admin, "admin"}}};
constexpr std::array<std::pair<BanAction, const char*>, 4> action_words{{{BanAction::login, "login"},
                                                                         {BanAction::upload, "upload"},
                                                                         {BanAction::comment, "comment"},
                                                                         {BanAction::download, "download"}}};

}  // namespace

const char* to_string(Role role) {
    for (const auto& [r, word] : role_words)
        if (r == role) return word;
    return "reader";
}

std::optional<Role> role_from_string(std::string_view word) {
    for (const auto& [r, w] : role_words)
        if (word == w) return r;
    return std::nullopt;
}

const char* to_string(BanAction action) {
    for (const auto& [a, word] : action_words)
        if (a == action) return word;
    return "login";
}

std::optional<BanAction> ban_action_from_string(std::string_view word) {
    for (const auto& [a, w] : action_words)
        if (word == w) return a;
    return std::nullopt;
}

std::optional<Ban> Principal::ban(BanAction action, std::int64_t now) const {
    for (const Ban& b : bans)
        if (b.action == action && b.until > now) return b;
    return std::nullopt;
}

}  // namespace wenku
