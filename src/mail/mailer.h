#pragma once
// Outgoing e-mail: one plain-text UTF-8 message at a time, handed to the SMTP server of the mail.*
// settings by libcurl (smtp:// with STARTTLS, or smtps://). Password-reset mails go this way.
#include <string>

#include "core/config.h"
#include "core/errors.h"

namespace wenku {

/// One message to one recipient. The subject and the body are UTF-8; body lines may end in "\n" or
/// "\r\n" (they are sent as "\r\n").
struct MailMessage {
    std::string to;  // an address only: name@example.org
    std::string subject;
    std::string body;
};

/// The SMTP server could not be reached or did not take the message. The message names the server
/// (mail.smtp_url) and what happened, with the server's reply when there was one; never a password.
class MailError : public EnvironmentError {
  public:
    enum class Kind {
        connection,  // no connection: refused, unreachable, unknown host
        timeout,     // no answer within mail.timeout_seconds
        tls,         // TLS could not be set up, or mail.starttls = required and the server offers none
        login,       // the server refused mail.username and mail.password
        refused,     // the server refused the sender, the recipient or the message
        other,
    };
    MailError(Kind kind, const std::string& message) : EnvironmentError(message), kind_(kind) {}
    Kind kind() const { return kind_; }

  private:
    Kind kind_;
};

/// Sends mail with the mail.* settings. Thread-safe: every send is a connection of its own.
class Mailer {
  public:
    /// Throws UsageError when mail is on and mail.from is not an address.
    explicit Mailer(MailConfig config);

    /// Whether mail is on (mail.smtp_url is set).
    bool enabled() const { return !config_.smtp_url.empty(); }

    /// Sends `message` and returns once the server has accepted it. Throws UsageError, before any
    /// connection is made, when mail is off or the message cannot be sent as given: a recipient that
    /// is not a plain address or holds a line break (CR or LF, which could forge headers), a subject
    /// with a line break or another control character, a subject or body that is not UTF-8. Throws
    /// MailError when the server cannot be reached in time or refuses the login, the sender, the
    /// recipient or the message.
    void send(const MailMessage& message) const;

  private:
    MailConfig config_;
    std::string from_address_;  // of mail.from: the envelope sender
    std::string from_header_;   // the From: header's value
};

}  // namespace wenku
