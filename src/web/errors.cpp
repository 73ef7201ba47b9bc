#include "web/errors.h"

#include "core/conversion.h"
#include "core/errors.h"

namespace wenku::web {

ErrorStatus error_status(const std::exception& e) {
    if (dynamic_cast<const NotFoundError*>(&e)) return {404, "not_found"};
    if (dynamic_cast<const BadRequestError*>(&e)) return {400, "bad_request"};
    if (dynamic_cast<const UsageError*>(&e)) return {400, "bad_request"};
    if (dynamic_cast<const LoginRequiredError*>(&e)) return {401, "login_required"};
    if (dynamic_cast<const WrongCredentialsError*>(&e)) return {401, "wrong_credentials"};
    if (dynamic_cast<const PaymentRequiredError*>(&e)) return {402, "payment_required"};
    if (auto* f = dynamic_cast<const ForbiddenError*>(&e)) return {403, f->code()};
    if (dynamic_cast<const MethodNotAllowedError*>(&e)) return {405, "method_not_allowed"};
    if (dynamic_cast<const TooManyRequestsError*>(&e)) return {429, "too_many_requests"};
    if (dynamic_cast<const TooManyAttemptsError*>(&e)) return {429, "too_many_attempts"};
    if (dynamic_cast<const NotAvailableError*>(&e)) return {501, "not_available"};
    if (auto* i = dynamic_cast<const InputError*>(&e)) {
        const std::string& code = i->code();
        if (code == error_code::duplicate || code == "name_taken") return {409, code};
        if (code == error_code::too_large) return {413, code};
        if (code == error_code::unsupported) return {415, code};
        if (code == error_code::empty) return {400, code};
        return {422, code};
    }
    if (auto* r = dynamic_cast<const StorageRefusal*>(&e)) {
        return {r->code() == "quota_exceeded" ? 429 : 507, r->code(), r->code()};
    }
    if (is_out_of_space(e)) return {507, "insufficient_storage", "insufficient_storage"};
    if (dynamic_cast<const EnvironmentError*>(&e)) return {503, "unavailable", "error_message_503"};
    return {500, "internal", "error_message_500"};
}

}  // namespace wenku::web
