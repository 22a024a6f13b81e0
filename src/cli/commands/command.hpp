// SPDX-License-Identifier: MIT
#pragma once

#include "cli/run.hpp"

#include <functional>
#include <span>
#include <string_view>

namespace CLI {
class App;
} // namespace CLI

namespace oauthctl::cli {

// Runs a parsed command and returns its exit code.
using Runner = std::function<int(Io& io)>;

// One subcommand (CLI11's subcom_in_files, ninja's Tool table): `setup` binds the
// command's options to `app` and returns the runner that reads them after parsing.
struct Command {
  std::string_view name;
  std::string_view description;
  Runner (*setup)(CLI::App& app);
};

// Every command, in the order help lists them.
std::span<const Command> command_table();

Runner setup_token(CLI::App& app);
Runner setup_fhir(CLI::App& app);
Runner setup_flow(CLI::App& app);
Runner setup_serve(CLI::App& app);
Runner setup_discover(CLI::App& app);
Runner setup_check(CLI::App& app);
Runner setup_config(CLI::App& app);
Runner setup_cache(CLI::App& app);
Runner setup_logout(CLI::App& app);
Runner setup_introspect(CLI::App& app);
Runner setup_revoke(CLI::App& app);
Runner setup_decode(CLI::App& app);
Runner setup_help(CLI::App& app);
Runner setup_keygen(CLI::App& app);

} // namespace oauthctl::cli
