// SPDX-License-Identifier: MIT
#include "server/state/state_store.hpp"

#include "server/state/postgres_state_store.hpp"
#include "server/state/sqlite_state_store.hpp"

#include <algorithm>
#include <string_view>

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

namespace {

// Shows the value of every `password` parameter of the query that starts at `query` as ***.
std::string mask_password_parameters(std::string uri, std::size_t query) {
  static constexpr std::string_view k_name = "password=";
  for (auto at = uri.find(k_name, query); at != std::string::npos; at = uri.find(k_name, at + 1)) {
    if (uri[at - 1] != '?' && uri[at - 1] != '&') {
      continue; // another parameter's name ends in "password"
    }
    const auto begin = at + k_name.size();
    const auto end = std::min(uri.find('&', begin), uri.size());
    uri.replace(begin, end - begin, "***");
  }
  return uri;
}

} // namespace

std::string describe_store_location(const StoreLocation& location) {
  if (location.engine == StoreLocation::Engine::sqlite) {
    return location.target == k_sqlite_memory ? "SQLite in memory (nothing is kept after exit)"
                                              : "SQLite file " + location.target;
  }
  // postgres://user:password@host/db?password=...: the user info ends at the last `@`
  // before the path (RFC 3986 §3.2.1), and libpq also reads a `password` parameter.
  auto shown = location.target;
  const auto authority = shown.find("://") + 3;
  const auto path = std::min(shown.find_first_of("/?", authority), shown.size());
  const auto at = shown.rfind('@', path);
  if (at != std::string::npos && at >= authority) {
    const auto colon = shown.find(':', authority);
    if (colon != std::string::npos && colon < at) {
      shown.replace(colon + 1, at - colon - 1, "***");
    }
  }
  const auto query = shown.find('?');
  return query == std::string::npos ? shown : mask_password_parameters(shown, query);
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
