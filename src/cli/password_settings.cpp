// SPDX-License-Identifier: MIT
#include "cli/password_settings.hpp"

#include "cli/password_prompt.hpp"
#include "cli/settings.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <ostream>

namespace oauthctl::cli {

void add_password_options(CLI::App& app, PasswordSettings& settings, EnvBindings& env) {
  env.add(app, "--username", settings.username, "OAUTHCTL_USERNAME",
          "resource owner's username for --grant password");
  settings.password_option =
    env.add(app, "--password", settings.password, "OAUTHCTL_PASSWORD",
            "resource owner's password for --grant password; '-' reads one line from stdin; "
            "without it a terminal is asked (no echo)");
}

util::Result<void> resolve_password_settings(const PasswordSettings& settings, Io& io,
                                             oauth::ClientConfig& config) {
  const bool password_flag = settings.password_option != nullptr && settings.password_option->count() > 0;
  auto& credentials = config.password;
  credentials.username = settings.username;
  credentials.password = settings.password;
  if (credentials.password == "-") {
    // After the client secret's and the refresh token's lines when those are `-` too.
    auto line = read_stdin_line(io, "--password", "password");
    if (!line) {
      return tl::unexpected(line.error());
    }
    credentials.password = std::move(*line);
  } else if (password_flag && !credentials.password.empty()) {
    io.err << "oauthctl: warning: --password on the command line is visible to other users (ps); "
              "use OAUTHCTL_PASSWORD or --password -\n"
           << std::flush;
  }
  if (credentials.password.empty() && io.in_is_tty) {
    credentials.prompt = [](const std::string& username) {
      return prompt_password(fmt::format("Password for {}: ", username));
    };
  }
  return {};
}

} // namespace oauthctl::cli
