// SPDX-License-Identifier: MIT
#pragma once

#include "server/state/state_store.hpp"

#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/util/error.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace oauthctl::server {

// The keys of one moment: the one that signs, and every key whose tokens may still be
// around (the active one and retired ones until their publish_until), as a verifier and as
// the JWKS document. Immutable: a rotation makes a new set.
struct KeySet {
  oauth::SigningKey signer;
  oauth::JwksVerifier verifier;  // every published key
  std::string jwks_json;         // {"keys":[...]} of the published keys, serialised once
  std::vector<std::string> kids; // the published kids, signer first (tells sets apart)
};

// Builds the set from the store's key rows at `now`: the newest active key signs; retired
// keys stay published until their publish_until. `io` error when no active key is there or
// one is unreadable.
[[nodiscard]] util::Result<std::shared_ptr<const KeySet>>
key_set_from(const std::vector<state::KeyRecord>& rows, std::int64_t now);
// A set of just `key` (tests, and a server whose store holds only that key).
[[nodiscard]] util::Result<std::shared_ptr<const KeySet>> key_set_of(oauth::SigningKey key);

// The server's current key set, replaced as a whole when the store's keys change (`serve
// keys rotate` on any replica). Readers take a reference-counted snapshot, so a request
// signs and verifies with one consistent set even while it is replaced. Thread-safe.
class SigningKeys {
public:
  explicit SigningKeys(std::shared_ptr<const KeySet> initial) : m_current(std::move(initial)) {}

  [[nodiscard]] std::shared_ptr<const KeySet> current() const {
    const std::lock_guard lock(m_mutex);
    return m_current;
  }
  void replace(std::shared_ptr<const KeySet> next) {
    const std::lock_guard lock(m_mutex);
    m_current = std::move(next);
  }

private:
  mutable std::mutex m_mutex;
  std::shared_ptr<const KeySet> m_current; // never null
};

// Keeps a SigningKeys in line with the store's keys: refresh() is called by the maintenance
// thread (every 250 ms); it asks the store for its directory version (one cheap query) and
// reads the keys only when that moved (a rotation, on any replica) or once a minute (a
// retired key's publish_until passing). Not thread-safe: one caller.
class KeyRefresher {
public:
  KeyRefresher(state::StateStore& store, SigningKeys& keys) : m_store(store), m_keys(keys) {}

  // `network`/`io` errors from the store; the current set stays then.
  [[nodiscard]] util::Result<void> refresh(std::int64_t now);
  // The same with the store's directory_version() already read (the maintenance tick reads
  // it once for the keys and for the clients and users).
  [[nodiscard]] util::Result<void> refresh(std::int64_t now, std::int64_t version);

private:
  state::StateStore& m_store;
  SigningKeys& m_keys;
  std::int64_t m_version = -1;
  std::int64_t m_recheck_at = 0;
};

} // namespace oauthctl::server
