// SPDX-License-Identifier: MIT
#include "server/state/state_store.hpp"

#include "server/state/postgres_state_store.hpp"
#include "server/state/sqlite_state_store.hpp"

namespace oauthctl::server::state {

util::Result<StoreLocation> parse_store_location(const std::string& spec) {
  if (spec.rfind("postgres://", 0) == 0 || spec.rfind("postgresql://", 0) == 0) {
    return StoreLocation{StoreLocation::Engine::postgres, spec};
  }
  std::string path = spec;
  if (spec.rfind("sqlite:", 0) == 0) {
    path = spec.substr(7);
  } else if (spec.find("://") != std::string::npos) {
    return util::fail(util::ErrorKind::usage, "--store: unknown kind of store '" +
                                                spec.substr(0, spec.find("://")) +
                                                "' (use sqlite:PATH or postgres://USER@HOST:PORT/DB)");
  }
  if (path.empty()) {
    return util::fail(util::ErrorKind::usage, "--store: sqlite: needs a path (or :memory:)");
  }
  return StoreLocation{StoreLocation::Engine::sqlite, path};
}

util::Result<std::unique_ptr<StateStore>> open_state_store(const StoreLocation& location) {
  switch (location.engine) {
    case StoreLocation::Engine::sqlite:
      return open_sqlite_state_store(location.target);
    case StoreLocation::Engine::postgres: {
      PostgresOptions options;
      options.url = location.target;
      options.pool_size = location.pool_size;
      return open_postgres_state_store(options);
    }
  }
  return util::fail(util::ErrorKind::internal, "--store: unknown engine");
}

} // namespace oauthctl::server::state
