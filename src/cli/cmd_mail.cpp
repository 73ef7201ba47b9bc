// wenku mail test ADDRESS : sends a test message through the SMTP server of the mail.* settings.
#include <cstdio>

#include "cli/commands.h"
#include "cli/terminal.h"
#include "core/config.h"
#include "core/errors.h"
#include "mail/mailer.h"

namespace wenku::cli {

void add_mail_command(CLI::App& app, Context& ctx) {
    auto* mail = app.add_subcommand(
        "mail", "Outgoing e-mail (password-reset mails): check the mail.* settings with a test message");
    mail->require_subcommand(1);
    auto address = std::make_shared<std::string>();
    auto* test = mail->add_subcommand(
        "test",
        "Send a test message to ADDRESS through mail.smtp_url and report whether the server took it (exit 4 "
        "when it did not, with its answer)");
    test->add_option("ADDRESS", *address, "Recipient, name@example.org")->required();
    test->callback([&ctx, address] {
        const Config config = Config::from(Settings::load(ctx.data_dir));
        const Mailer mailer(config.mail);
        if (!mailer.enabled()) {
            throw UsageError("mail is off: set mail.smtp_url and mail.from (see wenku config --defaults)");
        }
        mailer.send({*address, config.site.name + " 测试邮件 (test message)",
                     "这是一封测试邮件：" + config.site.name +
                         " 可以发送电子邮件了。\n"
                         "This is a test message: " +
                         config.site.name + " can send e-mail.\n\n" + config.site.url + "/\n"});
        std::printf("sent a test message to %s through %s\n", terminal_safe(*address).c_str(),
                    terminal_safe(config.mail.smtp_url).c_str());
    });
}

}  // namespace wenku::cli
