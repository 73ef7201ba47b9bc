#include "mail/mailer.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <ctime>
#include <memory>
#include <random>
#include <string_view>
#include <utility>

#include <curl/curl.h>
#include <fmt/format.h>

#include "core/utf8.h"

namespace wenku {

namespace {

/// The parts of a mail.from value: "noreply@example.org" or "Name <noreply@example.org>".
struct Sender {
    std::string address;
    std::string header;  // the From: header's value
};
Sender parse_sender(const std::string& from);
/// `address` when it is a plain address (local@domain, printable ASCII without spaces and without
/// the characters that would make it more than one); else UsageError naming `what`.
std::string plain_address(std::string_view address, std::string_view what);
/// The message as it goes over the wire: RFC 5322 headers and the body in base64, ASCII only,
/// every line ending in CRLF. Throws UsageError for a subject or body it cannot send as given.
std::string compose(const Sender& sender, const std::string& to, const MailMessage& message);

/// What one transfer with libcurl left behind for the error message.
struct Transfer {
    CURLcode result = CURLE_OK;
    long reply_code = 0;     // the last SMTP reply's code
    std::string reply;       // the last line the server sent
    std::string curl_error;  // libcurl's own description
};
Transfer transfer(const MailConfig& config, const std::string& sender, const std::string& to,
                  const std::string& wire);
MailError failure(const MailConfig& config, const std::string& to, const Transfer& t);

}  // namespace

Mailer::Mailer(MailConfig config) : config_(std::move(config)) {
    if (!enabled()) return;
    Sender sender = parse_sender(config_.from);
    from_address_ = std::move(sender.address);
    from_header_ = std::move(sender.header);
}

void Mailer::send(const MailMessage& message) const {
    if (!enabled()) throw UsageError("mail is off: set mail.smtp_url (see wenku config --defaults)");
    const std::string to = plain_address(message.to, "the recipient address");
    const std::string wire = compose({from_address_, from_header_}, to, message);
    const Transfer t = transfer(config_, from_address_, to, wire);
    if (t.result != CURLE_OK) throw failure(config_, to, t);
}

namespace {

std::string base64(std::string_view bytes);
std::string encoded_words(std::string_view utf8);
std::string checked_text(std::string_view utf8, std::string_view what, bool line_breaks_allowed);
std::string mail_date(std::time_t t);
std::string message_id(const std::string& sender_address);

Sender parse_sender(const std::string& from) {
    const auto open = from.rfind('<');
    if (open == std::string::npos || !from.ends_with('>')) {
        std::string address = plain_address(from, "setting mail.from");
        return {address, address};
    }
    std::string address = plain_address(from.substr(open + 1, from.size() - open - 2), "setting mail.from");
    std::string name = checked_text(from.substr(0, open), "the name in setting mail.from", false);
    name.erase(name.find_last_not_of(' ') + 1);
    name.erase(0, name.find_first_not_of(' '));
    if (name.empty()) return {address, address};
    const bool plain_name = std::all_of(name.begin(), name.end(), [](unsigned char c) {
        return std::isalnum(c) || c == ' ' || c == '.' || c == '-' || c == '_';
    });
    return {address, (plain_name ? name : encoded_words(name)) + " <" + address + ">"};
}

std::string plain_address(std::string_view address, std::string_view what) {
    if (address.find_first_of("\r\n") != std::string_view::npos) {
        throw UsageError(fmt::format(
            "{} contains a line break (CR or LF), which could forge mail headers: refused", what));
    }
    for (unsigned char c : address) {
        if (c < 0x20 || c >= 0x7f)
            throw UsageError(fmt::format("{} contains a control or non-ASCII character", what));
    }
    const auto at = address.rfind('@');
    const bool shaped = at != std::string_view::npos && at > 0 && at + 1 < address.size() &&
                        address.find_first_of(" <>()[],;:\\\"") == std::string_view::npos;
    if (!shaped) {
        throw UsageError(
            fmt::format("{} '{}' is not an e-mail address like name@example.org", what, address));
    }
    return std::string(address);
}

std::string compose(const Sender& sender, const std::string& to, const MailMessage& message) {
    const std::string subject = checked_text(message.subject, "the subject", false);
    const std::string body = checked_text(message.body, "the body", true);
    // A subject of plain ASCII that fits on its line goes as it is; anything else as RFC 2047 words.
    const bool plain_subject =
        subject.size() <= 60 && subject.find("=?") == std::string::npos &&
        std::all_of(subject.begin(), subject.end(), [](unsigned char c) { return c >= 0x20 && c < 0x7f; });
    std::string out;
    out += "From: " + sender.header + "\r\n";
    out += "To: " + to + "\r\n";
    out += "Subject: " + (plain_subject ? subject : encoded_words(subject)) + "\r\n";
    out += "Date: " + mail_date(std::time(nullptr)) + "\r\n";
    out += "Message-ID: " + message_id(sender.address) + "\r\n";
    out += "Auto-Submitted: auto-generated\r\n";
    out += "MIME-Version: 1.0\r\n";
    out += "Content-Type: text/plain; charset=UTF-8\r\n";
    out += "Content-Transfer-Encoding: base64\r\n";
    out += "\r\n";
    // text/plain travels with CRLF line ends (RFC 2046), so "\n" and a lone "\r" become "\r\n".
    std::string crlf;
    for (std::size_t i = 0; i < body.size(); ++i) {
        if (body[i] == '\r' || body[i] == '\n') {
            crlf += "\r\n";
            if (body[i] == '\r' && i + 1 < body.size() && body[i + 1] == '\n') ++i;
        } else {
            crlf += body[i];
        }
    }
    const std::string encoded = base64(crlf);
    for (std::size_t i = 0; i < encoded.size(); i += 76) out += encoded.substr(i, 76) + "\r\n";
    return out;
}

/// `utf8` when it is UTF-8 without control characters (but for line breaks and tabs when
/// `line_breaks_allowed`); else UsageError naming `what`.
std::string checked_text(std::string_view utf8, std::string_view what, bool line_breaks_allowed) {
    for (std::size_t i = 0; i < utf8.size();) {
        const Utf8Char c = next_utf8(utf8, i);
        if (!c.valid) throw UsageError(fmt::format("{} is not valid UTF-8", what));
        const bool line_break = c.cp == '\r' || c.cp == '\n';
        if (line_break && !line_breaks_allowed) {
            throw UsageError(fmt::format(
                "{} contains a line break (CR or LF), which could forge mail headers: refused", what));
        }
        if ((c.cp < 0x20 || c.cp == 0x7f) && !(line_breaks_allowed && (line_break || c.cp == '\t'))) {
            throw UsageError(fmt::format("{} contains a control character", what));
        }
        i += c.length;
    }
    return std::string(utf8);
}

/// RFC 2047 encoded words ("=?UTF-8?B?…?="), each of whole characters and short enough that a header
/// line stays under 78 characters, joined by folding white space.
std::string encoded_words(std::string_view utf8) {
    constexpr std::size_t max_bytes = 39;  // 52 base64 characters, 64 with the markers
    std::string out;
    for (std::size_t begin = 0; begin < utf8.size();) {
        std::size_t end = begin;
        while (end < utf8.size()) {
            const std::size_t length = next_utf8(utf8, end).length;
            if (end + length - begin > max_bytes) break;
            end += length;
        }
        if (!out.empty()) out += "\r\n ";
        out += "=?UTF-8?B?" + base64(utf8.substr(begin, end - begin)) + "?=";
        begin = end;
    }
    return out;
}

std::string base64(std::string_view bytes) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
        std::uint32_t group = 0;
        for (std::size_t k = 0; k < 3; ++k) {
            group = (group << 8) | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
        }
        for (std::size_t k = 0; k < 4; ++k) out += k <= n ? alphabet[(group >> (18 - 6 * k)) & 63] : '=';
    }
    return out;
}

/// RFC 5322's date-time in UTC ("Mon, 02 Mar 2026 09:05:00 +0000"), whatever the locale.
std::string mail_date(std::time_t t) {
    static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} +0000", days[tm.tm_wday], tm.tm_mday,
                       months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/// "<128 random bits in hex@the sender's domain>".
std::string message_id(const std::string& sender_address) {
    thread_local std::mt19937_64 random{std::random_device{}()};
    return fmt::format("<{:016x}{:016x}@{}>", random(), random(),
                       sender_address.substr(sender_address.rfind('@') + 1));
}

/// libcurl's read callback: hands out the rest of a std::string_view.
std::size_t read_wire(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto* rest = static_cast<std::string_view*>(user);
    const std::size_t n = std::min(size * count, rest->size());
    std::memcpy(buffer, rest->data(), n);
    rest->remove_prefix(n);
    return n;
}

/// libcurl's debug callback: keeps the last line the server sent, printable ASCII only, unless that
/// would replace a refusal (4xx, 5xx) by what came after it (the answer to QUIT). Lines the client
/// sends (AUTH carries the password) are never looked at.
int remember_reply(CURL*, curl_infotype type, char* data, std::size_t size, void* user) {
    if (type != CURLINFO_HEADER_IN || size == 0) return 0;
    auto* reply = static_cast<std::string*>(user);
    const auto refusal = [](char code) { return code == '4' || code == '5'; };
    if (!reply->empty() && refusal(reply->front()) && !refusal(data[0])) return 0;
    reply->clear();
    for (std::size_t i = 0; i < size && reply->size() < 300; ++i) {
        if (data[i] >= 0x20 && data[i] < 0x7f) *reply += data[i];
    }
    return 0;
}

Transfer transfer(const MailConfig& config, const std::string& sender, const std::string& to,
                  const std::string& wire) {
    static const CURLcode global_init = curl_global_init(CURL_GLOBAL_DEFAULT);
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(
        global_init == CURLE_OK ? curl_easy_init() : nullptr, &curl_easy_cleanup);
    if (!curl) throw EnvironmentError("libcurl could not be initialised to send mail");
    const std::string envelope_from = "<" + sender + ">";
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> recipients(
        curl_slist_append(nullptr, ("<" + to + ">").c_str()), &curl_slist_free_all);
    std::string_view rest = wire;
    Transfer t;
    char error_buffer[CURL_ERROR_SIZE] = {};
    CURL* h = curl.get();
    curl_easy_setopt(h, CURLOPT_URL, config.smtp_url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, envelope_from.c_str());
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get());
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, &read_wire);
    curl_easy_setopt(h, CURLOPT_READDATA, &rest);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(wire.size()));
    if (!config.username.empty()) {
        curl_easy_setopt(h, CURLOPT_USERNAME, config.username.c_str());
        curl_easy_setopt(h, CURLOPT_PASSWORD, config.password.c_str());
    }
    const long use_ssl = config.starttls == StartTls::required  ? CURLUSESSL_ALL
                         : config.starttls == StartTls::attempt ? CURLUSESSL_TRY
                                                                : CURLUSESSL_NONE;
    curl_easy_setopt(h, CURLOPT_USE_SSL, use_ssl);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, static_cast<long>(config.timeout.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT, static_cast<long>(config.timeout.count()));
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, &remember_reply);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, &t.reply);
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);  // only so that remember_reply sees the replies
    t.result = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &t.reply_code);
    t.curl_error = error_buffer[0] ? error_buffer : curl_easy_strerror(t.result);
    return t;
}

MailError failure(const MailConfig& config, const std::string& to, const Transfer& t) {
    using Kind = MailError::Kind;
    const std::string& server = config.smtp_url;
    const std::string reply = t.reply.empty() ? t.curl_error : "it answered '" + t.reply + "'";
    Kind kind = Kind::other;
    std::string message;
    switch (t.result) {
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_CONNECT:
            kind = Kind::connection;
            message =
                fmt::format("cannot connect to the mail server {} (mail.smtp_url): {}", server, t.curl_error);
            break;
        case CURLE_OPERATION_TIMEDOUT:
            kind = Kind::timeout;
            message = fmt::format("the mail server {} did not answer within {} s (mail.timeout_seconds): {}",
                                  server, config.timeout.count(), t.curl_error);
            break;
        case CURLE_LOGIN_DENIED:
            kind = Kind::login;
            message =
                fmt::format("the mail server {} refused the login as '{}' (mail.username, mail.password): {}",
                            server, config.username, reply);
            break;
        case CURLE_USE_SSL_FAILED:
            kind = Kind::tls;
            message =
                fmt::format("the mail server {} offers no STARTTLS, and mail.starttls is required", server);
            break;
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CERTPROBLEM:
            kind = Kind::tls;
            message = fmt::format("TLS with the mail server {} failed: {}", server, t.curl_error);
            break;
        default:
            if (t.reply_code >= 400) {
                kind = Kind::refused;
                message = fmt::format("the mail server {} refused the message to {}: {}", server, to, reply);
            } else {
                message = fmt::format("sending mail to {} through {} failed: {}", to, server, t.curl_error);
            }
    }
    // The password is never put into a message; should a server echo it, it is blotted out here.
    if (config.password.size() >= 4) {
        for (auto at = message.find(config.password); at != std::string::npos;
             at = message.find(config.password)) {
            message.replace(at, config.password.size(), "[password]");
        }
    }
    return MailError(kind, message);
}

}  // namespace

}  // namespace wenku
