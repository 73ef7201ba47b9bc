#pragma once
// One error story: every failure a user can act on is an exception carrying a message that says
// what went wrong and with what. The web layer maps the kinds to HTTP status in one place.
#include <cerrno>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

namespace wenku {

/// Something in the environment failed (disk, database, a worker process): not the caller's fault.
class EnvironmentError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// The disk (or the database on it) is full: ENOSPC, EDQUOT or SQLITE_FULL. Not the document's
/// fault: work interrupted by it is retried when space returns. The message may name a path: it is
/// for the log, never for a response.
class StorageFullError : public EnvironmentError {
  public:
    using EnvironmentError::EnvironmentError;
};

/// Whether a system error says the disk is full (ENOSPC) or a disk quota is used up (EDQUOT).
inline bool is_out_of_space(const std::error_code& ec) {
    return ec == std::errc::no_space_on_device || ec == std::error_condition(EDQUOT, std::generic_category());
}

/// Whether `e` says the disk or the database is full: StorageFullError, or a system or
/// file-system error with ENOSPC or EDQUOT.
inline bool is_out_of_space(const std::exception& e) {
    if (dynamic_cast<const StorageFullError*>(&e)) return true;
    if (auto* s = dynamic_cast<const std::system_error*>(&e)) return is_out_of_space(s->code());
    return false;
}

/// An upload refused for lack of room before anything is stored: `code` is
/// "insufficient_storage" (the disk is below storage.min_free_mb), "library_full"
/// (storage.max_library_mb) or "quota_exceeded" (an address's daily quota). The message names
/// no path; `retry_after_seconds` says when trying again makes sense (0 = unknown).
class StorageRefusal : public std::runtime_error {
  public:
    StorageRefusal(std::string code, const std::string& message, long long retry_after_seconds = 0)
        : std::runtime_error(message), code_(std::move(code)), retry_after_seconds_(retry_after_seconds) {}
    const std::string& code() const { return code_; }
    long long retry_after_seconds() const { return retry_after_seconds_; }

  private:
    std::string code_;
    long long retry_after_seconds_;
};

/// The input was refused: corrupt, encrypted, too large, unsupported, a duplicate.
/// `code` is a stable machine-readable word (see DocumentError codes in core/conversion.h).
class InputError : public std::runtime_error {
  public:
    InputError(std::string code, const std::string& message)
        : std::runtime_error(message), code_(std::move(code)) {}
    const std::string& code() const { return code_; }

  private:
    std::string code_;
};

/// The exact bytes are in the library already, as document `existing_id`.
class DuplicateError : public InputError {
  public:
    explicit DuplicateError(std::int64_t existing_id)
        : InputError("duplicate", "already in the library as №" + std::to_string(existing_id)),
          existing_id_(existing_id) {}
    std::int64_t existing_id() const { return existing_id_; }

  private:
    std::int64_t existing_id_;
};

/// The text is nearly the same as document `original_id`'s, and ingest.near_duplicate = refuse.
class NearDuplicateError : public InputError {
  public:
    NearDuplicateError(std::int64_t original_id, const std::string& original_title, int percent_same)
        : InputError("duplicate", std::to_string(percent_same) + "% the same as №" +
                                      std::to_string(original_id) + " «" + original_title +
                                      "»; refused (ingest.near_duplicate = refuse)") {}
};

/// A named thing (document number, category, page) does not exist.
class NotFoundError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// The caller asked for something invalid (bad option value, bad setting): a usage error.
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// The reader must sign in first (accounts: favourites, tips, paid downloads).
class LoginRequiredError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// A login with a name or password that does not match (the message never says which).
class WrongCredentialsError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// Too many failed logins for an account or from an address within the window: try again after
/// `retry_after_seconds`.
class TooManyAttemptsError : public std::runtime_error {
  public:
    TooManyAttemptsError(const std::string& message, long long retry_after_seconds)
        : std::runtime_error(message), retry_after_seconds_(retry_after_seconds) {}
    long long retry_after_seconds() const { return retry_after_seconds_; }

  private:
    long long retry_after_seconds_;
};

/// A feature that exists in the site's pages but is not available yet (收藏, 赏).
class NotAvailableError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// The reader has not paid for this (a download with a price).
class PaymentRequiredError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// The reader may not have this, whoever they are. `code` is a stable word saying why:
/// "beyond_free_pages" (a page past the free preview), "uploads_closed" (site.uploads = 0),
/// "csrf" (a state change without the session's CSRF token), "registration_closed", "banned".
class ForbiddenError : public std::runtime_error {
  public:
    ForbiddenError(std::string code, const std::string& message)
        : std::runtime_error(message), code_(std::move(code)) {}
    const std::string& code() const { return code_; }

  private:
    std::string code_;
};

}  // namespace wenku
