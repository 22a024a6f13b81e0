// SPDX-License-Identifier: MIT
#pragma once

#include "server/state/state_store.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace oauthctl::server::state {

// How `serve --store postgres://…` reaches its database.
struct PostgresOptions {
  std::string url;           // libpq URI; the password from PGPASSWORD or ~/.pgpass, not argv
  std::size_t pool_size = 8; // `serve --store-pool N`
  // How long a request waits for a pooled connection, and for one statement.
  std::chrono::milliseconds wait{3000};
  std::chrono::milliseconds statement_timeout{5000};
};

// The NOTIFY channel the store sends on when a transaction changed revocations (payload
// "revocations N") or the directory of clients, users and keys ("directory N"); every
// replica LISTENs on it.
inline constexpr const char* k_changes_channel = "oauthctl_changes";

// Connects a pool to the database at `options.url` and migrates its schema under an
// advisory lock (replicas starting at once end up on one schema). `network` error when the
// database cannot be reached, `config` for a malformed URL or a schema newer than this
// build knows.
[[nodiscard]] util::Result<std::unique_ptr<StateStore>>
open_postgres_state_store(const PostgresOptions& options);

} // namespace oauthctl::server::state
