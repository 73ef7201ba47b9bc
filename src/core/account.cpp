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

// The word of `value` in `words`, the first entry's when it has none.
template <typename T, std::size_t N>
const char* word_of(const std::array<std::pair<T, const char*>, N>& words, T value) {
    for (const auto& [v, word] : words)
        if (v == value) return word;
    return words.front().second;
}

// The value of `word` in `words`, or none.
template <typename T, std::size_t N>
std::optional<T> value_of(const std::array<std::pair<T, const char*>, N>& words, std::string_view word) {
    for (const auto& [v, w] : words)
        if (word == w) return v;
    return std::nullopt;
}

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
