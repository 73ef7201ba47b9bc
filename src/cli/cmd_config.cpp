// wenku config [--defaults] : every setting, its value and where it came from.
#include "cli/commands.h"
#include "cli/terminal.h"
#include "core/settings.h"

namespace wenku::cli {

void add_config_command(CLI::App& app, Context& ctx) {
    auto defaults = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand("config",
                                   "Show the settings in force (from DATA/wenku.conf and WENKU_* variables)");
    cmd->add_flag("--defaults", *defaults, "Show every setting with its description and default");
    cmd->callback([&ctx, defaults] {
        if (*defaults) {
            for (const auto& s : Settings::specs()) {
                std::printf("# %s\n# env: %s\n%s = %s\n\n", s.description.c_str(),
                            Settings::env_name(s.key).c_str(), s.key.c_str(), s.default_value.c_str());
            }
            return;
        }
        const Settings settings = Settings::load(ctx.data_dir);
        for (const auto& s : Settings::specs()) {
            // A password (mail.password) is shown only as set or not.
            const std::string& value = settings.get(s.key);
            const bool secret = s.key.ends_with(".password") && !value.empty();
            std::printf("%s = %s\t(%s)\n", s.key.c_str(),
                        secret ? "(set, not shown)" : terminal_safe(value).c_str(),
                        settings.source(s.key).c_str());
        }
    });
}

}  // namespace wenku::cli
