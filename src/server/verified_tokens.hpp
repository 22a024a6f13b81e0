// SPDX-License-Identifier: MIT
#pragma once

#include "server/access_token.hpp"
#include "server/auth/signing_keys.hpp"

#include <tl/expected.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace oauthctl::server {

// Access tokens that passed verify_access_token, so that a client presenting the same
// token again does not pay for its RSA/ECDSA signature check and JSON parse on every FHIR
// request (the largest part of a read's CPU). What is kept, and why it stays safe:
// - keyed by SHA-256 of the token's bytes (nothing but an exact token matches, the token
//   itself is not held, and the lookup time says nothing about a token's bytes);
// - only under the key set it was verified with: a rotation (a new KeySet, which also
//   drops a retired key once its publish_until passes) empties the cache;
// - never past `exp`: a hit at or after exp is a miss, and the full check then refuses it
//   with its usual message; tokens with `nbf` are not kept (ours carry none);
// - not revocation and not the certificate binding: callers check both on every request
//   (AuthState::is_revoked, check_certificate_binding), so the 1 s revocation bound and
//   RFC 8705 §3 hold as without the cache.
// One cache per set of checks (issuer and audiences): serve keeps one for /fhir. Bounded:
// at `capacity` entries, expired ones go first, then arbitrary ones. Thread-safe.
class VerifiedTokens {
public:
  explicit VerifiedTokens(std::size_t capacity = 1024) : m_capacity(capacity) {}

  // verify_bearer with the cache: the Authorization header's token, verified (or found
  // verified under `key_set`, whose verifier `checks` names), and its certificate binding
  // checked against this request. Answers exactly as verify_bearer does.
  [[nodiscard]] tl::expected<std::shared_ptr<const VerifiedToken>, BearerRefusal>
  verify(const http::Headers& headers, const BearerChecks& checks,
         const std::shared_ptr<const KeySet>& key_set);

  [[nodiscard]] std::size_t size() const;

private:
  [[nodiscard]] std::shared_ptr<const VerifiedToken> find(const std::string& digest, const KeySet* key_set,
                                                          std::int64_t now) const;
  void remember(std::string digest, const std::shared_ptr<const KeySet>& key_set,
                std::shared_ptr<const VerifiedToken> token, std::int64_t now);

  std::size_t m_capacity;
  mutable std::shared_mutex m_mutex;
  // The set the entries were verified under; held, so its address cannot be reused by a
  // later set while entries refer to it.
  std::shared_ptr<const KeySet> m_key_set;
  std::unordered_map<std::string, std::shared_ptr<const VerifiedToken>> m_entries; // SHA-256 -> token
};

} // namespace oauthctl::server
