// SPDX-License-Identifier: MIT
#pragma once

#include "cli/commands/command.hpp"

#include <oauthctl/server/server.hpp>
#include <oauthctl/util/error.hpp>

#include <functional>

namespace oauthctl::cli {

// Reads `serve`'s store options (--store, --data, --ephemeral, --config, --store-pool and
// their environment variables) into ServerOptions; `usage`/`config` errors as serve's.
using StoreOptionsReader = std::function<util::Result<server::ServerOptions>(Io& io)>;

// Adds `serve keys list` and `serve keys rotate` under `serve`: the signing keys in the
// store the serve options name (issue 9, key rotation). Returns the runner of whichever
// was given; `serve` runs it instead of serving when `keys` was parsed.
struct ServeKeys {
  CLI::App* command = nullptr; // `keys`
  Runner run;
};
ServeKeys setup_serve_keys(CLI::App& serve, StoreOptionsReader read_store);

} // namespace oauthctl::cli
