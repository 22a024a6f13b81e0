// SPDX-License-Identifier: MIT
#pragma once

#include "server/pg/connection.hpp"

#include <oauthctl/util/error.hpp>

#include <cstdint>
#include <span>
#include <string_view>

namespace oauthctl::server::pg {

// One step of a schema: version N brings the schema from N-1 to N. Steps are appended,
// never edited once shipped.
struct Migration {
  int version = 0;
  std::string_view name;
  std::string_view sql; // a constant script
};

// Brings the database to the last of `steps` (in version order, from 1 without gaps)
// and returns the version it is at. Every step runs in one transaction that first takes
// the advisory lock `lock_key`: replicas starting at once queue on the lock, the first
// applies what is missing, the others find nothing left to do; a step that fails leaves
// the schema as it was. `config` error when the database's schema is newer than `steps`
// (a newer oauthctl wrote it), else the statement's error.
[[nodiscard]] util::Result<int> migrate(Connection& connection, std::span<const Migration> steps,
                                        std::int64_t lock_key);

} // namespace oauthctl::server::pg
