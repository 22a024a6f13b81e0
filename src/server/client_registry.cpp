// SPDX-License-Identifier: MIT
#include "server/client_registry.hpp"

#include <oauthctl/server/secret_hash.hpp>
#include <oauthctl/util/crypto.hpp>

#include <optional>

namespace oauthctl::server {

namespace {

// verify_secret(secret, *hash) in a slot of `gate`, or against dummy() when `hash` is null;
// nullopt when the gate is full. The dummy hash is made on first use (scrypt): inside the
// slot, so making it is bounded by the gate like any slow hash and never holds every
// worker at once.
template<class Dummy>
std::optional<bool> verify_secret_in_gate(const HashGate& gate, std::string_view secret,
                                          const std::string* hash, const Dummy& dummy) {
  return gate.run([&] { return verify_secret(secret, hash != nullptr ? *hash : dummy()); });
}

} // namespace

ClientRegistry::ClientRegistry(std::vector<RegisteredClient> clients, std::shared_ptr<const HashGate> gate)
    : m_cache_key(util::random_bytes(32)), m_gate(std::move(gate)) {
  for (auto& client : clients) {
    auto id = client.spec.id;
    m_clients.insert_or_assign(std::move(id), std::move(client));
  }
  // A hash with the cost of a real one, for unknown ids: reuse any client's parameters.
  for (const auto& [id, client] : m_clients) {
    if (is_slow_hash(client.secret_hash)) {
      m_dummy_hash = client.secret_hash;
      break;
    }
  }
}

void ClientRegistry::trust_seed_secret(const std::string& id, std::string_view secret) {
  m_seeded.insert_or_assign(id, cache_tag(id, secret));
}

const std::string& ClientRegistry::dummy_hash() const {
  std::call_once(m_dummy_once, [this] {
    if (m_dummy_hash.empty()) {
      m_dummy_hash = hash_secret(util::random_token(16));
    }
  });
  return m_dummy_hash;
}

const RegisteredClient* ClientRegistry::find(std::string_view id) const {
  const auto it = m_clients.find(std::string(id));
  return it == m_clients.end() ? nullptr : &it->second;
}

std::string ClientRegistry::cache_tag(std::string_view id, std::string_view secret) const {
  std::string input(id);
  input += '\0'; // the separator keeps ("ab","c") and ("a","bc") apart
  input += secret;
  return util::hmac_sha256(m_cache_key, input);
}

SecretCheck ClientRegistry::authenticate(std::string_view id, std::string_view secret) const {
  const auto* client = find(id);
  // Why a cache: the stored hash is scrypt (~0.1 s, 32 MiB) so that a stolen store resists
  // guessing, but running it per token request would cap the token endpoint at a few
  // requests per second per core, far below RSA signing speed. After one successful slow
  // verification we keep HMAC-SHA-256(process-random key, id NUL secret): it never leaves
  // memory, is not reversible without the key, and is compared in constant time. A wrong
  // secret never enters the cache, so it always pays the slow path.
  const auto tag = cache_tag(id, secret);
  if (const auto seeded = m_seeded.find(std::string(id)); seeded != m_seeded.end() && client != nullptr) {
    if (util::constant_time_equal(seeded->second, tag)) {
      return SecretCheck::valid;
    }
    // Wrong: pay what a wrong secret of any other client costs (through the gate).
    return verify_secret_in_gate(*m_gate, secret, nullptr,
                                 [this]() -> const std::string& { return dummy_hash(); })
             ? SecretCheck::invalid
             : SecretCheck::overloaded;
  }
  if (client != nullptr && client->is_confidential()) {
    const std::shared_lock lock(m_cache_mutex);
    const auto it = m_verified.find(client->spec.id);
    if (it != m_verified.end() && util::constant_time_equal(it->second, tag)) {
      return SecretCheck::valid;
    }
  }
  const bool usable = client != nullptr && is_slow_hash(client->secret_hash);
  const auto valid = verify_secret_in_gate(*m_gate, secret, usable ? &client->secret_hash : nullptr,
                                           [this]() -> const std::string& { return dummy_hash(); });
  if (!valid) {
    return SecretCheck::overloaded;
  }
  if (!*valid || !usable) {
    return SecretCheck::invalid;
  }
  const std::unique_lock lock(m_cache_mutex);
  m_verified[client->spec.id] = tag;
  return SecretCheck::valid;
}

} // namespace oauthctl::server
