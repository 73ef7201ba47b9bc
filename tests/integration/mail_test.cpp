// Outgoing mail through a real SMTP server: aiosmtpd (Debian's python3-aiosmtpd), started by each
// test on 127.0.0.1 at a port it picks itself. It refuses recipients named refused@…, takes a login
// only as wenku with the right password, and stores every message it takes as JSON: the envelope,
// the raw bytes, and the message as Python's email package reads it (an independent decoder).
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <optional>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "mail/mailer.h"
#include "support/test_support.h"

namespace wenku::test {
namespace fs = std::filesystem;

namespace {

constexpr const char* smtp_server_script = R"PY(
import asyncio, email, email.policy, json, os, sys
from aiosmtpd.smtp import SMTP, AuthResult

folder = sys.argv[1]
received = 0

def publish(name, text):
    with open(os.path.join(folder, name + '.tmp'), 'w', encoding='utf-8') as f:
        f.write(text)
    os.rename(os.path.join(folder, name + '.tmp'), os.path.join(folder, name))

class Store:
    async def handle_RCPT(self, server, session, envelope, address, options):
        if address.startswith('refused@'):
            return '550 5.1.1 no mailbox here by that name'
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        global received
        received += 1
        raw = envelope.original_content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        sender = msg['from'].addresses[0]
        defects = [repr(d) for d in msg.defects]
        defects += [name + ': ' + repr(d) for name in msg.keys() for d in msg[name].defects]
        publish('message-%d.json' % received, json.dumps({
            'authenticated': bool(session.authenticated),
            'mail_from': envelope.mail_from, 'rcpt_tos': envelope.rcpt_tos,
            'raw': raw.decode('latin-1'),
            'from_address': sender.addr_spec, 'from_name': sender.display_name,
            'to': [a.addr_spec for a in msg['to'].addresses],
            'subject': str(msg['subject']), 'date': str(msg['date'].datetime),
            'message_id': str(msg['message-id']),
            'content_type': msg.get_content_type(), 'charset': msg.get_content_charset(),
            'body': msg.get_payload(decode=True).decode('utf-8'), 'defects': defects}))
        return '250 OK stored'

def authenticate(server, session, envelope, mechanism, auth_data):
    right = auth_data.login == b'wenku' and auth_data.password == b'Tr0ub4dor-s3cret'
    return AuthResult(success=right, handled=False)  # handled=False: aiosmtpd answers 535 itself

async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(Store(), hostname='smtp.wenku.test', authenticator=authenticate,
                     auth_require_tls=False, loop=loop), '127.0.0.1', 0)
    publish('port', str(server.sockets[0].getsockname()[1]))
    await server.serve_forever()

asyncio.run(main())
)PY";

const std::string password = "Tr0ub4dor-s3cret";
const std::string subject = "重置您在wenku文库的密码：请在30分钟内点击邮件中的链接完成操作";
const std::string body =
    "您好！\n\n有人请求重置您在 wenku文库 的密码。请在 30 分钟内打开下面的链接：\n"
    "https://wenku.example/reset?token=Zm9vYmFy-_~%E4%B8%AD&lang=zh-CN\n\n"
    "如果这不是您本人的操作，请忽略本邮件，您的密码不会改变。\r\n— wenku文库\n";

/// A Python 3 that has aiosmtpd: Debian's first, as another python3 may come first on PATH.
std::optional<std::string> python_with_aiosmtpd() {
    for (const char* python : {"/usr/bin/python3", "python3"}) {
        try {
            if (run_command({python, "-c", "import aiosmtpd"}).exit_code == 0) return python;
        } catch (const std::exception&) {
        }
    }
    return std::nullopt;
}

/// A socket listening on 127.0.0.1 that never accepts: a connection to it would wait in its queue.
class ListeningSocket {
  public:
    ListeningSocket() {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof addr;
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
            ::listen(fd_, 8) != 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
            throw std::runtime_error("cannot listen on 127.0.0.1");
        }
        port_ = ntohs(addr.sin_port);
    }
    ~ListeningSocket() { ::close(fd_); }
    unsigned short port() const { return port_; }
    /// Whether a client has connected.
    bool connected() const {
        const int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client >= 0) ::close(client);
        return client >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
    }

  private:
    int fd_ = -1;
    unsigned short port_ = 0;
};

/// A port on 127.0.0.1 nobody listens on: taken from the system, then let go.
unsigned short closed_port() { return ListeningSocket().port(); }

class MailTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto python = python_with_aiosmtpd();
        if (!python) {
            GTEST_SKIP()
                << "SKIPPED: python3-aiosmtpd is missing (scripts/setup installs it), so there is no "
                   "SMTP server to send to";
        }
        inbox_ = dir_.path() / "inbox";
        fs::create_directories(inbox_);
        write_file(dir_.path() / "smtp_server.py", smtp_server_script);
        server_ = std::make_unique<BackgroundProcess>(
            std::vector<std::string>{*python, (dir_.path() / "smtp_server.py").string(), inbox_.string()},
            dir_.path() / "smtp.out", dir_.path() / "smtp.err");
        // Generous: Python starts slowly on a busy machine.
        for (int i = 0; i < 1200 && !fs::exists(inbox_ / "port"); ++i) {
            ASSERT_FALSE(server_->wait(std::chrono::milliseconds(50))) << server_log();
        }
        ASSERT_TRUE(fs::exists(inbox_ / "port")) << "the SMTP server did not start in 60 s\n" << server_log();
        port_ = static_cast<unsigned short>(std::stoi(read_file(inbox_ / "port")));
    }

    MailConfig config() const {
        MailConfig c;
        c.smtp_url = "smtp://127.0.0.1:" + std::to_string(port_);
        c.from = "wenku文库 <noreply@wenku.test>";
        c.timeout = std::chrono::seconds(120);
        return c;
    }

    /// The n-th message the server took (from 1), once it is stored.
    nlohmann::json received(int n) const {
        const fs::path file = inbox_ / ("message-" + std::to_string(n) + ".json");
        for (int i = 0; i < 1200 && !fs::exists(file); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (!fs::exists(file))
            throw std::runtime_error("no message " + std::to_string(n) + "\n" + server_log());
        return nlohmann::json::parse(read_file(file));
    }

    bool message_stored(int n) const {
        return fs::exists(inbox_ / ("message-" + std::to_string(n) + ".json"));
    }

    std::string server_log() const { return "SMTP server's stderr:\n" + read_file(dir_.path() / "smtp.err"); }

    /// The MailError `config` gives for `message`; fails the test when none is thrown.
    static MailError mail_error(const MailConfig& config, const MailMessage& message) {
        try {
            Mailer(config).send(message);
        } catch (const MailError& e) {
            return e;
        }
        ADD_FAILURE() << "no MailError";
        return MailError(MailError::Kind::other, "");
    }

    TempDir dir_;
    fs::path inbox_;
    std::unique_ptr<BackgroundProcess> server_;
    unsigned short port_ = 0;
};

}  // namespace

TEST_F(MailTest, ChineseSubjectAndBodyArriveAsSentWithProperHeaders) {
    Mailer(config()).send({"reader@wenku.test", subject, body});
    const auto m = received(1);
    EXPECT_EQ(m["rcpt_tos"], nlohmann::json::array({"reader@wenku.test"}));
    EXPECT_EQ(m["to"], nlohmann::json::array({"reader@wenku.test"}));
    EXPECT_EQ(m["mail_from"], "noreply@wenku.test");
    EXPECT_EQ(m["from_address"], "noreply@wenku.test");
    EXPECT_EQ(m["from_name"], "wenku文库");
    EXPECT_EQ(m["subject"], subject);
    EXPECT_EQ(m["content_type"], "text/plain");
    EXPECT_EQ(m["charset"], "utf-8");
    EXPECT_NE(m["date"], "None");
    EXPECT_TRUE(m["message_id"].get<std::string>().ends_with("@wenku.test>")) << m["message_id"];
    EXPECT_EQ(m["defects"], nlohmann::json::array()) << m["raw"];
    EXPECT_FALSE(m["authenticated"]);
    // The body travels with CRLF line ends: every "\n" and "\r\n" sent arrives as "\r\n".
    std::string sent_lines;
    for (std::size_t i = 0; i < body.size(); ++i) {
        if (body[i] == '\r') continue;
        sent_lines += body[i] == '\n' ? "\r\n" : std::string(1, body[i]);
    }
    EXPECT_EQ(m["body"], sent_lines);

    // On the wire: ASCII only, CRLF line ends, lines of at most 78 characters, the MIME headers.
    const std::string raw = m["raw"];
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        ASSERT_LT(static_cast<unsigned char>(raw[i]), 0x80) << "byte " << i << " of\n" << raw;
        if (raw[i] != '\n') continue;
        ASSERT_TRUE(i > 0 && raw[i - 1] == '\r') << "a bare LF at byte " << i << " of\n" << raw;
        EXPECT_LE(i - 1 - line_start, 78u) << raw.substr(line_start, i - line_start);
        line_start = i + 1;
    }
    for (const char* header : {"\r\nDate: ", "\r\nMessage-ID: <", "\r\nMIME-Version: 1.0\r\n",
                               "\r\nContent-Type: text/plain; charset=UTF-8\r\n",
                               "\r\nContent-Transfer-Encoding: base64\r\n", "\r\nSubject: =?UTF-8?B?"}) {
        EXPECT_NE(raw.find(header), std::string::npos) << header << " missing from\n" << raw;
    }
}

TEST_F(MailTest, AsciiSubjectGoesAsItIsAndLoginWithTheRightPasswordIsAccepted) {
    MailConfig c = config();
    c.from = "noreply@wenku.test";
    c.username = "wenku";
    c.password = password;
    Mailer(c).send({"reader@wenku.test", "Your wenku password", "Hello\n"});
    const auto m = received(1);
    EXPECT_TRUE(m["authenticated"]);
    EXPECT_EQ(m["subject"], "Your wenku password");
    EXPECT_NE(m["raw"].get<std::string>().find("\r\nSubject: Your wenku password\r\n"), std::string::npos);
    EXPECT_EQ(m["from_name"], "");
    EXPECT_EQ(m["body"], "Hello\r\n");
}

TEST_F(MailTest, FailuresAreTypedAndNeverShowThePassword) {
    MailConfig c = config();
    c.username = "wenku";
    c.password = password;

    const MailError refused = mail_error(c, {"refused@wenku.test", subject, body});
    EXPECT_EQ(refused.kind(), MailError::Kind::refused) << refused.what();
    EXPECT_NE(std::string(refused.what()).find("550 5.1.1 no mailbox here by that name"), std::string::npos)
        << refused.what();
    EXPECT_NE(std::string(refused.what()).find("refused@wenku.test"), std::string::npos) << refused.what();
    EXPECT_FALSE(message_stored(1));

    MailConfig wrong = c;
    wrong.password = "Wr0ng-" + password;
    const MailError login = mail_error(wrong, {"reader@wenku.test", subject, body});
    EXPECT_EQ(login.kind(), MailError::Kind::login) << login.what();
    EXPECT_NE(std::string(login.what()).find("mail.username"), std::string::npos) << login.what();

    MailConfig nobody_there = c;
    nobody_there.smtp_url = "smtp://127.0.0.1:" + std::to_string(closed_port());
    const MailError connection = mail_error(nobody_there, {"reader@wenku.test", subject, body});
    EXPECT_EQ(connection.kind(), MailError::Kind::connection) << connection.what();
    EXPECT_NE(std::string(connection.what()).find(nobody_there.smtp_url), std::string::npos)
        << connection.what();

    for (const auto* e : {&refused, &login, &connection}) {
        EXPECT_EQ(std::string(e->what()).find(password), std::string::npos) << e->what();
        EXPECT_EQ(std::string(e->what()).find("s3cret"), std::string::npos) << e->what();
    }
    EXPECT_FALSE(message_stored(1));
}

TEST_F(MailTest, LineBreaksInAddressOrSubjectAreRefusedBeforeConnecting) {
    const ListeningSocket trap;
    MailConfig c = config();
    c.smtp_url = "smtp://127.0.0.1:" + std::to_string(trap.port());
    const Mailer mailer(c);
    const std::vector<MailMessage> forged = {
        {"reader@wenku.test\r\nBcc: everyone@wenku.test", "Hello", body},
        {"reader@wenku.test\nBcc: everyone@wenku.test", "Hello", body},
        {"reader@wenku.test", "Hello\r\nBcc: everyone@wenku.test", body},
        {"reader@wenku.test", "密码\nBcc: everyone@wenku.test", body},
        {"reader@wenku.test", "Hello\r", body},
    };
    for (const auto& m : forged) {
        try {
            mailer.send(m);
            ADD_FAILURE() << "sent: " << m.to << " / " << m.subject;
        } catch (const UsageError& e) {
            EXPECT_NE(std::string(e.what()).find("line break"), std::string::npos) << e.what();
        }
    }
    for (const auto& m : std::vector<MailMessage>{{"reader", "Hello", body},
                                                  {"<reader@wenku.test>", "Hello", body},
                                                  {"a@wenku.test, b@wenku.test", "Hello", body},
                                                  {"reader@wenku.test", "bad \xff byte", body},
                                                  {"reader@wenku.test", "Hello", "bad \xc3 byte"}}) {
        EXPECT_THROW(mailer.send(m), UsageError) << m.to << " / " << m.subject;
    }
    EXPECT_FALSE(trap.connected()) << "a refused message reached the network";
}

TEST(MailSettings, AreCheckedWhenRead) {
    const auto refusal = [](const std::vector<std::pair<std::string, std::string>>& values) -> std::string {
        Settings s;
        for (const auto& [key, value] : values) s.set(key, value);
        try {
            Mailer(Config::from(s).mail);
        } catch (const UsageError& e) {
            return e.what();
        }
        return "";
    };
    EXPECT_EQ(refusal({}), "") << "mail is off by default";
    EXPECT_FALSE(Mailer(Config::from(Settings()).mail).enabled());
    EXPECT_THROW(Mailer(Config::from(Settings()).mail).send({"reader@wenku.test", "Hello", "Hello"}),
                 UsageError);
    EXPECT_NE(refusal({{"mail.smtp_url", "http://127.0.0.1:25"}}).find("smtp:// or smtps://"),
              std::string::npos);
    const std::string with_password = refusal(
        {{"mail.smtp_url", "smtp://wenku:" + password + "@127.0.0.1:25"}, {"mail.from", "a@wenku.test"}});
    EXPECT_NE(with_password.find("mail.username"), std::string::npos) << with_password;
    EXPECT_EQ(with_password.find(password), std::string::npos) << with_password;
    EXPECT_NE(refusal({{"mail.smtp_url", "smtp://127.0.0.1:25"}}).find("mail.from"), std::string::npos);
    EXPECT_NE(refusal({{"mail.smtp_url", "smtp://127.0.0.1:25"}, {"mail.from", "wenku <a@b>\r\nBcc: c@d"}})
                  .find("mail.from"),
              std::string::npos);
    EXPECT_NE(refusal({{"mail.starttls", "maybe"}}).find("none, try or required"), std::string::npos);
    EXPECT_NE(refusal({{"mail.password", password}}).find("mail.username is empty"), std::string::npos);
    EXPECT_NE(refusal({{"mail.timeout_seconds", "0"}}).find("mail.timeout_seconds"), std::string::npos);
}

TEST_F(MailTest, CommandLineSendsATestMessageAndReportsFailures) {
    const fs::path data = dir_.path() / "data";
    fs::create_directories(data);
    const std::string url = "smtp://127.0.0.1:" + std::to_string(port_);
    const auto conf = [&](const std::string& extra) {
        write_file(data / "wenku.conf",
                   "mail.smtp_url = " + url + "\nmail.from = noreply@wenku.test\n" + extra);
    };
    conf("");
    auto r = run_wenku(data, {"mail", "test", "reader@wenku.test"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("sent a test message to reader@wenku.test through " + url), std::string::npos)
        << r.out;
    const auto m = received(1);
    EXPECT_EQ(m["rcpt_tos"], nlohmann::json::array({"reader@wenku.test"}));
    EXPECT_NE(m["subject"].get<std::string>().find("测试邮件"), std::string::npos) << m["subject"];

    conf("mail.username = wenku\nmail.password = Wr0ng-" + password + "\n");
    r = run_wenku(data, {"mail", "test", "reader@wenku.test"});
    EXPECT_EQ(r.exit_code, 4) << r.err;
    EXPECT_NE(r.err.find("refused the login"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find(password), std::string::npos) << r.err;
    r = run_wenku(data, {"config"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("mail.password = (set, not shown)"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find(password), std::string::npos) << r.out;

    conf("");
    r = run_wenku(data, {"mail", "test", "reader@wenku.test\nBcc: everyone@wenku.test"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_FALSE(message_stored(2));

    fs::remove(data / "wenku.conf");
    r = run_wenku(data, {"mail", "test", "reader@wenku.test"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("mail is off"), std::string::npos) << r.err;
}

}  // namespace wenku::test
