// SPDX-License-Identifier: MIT
#pragma once

#include "cli/run.hpp"

#include <oauthctl/oauth/client_config.hpp>
#include <oauthctl/util/error.hpp>

#include <string>

namespace CLI {
class App;
class Option;
} // namespace CLI

namespace oauthctl::cli {

class EnvBindings;

// The password grant's options (--username, --password), as given.
struct PasswordSettings {
  std::string username, password;
  CLI::Option* password_option = nullptr; // tells a flag from OAUTHCTL_PASSWORD
};

// Binds --username and --password to `app`, recording their environment variables.
void add_password_options(CLI::App& app, PasswordSettings& settings, EnvBindings& env);

// Copies `settings` (after EnvBindings::apply) into `config.password`: `--password -` reads
// one line from stdin; a password given as a flag gets a warning on `io.err` (other users
// see it in `ps`); with none and a terminal on stdin, the grant asks for it without echo.
[[nodiscard]] util::Result<void> resolve_password_settings(const PasswordSettings& settings, Io& io,
                                                           oauth::ClientConfig& config);

} // namespace oauthctl::cli
