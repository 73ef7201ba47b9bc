#pragma once
// Secrets of accounts: argon2id password hashes and random tokens (libsodium), and the SHA-256 of
// tokens (OpenSSL) that the store keeps instead of the tokens themselves.
#include <cstddef>
#include <string>
#include <string_view>

namespace wenku::accounts {

/// libsodium's argon2id string for `password` ("$argon2id$v=19$m=...", salt included), at
/// libsodium's interactive cost. Throws EnvironmentError when libsodium fails (out of memory).
std::string hash_password(std::string_view password);

/// Whether `password` matches `hash` (a string made by hash_password); false for a malformed hash.
bool verify_password(const std::string& hash, std::string_view password);

/// Verifies `password` against a hash no password matches, costing what verify_password costs: a
/// login of an unknown name takes as long as a wrong password.
void verify_against_dummy(std::string_view password);

/// `bytes` random bytes (libsodium's randombytes_buf) as URL-safe base64 without padding.
std::string random_token(std::size_t bytes = 32);

/// Hex SHA-256 of a token: what the store keeps of session cookies and API tokens. Throws
/// EnvironmentError when OpenSSL fails.
std::string token_hash(std::string_view token);

}  // namespace wenku::accounts
