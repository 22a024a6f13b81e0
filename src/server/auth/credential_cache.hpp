// SPDX-License-Identifier: MIT
#pragma once

#include "server/auth/hash_gate.hpp"

#include <oauthctl/util/hmac_key.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace oauthctl::server {

// Whose credential: the client secret of a client, or the password of a user (ids of the
// two kinds may be equal).
enum class CredentialKind { client, user };

// What a process knows about credentials beyond one directory snapshot (directory.hpp):
// the seed's own secrets, the secrets it verified already, the hash gate and a dummy hash.
// The client registry and user directory of every snapshot share one, so a snapshot swap
// (another replica wrote a client) costs no scrypt run for an unchanged secret.
//
// Every memory of a secret is tied to the stored hash it stands for: when the stored hash
// of an id changes (its secret changed on any replica), what this process remembered for
// the old hash no longer applies, and the next attempt is checked against the new hash.
// Secrets are kept as HMAC-SHA-256(process-random key, id NUL secret): never stored, not
// reversible without the key, compared in constant time. Thread-safe.
class CredentialCache {
public:
  explicit CredentialCache(std::shared_ptr<const HashGate> gate = std::make_shared<HashGate>());

  // Bounds the slow verifications (scrypt, 32 MiB each) of clients and users together.
  [[nodiscard]] const HashGate& gate() const { return *m_gate; }

  // The process's tag of (`id`, `secret`).
  [[nodiscard]] std::string tag(std::string_view id, std::string_view secret) const;

  // The seed (--config, --demo) is the truth for what it lists: `secret` is the one secret
  // of seeded `id` while the stored hash is `stored_hash` or one accepted later.
  void trust_seed(CredentialKind kind, const std::string& id, std::string_view secret,
                  const std::string& stored_hash);
  // This process stores `hash` for seeded `id` (its seed's secret, hashed at rest).
  void accept_seed_hash(CredentialKind kind, const std::string& id, const std::string& hash);
  // The seed's tag for `id` when the stored hash is still one this process stored or found
  // for its seed; nullopt when `id` is not seeded here or someone else changed its secret.
  [[nodiscard]] std::optional<std::string> seeded_tag(CredentialKind kind, const std::string& id,
                                                      const std::string& stored_hash) const;

  // True when `tag` was verified against `stored_hash` before (constant-time compare).
  [[nodiscard]] bool verified_before(CredentialKind kind, const std::string& id,
                                     const std::string& stored_hash, const std::string& tag) const;
  void remember_verified(CredentialKind kind, const std::string& id, const std::string& stored_hash,
                         std::string tag);

  // A slow hash to verify against for unknown ids, so they cost what a wrong secret costs.
  // `offer` keeps the first real one it is given (same parameters as the store's); otherwise
  // one is made at first use (scrypt: call it inside the gate).
  void offer_dummy_hash(const std::string& hash);
  [[nodiscard]] std::string dummy_hash() const;

private:
  struct Seeded {
    std::string tag;
    std::set<std::string> stored_hashes; // the stored hashes that stand for the seed's secret
  };
  struct Verified {
    std::string stored_hash;
    std::string tag;
  };
  static std::string key_of(CredentialKind kind, std::string_view id);

  util::HmacSha256Key m_key; // process-random HMAC key, never stored
  std::shared_ptr<const HashGate> m_gate;
  mutable std::shared_mutex m_mutex;
  std::unordered_map<std::string, Seeded> m_seeded;     // kind:id -> seed's tag
  std::unordered_map<std::string, Verified> m_verified; // kind:id -> last verified secret
  mutable std::mutex m_dummy_mutex;
  mutable std::string m_dummy_hash;
};

} // namespace oauthctl::server
