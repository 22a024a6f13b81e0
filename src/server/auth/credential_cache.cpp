// SPDX-License-Identifier: MIT
#include "server/auth/credential_cache.hpp"

#include <oauthctl/server/secret_hash.hpp>
#include <oauthctl/util/crypto.hpp>

namespace oauthctl::server {

CredentialCache::CredentialCache(std::shared_ptr<const HashGate> gate)
    : m_key(util::random_bytes(32)), m_gate(std::move(gate)) {}

std::string CredentialCache::key_of(CredentialKind kind, std::string_view id) {
  std::string key(kind == CredentialKind::client ? "c:" : "u:");
  key += id;
  return key;
}

std::string CredentialCache::tag(std::string_view id, std::string_view secret) const {
  std::string input(id);
  input += '\0'; // the separator keeps ("ab","c") and ("a","bc") apart
  input += secret;
  return m_key.mac(input);
}

void CredentialCache::trust_seed(CredentialKind kind, const std::string& id, std::string_view secret,
                                 const std::string& stored_hash) {
  const std::unique_lock lock(m_mutex);
  m_seeded.insert_or_assign(key_of(kind, id), Seeded{tag(id, secret), {stored_hash}});
}

void CredentialCache::accept_seed_hash(CredentialKind kind, const std::string& id, const std::string& hash) {
  const std::unique_lock lock(m_mutex);
  if (const auto it = m_seeded.find(key_of(kind, id)); it != m_seeded.end()) {
    it->second.stored_hashes.insert(hash);
  }
}

std::optional<std::string> CredentialCache::seeded_tag(CredentialKind kind, const std::string& id,
                                                       const std::string& stored_hash) const {
  const std::shared_lock lock(m_mutex);
  const auto it = m_seeded.find(key_of(kind, id));
  if (it == m_seeded.end() || it->second.stored_hashes.count(stored_hash) == 0) {
    return std::nullopt;
  }
  return it->second.tag;
}

bool CredentialCache::verified_before(CredentialKind kind, const std::string& id,
                                      const std::string& stored_hash, const std::string& tag) const {
  const std::shared_lock lock(m_mutex);
  const auto it = m_verified.find(key_of(kind, id));
  return it != m_verified.end() && it->second.stored_hash == stored_hash &&
         util::constant_time_equal(it->second.tag, tag);
}

void CredentialCache::remember_verified(CredentialKind kind, const std::string& id,
                                        const std::string& stored_hash, std::string tag) {
  const std::unique_lock lock(m_mutex);
  m_verified.insert_or_assign(key_of(kind, id), Verified{stored_hash, std::move(tag)});
}

void CredentialCache::offer_dummy_hash(const std::string& hash) {
  if (!is_slow_hash(hash)) {
    return;
  }
  const std::lock_guard lock(m_dummy_mutex);
  if (m_dummy_hash.empty()) {
    m_dummy_hash = hash;
  }
}

std::string CredentialCache::dummy_hash() const {
  const std::lock_guard lock(m_dummy_mutex);
  if (m_dummy_hash.empty()) {
    m_dummy_hash = hash_secret(util::random_token(16));
  }
  return m_dummy_hash;
}

} // namespace oauthctl::server
