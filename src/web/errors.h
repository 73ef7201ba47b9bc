#pragma once
// Refusals about HTTP itself (a malformed parameter, a method a path does not take), and
// error_status: the one place where whatever a handler throws becomes an HTTP status and a stable
// code word. Handlers throw the kinds of core/errors.h and these, never a status number.
#include <stdexcept>
#include <string>
#include <utility>

namespace wenku::web {

/// A query parameter or form field is malformed or missing: 400 bad_request.
class BadRequestError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// The path exists, but not for this method: 405 method_not_allowed. `allow` lists the methods it
/// takes ("GET, HEAD"), for the Allow header.
class MethodNotAllowedError : public std::runtime_error {
  public:
    MethodNotAllowedError(const std::string& message, std::string allow)
        : std::runtime_error(message), allow_(std::move(allow)) {}
    const std::string& allow() const { return allow_; }

  private:
    std::string allow_;
};

/// The client has used up a budget (searches per hour): 429 too_many_requests, with Retry-After.
class TooManyRequestsError : public std::runtime_error {
  public:
    TooManyRequestsError(const std::string& message, long long retry_after_seconds)
        : std::runtime_error(message), retry_after_seconds_(retry_after_seconds) {}
    long long retry_after_seconds() const { return retry_after_seconds_; }

  private:
    long long retry_after_seconds_;
};

struct ErrorStatus {
    int status;
    std::string code;
    /// When not empty, the response shows this translation (web/i18n) instead of the exception's
    /// text: for refusals the site words itself, and for failures of the server (5xx), whose
    /// texts name files and folders and go to the log only.
    std::string message_key = {};
};

/// The status and code word for an exception a handler threw:
///   NotFoundError 404 not_found · BadRequestError, UsageError 400 bad_request ·
///   LoginRequiredError 401 login_required · WrongCredentialsError 401 wrong_credentials ·
///   PaymentRequiredError 402 payment_required · NotAvailableError 501 not_available ·
///   TooManyAttemptsError 429 too_many_attempts ·
///   ForbiddenError 403 (its code) · MethodNotAllowedError 405 method_not_allowed ·
///   TooManyRequestsError 429 too_many_requests ·
///   InputError by its code: duplicate and name_taken 409, too_large 413, unsupported 415, empty 400, others
///   422 · StorageRefusal by its code: quota_exceeded 429, insufficient_storage and library_full 507 · a full
///   disk (StorageFullError, ENOSPC, EDQUOT) 507 insufficient_storage · EnvironmentError 503 unavailable ·
///   anything else 500 internal.
/// The last three show a fixed message (message_key), never the exception's text.
ErrorStatus error_status(const std::exception& e);

}  // namespace wenku::web
