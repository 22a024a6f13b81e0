// SPDX-License-Identifier: MIT
#include "server/store_choice.hpp"

#include "server/state/sqlite_state_store.hpp"

namespace oauthctl::server {

util::Result<state::StoreLocation> store_location(const ServerOptions& options) {
  if (!options.store.empty()) {
    return state::parse_store_location(options.store);
  }
  if (options.persistence == Persistence::ephemeral) {
    return state::StoreLocation{state::StoreLocation::Engine::sqlite, state::k_sqlite_memory};
  }
  return state::StoreLocation{state::StoreLocation::Engine::sqlite,
                              options.data_path.empty() ? default_data_path() : options.data_path};
}

util::Result<std::unique_ptr<state::StateStore>> open_chosen_store(const ServerOptions& options) {
  auto location = store_location(options);
  if (!location) {
    return tl::unexpected(location.error());
  }
  location->pool_size = options.store_pool;
  return state::open_state_store(*location);
}

} // namespace oauthctl::server
