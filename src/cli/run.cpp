// SPDX-License-Identifier: MIT
#include "cli/run.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace oauthctl::cli {

int run_main(int argc, char** argv) {
  CLI::App app{"oauthctl: OAuth 2.0 client, flow tester and authorization server", "oauthctl"};
  app.set_version_flag("--version", "oauthctl " OAUTHCTL_VERSION);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return 0;
}

} // namespace oauthctl::cli
