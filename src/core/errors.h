#pragma once
// One error story: every failure a user can act on is an exception carrying a message that says
// what went wrong and with what. The web layer maps the kinds to HTTP status in one place.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

namespace wenku {

/// Something in the environment failed (disk, database, a worker process): not the caller's fault.
class EnvironmentError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
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

/// The reader has not paid for this (a download with a price).
class PaymentRequiredError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// The reader may not have this, whoever they are. `code` is a stable word saying why:
/// "beyond_free_pages" (a page past the free preview), "uploads_closed" (site.uploads = 0).
class ForbiddenError : public std::runtime_error {
  public:
    ForbiddenError(std::string code, const std::string& message)
        : std::runtime_error(message), code_(std::move(code)) {}
    const std::string& code() const { return code_; }

  private:
    std::string code_;
};

}  // namespace wenku
