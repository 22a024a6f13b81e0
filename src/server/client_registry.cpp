// SPDX-License-Identifier: MIT
#include "server/client_registry.hpp"

#include <oauthctl/server/secret_hash.hpp>
#include <oauthctl/util/crypto.hpp>

#include <optional>

namespace oauthctl::server {

namespace {

// verify_secret(secret, hash) in a slot of `gate`, or against the cache's dummy hash when
// `hash` is null; nullopt when the gate is full. The dummy hash may be made on first use
// (scrypt): inside the slot, so making it is bounded by the gate like any slow hash.
std::optional<bool> verify_in_gate(const CredentialCache& cache, std::string_view secret,
                                   const std::string* hash) {
  return cache.gate().run(
    [&] { return verify_secret(secret, hash != nullptr ? *hash : cache.dummy_hash()); });
}

} // namespace

ClientRegistry::ClientRegistry(std::vector<RegisteredClient> clients, std::shared_ptr<CredentialCache> cache)
    : m_cache(std::move(cache)) {
  for (auto& client : clients) {
    // A hash with the cost of a real one, for unknown ids: any client's parameters.
    m_cache->offer_dummy_hash(client.secret_hash);
    auto id = client.spec.id;
    m_clients.insert_or_assign(std::move(id), std::move(client));
  }
}

const RegisteredClient* ClientRegistry::find(std::string_view id) const {
  const auto it = m_clients.find(std::string(id));
  return it == m_clients.end() ? nullptr : &it->second;
}

SecretCheck ClientRegistry::authenticate(std::string_view id, std::string_view secret) const {
  const auto* client = find(id);
  // Why a cache: the stored hash is scrypt (~0.1 s, 32 MiB) so that a stolen store resists
  // guessing, but running it per token request would cap the token endpoint at a few
  // requests per second per core, far below RSA signing speed. After one successful slow
  // verification the cache keeps the secret's tag for the stored hash it matched; a wrong
  // secret never enters the cache, so it always pays the slow path, and a changed secret
  // (a new stored hash, from any replica) is checked against its new hash.
  const auto tag = m_cache->tag(id, secret);
  if (client != nullptr) {
    if (const auto seeded =
          m_cache->seeded_tag(CredentialKind::client, client->spec.id, client->secret_hash)) {
      if (util::constant_time_equal(*seeded, tag)) {
        return SecretCheck::valid;
      }
      // Wrong: pay what a wrong secret of any other client costs (through the gate).
      return verify_in_gate(*m_cache, secret, nullptr) ? SecretCheck::invalid : SecretCheck::overloaded;
    }
    if (client->is_confidential() &&
        m_cache->verified_before(CredentialKind::client, client->spec.id, client->secret_hash, tag)) {
      return SecretCheck::valid;
    }
  }
  const bool usable = client != nullptr && is_slow_hash(client->secret_hash);
  const auto valid = verify_in_gate(*m_cache, secret, usable ? &client->secret_hash : nullptr);
  if (!valid) {
    return SecretCheck::overloaded;
  }
  if (!*valid || !usable) {
    return SecretCheck::invalid;
  }
  m_cache->remember_verified(CredentialKind::client, client->spec.id, client->secret_hash, tag);
  return SecretCheck::valid;
}

} // namespace oauthctl::server
