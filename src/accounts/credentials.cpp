#include "accounts/credentials.h"

#include <sodium.h>

#include <openssl/evp.h>

#include "core/errors.h"

namespace wenku::accounts {

namespace {

/// libsodium, initialised once (thread-safe; sodium_init may be called again and again).
void need_sodium() {
    static const int ready = sodium_init();
    if (ready < 0) throw EnvironmentError("cannot initialise libsodium");
}

}  // namespace

std::string hash_password(std::string_view password) {
    need_sodium();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
        throw EnvironmentError("cannot hash a password: out of memory");
    }
    return out;
}

bool verify_password(const std::string& hash, std::string_view password) {
    need_sodium();
    if (!hash.starts_with("$argon2id$")) return false;
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

void verify_against_dummy(std::string_view password) {
    // Made once with the same parameters, from a random password nobody knows.
    static const std::string dummy = hash_password(random_token());
    verify_password(dummy, password);
}

std::string random_token(std::size_t bytes) {
    need_sodium();
    std::string raw(bytes, '\0');
    randombytes_buf(raw.data(), raw.size());
    std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(out.find('\0'));
    sodium_memzero(raw.data(), raw.size());
    return out;
}

std::string token_hash(std::string_view token) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(token.data(), token.size(), digest, &size, EVP_sha256(), nullptr) != 1)
        throw EnvironmentError("cannot hash a token (OpenSSL failed)");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}

}  // namespace wenku::accounts
