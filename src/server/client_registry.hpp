// SPDX-License-Identifier: MIT
#pragma once

#include "server/auth/hash_gate.hpp"

#include <oauthctl/server/seed.hpp>

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace oauthctl::server {

// A client as the server holds it in memory: its settings and its secret's slow hash.
struct RegisteredClient {
  ClientSpec spec;
  std::string secret_hash; // empty for a public client

  [[nodiscard]] bool is_confidential() const { return !secret_hash.empty(); }
  // True when the client registered public keys (`jwks` or `jwks_uri`): it authenticates
  // with private_key_jwt (RFC 7523 §2.2) and may sign jwt_bearer grants.
  [[nodiscard]] bool has_keys() const { return !spec.jwks.is_null() || !spec.jwks_uri.empty(); }
};

// What checking a client secret found. `overloaded`: the hash gate was full, so nothing
// was checked; the caller answers 503 with Retry-After.
enum class SecretCheck { valid, invalid, overloaded };

// The clients loaded at start-up, with secret verification fast enough for the token
// endpoint. Thread-safe.
class ClientRegistry {
public:
  // `gate` bounds the slow verifications (shared with the user directory).
  explicit ClientRegistry(std::vector<RegisteredClient> clients,
                          std::shared_ptr<const HashGate> gate = std::make_shared<HashGate>());

  // The client with `id`, or null.
  [[nodiscard]] const RegisteredClient* find(std::string_view id) const;

  // `valid` when `id` names a confidential client whose secret is `secret`. Unknown ids
  // cost as much as wrong secrets, so timing does not reveal which clients exist. A secret
  // verified before is recognised from the cache without entering the gate, so correct
  // secrets keep working while wrong ones are refused for overload.
  [[nodiscard]] SecretCheck authenticate(std::string_view id, std::string_view secret) const;

  // Makes `secret` the one secret of seeded client `id` in this process: the seed (--config,
  // --demo) is the truth for the clients it lists, so they are checked against it (HMAC tag,
  // constant time) and never against a stored hash, which may be older than the seed until
  // the background re-hash writes the new one. Call before serving.
  void trust_seed_secret(const std::string& id, std::string_view secret);

private:
  std::string cache_tag(std::string_view id, std::string_view secret) const;
  // A real scrypt hash for unknown ids to verify against (made once when the store gave none).
  const std::string& dummy_hash() const;

  std::unordered_map<std::string, RegisteredClient> m_clients;
  std::string m_cache_key; // process-random HMAC key, never stored
  mutable std::once_flag m_dummy_once;
  mutable std::string m_dummy_hash;                      // verified against for unknown clients
  std::unordered_map<std::string, std::string> m_seeded; // id -> HMAC tag of the seed's secret
  mutable std::shared_mutex m_cache_mutex;
  mutable std::unordered_map<std::string, std::string> m_verified; // id -> HMAC tag
  // Bounds concurrent scrypt runs (32 MiB each) and the requests waiting for one.
  std::shared_ptr<const HashGate> m_gate;
};

} // namespace oauthctl::server
