// SPDX-License-Identifier: MIT
#pragma once

#include "server/state/state_store.hpp"

#include <memory>
#include <string>

namespace oauthctl::server::state {

// The path that keeps a SQLite store in memory only (`serve --ephemeral`).
inline constexpr const char* k_sqlite_memory = ":memory:";

// Opens (creating when needed) the SQLite state store at `path`, in WAL mode with a busy
// timeout (several processes may share the file), the file and its new parent directories
// readable by the owner only, and migrates it to the current schema (a store written by an
// older release upgrades in place). `k_sqlite_memory` keeps it in memory. `io` error when
// it cannot be opened or migrated, or was written by a newer release.
[[nodiscard]] util::Result<std::unique_ptr<StateStore>> open_sqlite_state_store(const std::string& path);

} // namespace oauthctl::server::state
