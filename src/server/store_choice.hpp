// SPDX-License-Identifier: MIT
#pragma once

#include "server/state/state_store.hpp"

#include <oauthctl/server/server.hpp>

#include <memory>

namespace oauthctl::server {

// Where serve's state lives: options.store as given (the CLI puts --store, OAUTHCTL_STORE or
// the config file's "store" there), else --ephemeral (SQLite in memory), else the --data
// file (or the default path). `usage` error for a store of no known kind.
[[nodiscard]] util::Result<state::StoreLocation> store_location(const ServerOptions& options);

// Opens that store with options.store_pool connections for a database server: for the
// commands that work on a store without serving (`serve keys`).
[[nodiscard]] util::Result<std::unique_ptr<state::StateStore>>
open_chosen_store(const ServerOptions& options);

} // namespace oauthctl::server
