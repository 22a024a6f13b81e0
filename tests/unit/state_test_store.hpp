// SPDX-License-Identifier: MIT
#pragma once

#include "server/state/sqlite_state_store.hpp"

#include <doctest/doctest.h>

#include <memory>

namespace oauthctl::test {

// A fresh state store for one test: real SQLite, in memory.
inline std::shared_ptr<server::state::StateStore> memory_state_store() {
  auto store = server::state::open_sqlite_state_store(server::state::k_sqlite_memory);
  REQUIRE(store.has_value());
  return std::shared_ptr<server::state::StateStore>(std::move(*store));
}

} // namespace oauthctl::test
