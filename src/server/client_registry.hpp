// SPDX-License-Identifier: MIT
#pragma once

#include "server/auth/credential_cache.hpp"

#include <oauthctl/server/seed.hpp>

#include <memory>
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

// The clients of one directory snapshot (directory.hpp), with secret verification fast
// enough for the token endpoint. Immutable once built; what outlives a snapshot (the seed's
// secrets, verified secrets) is in the shared CredentialCache. Thread-safe.
class ClientRegistry {
public:
  explicit ClientRegistry(std::vector<RegisteredClient> clients,
                          std::shared_ptr<CredentialCache> cache = std::make_shared<CredentialCache>());

  // The client with `id`, or null; valid as long as this registry.
  [[nodiscard]] const RegisteredClient* find(std::string_view id) const;

  // `valid` when `id` names a confidential client whose secret is `secret`. Unknown ids
  // cost as much as wrong secrets, so timing does not reveal which clients exist. A secret
  // verified before against the same stored hash is recognised from the cache without
  // entering the gate, so correct secrets keep working while wrong ones are refused for
  // overload; a seeded client is checked against the seed's secret (CredentialCache).
  [[nodiscard]] SecretCheck authenticate(std::string_view id, std::string_view secret) const;

  [[nodiscard]] const std::shared_ptr<CredentialCache>& cache() const { return m_cache; }

private:
  std::unordered_map<std::string, RegisteredClient> m_clients;
  std::shared_ptr<CredentialCache> m_cache; // never null
};

} // namespace oauthctl::server
