// SPDX-License-Identifier: MIT
#pragma once

#include "server/state/state_store.hpp"

#include <oauthctl/server/seed.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace oauthctl::server::state {

// A seeded secret whose stored slow hash must be checked (and replaced when it does not
// match) after start-up.
struct PendingHash {
  enum class Kind { client, user } kind = Kind::client;
  std::string id;
  std::string secret;
};

// What bringing the store in line with the seed did.
struct SeedSync {
  // Seeded clients and users with their secrets: the process trusts these (in memory,
  // constant-time) while their hashes are checked off the start-up path.
  std::vector<std::pair<std::string, std::string>> client_secrets;
  std::vector<std::pair<std::string, std::string>> user_passwords;
  std::vector<PendingHash> pending_hashes;
  // One line per client or user dropped because its source no longer lists it.
  std::vector<std::string> dropped;
};

// Makes the store's clients and users follow their sources: every entry of `config` (source
// `config`) and `demo` (source `demo`) is written when it differs from the stored row, and
// stored entries of those sources that neither lists any more are deleted (they stop
// working); `admin` entries are left alone. No slow hash is computed here: a stored hash is
// kept until finish_seed_hashes() checks it, and a new secret is stored as
// k_unhashed_secret (which verifies nothing) until then. `network`/`io` errors from the
// store.
[[nodiscard]] util::Result<SeedSync> sync_seed(StateStore& store, const Seed& config, const Seed& demo);

// Checks each pending seeded secret against its stored hash (scrypt) and stores a fresh
// hash where it does not match; problems go to `log` as "warning: ..." lines. Meant for a
// background thread: the store is hashed at rest again soon after start, while requests are
// already served (against the seed's own secrets, see ClientRegistry::trust_seed_secret).
// Stops early when `stopping` returns true (the next start checks again). `storing` (may be
// empty) hears of each fresh hash just before it is written, so the process can keep
// trusting its seed for a row that now holds that hash (CredentialCache::accept_seed_hash).
void finish_seed_hashes(StateStore& store, const std::vector<PendingHash>& pending,
                        const std::function<void(std::string_view)>& log,
                        const std::function<bool()>& stopping,
                        const std::function<void(const PendingHash&, const std::string&)>& storing = {});

} // namespace oauthctl::server::state
