#pragma once
// Enumerations stored and shown as words: one table of (value, word) pairs per enumeration, read
// both ways by these two helpers.
#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace wenku {

template <typename T, std::size_t N>
using WordTable = std::array<std::pair<T, const char*>, N>;

/// The word of `value` in `words`, the first entry's when it has none.
template <typename T, std::size_t N>
const char* word_of(const WordTable<T, N>& words, T value) {
    for (const auto& [v, word] : words)
        if (v == value) return word;
    return words.front().second;
}

/// The value of `word` in `words`, or none.
template <typename T, std::size_t N>
std::optional<T> value_of(const WordTable<T, N>& words, std::string_view word) {
    for (const auto& [v, w] : words)
        if (word == w) return v;
    return std::nullopt;
}

}  // namespace wenku
