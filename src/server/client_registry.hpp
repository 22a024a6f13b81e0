// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/server/seed.hpp>

#include <memory>
#include <mutex>
#include <semaphore>
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

// The clients loaded at start-up, with secret verification fast enough for the token
// endpoint. Thread-safe.
class ClientRegistry {
public:
  explicit ClientRegistry(std::vector<RegisteredClient> clients);

  // The client with `id`, or null.
  [[nodiscard]] const RegisteredClient* find(std::string_view id) const;

  // True when `id` names a confidential client whose secret is `secret`. Unknown ids cost
  // as much as wrong secrets, so timing does not reveal which clients exist.
  [[nodiscard]] bool authenticate(std::string_view id, std::string_view secret) const;

private:
  std::string cache_tag(std::string_view id, std::string_view secret) const;

  std::unordered_map<std::string, RegisteredClient> m_clients;
  std::string m_cache_key;  // process-random HMAC key, never stored
  std::string m_dummy_hash; // verified against for unknown clients
  mutable std::shared_mutex m_cache_mutex;
  mutable std::unordered_map<std::string, std::string> m_verified; // id -> HMAC tag
  // Bounds concurrent scrypt runs (32 MiB each) so a flood of wrong secrets cannot
  // exhaust memory; correct secrets skip it once cached.
  mutable std::counting_semaphore<64> m_slow_slots{2};
};

} // namespace oauthctl::server
