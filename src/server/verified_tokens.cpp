// SPDX-License-Identifier: MIT
#include "server/verified_tokens.hpp"

#include <oauthctl/util/crypto.hpp>

#include <mutex>

namespace oauthctl::server {

tl::expected<std::shared_ptr<const VerifiedToken>, BearerRefusal>
VerifiedTokens::verify(const http::Headers& headers, const BearerChecks& checks,
                       const std::shared_ptr<const KeySet>& key_set) {
  const auto token = bearer_token(headers);
  if (!token) {
    return tl::unexpected(token.error());
  }
  auto digest = util::sha256(*token);
  auto verified = find(digest, key_set.get(), checks.now);
  if (!verified) {
    auto fresh = verify_access_token(*token, checks);
    if (!fresh) {
      return tl::unexpected(std::move(fresh.error()));
    }
    verified = std::make_shared<const VerifiedToken>(std::move(*fresh));
    if (!verified->has_not_before && verified->expires_at > checks.now) {
      remember(std::move(digest), key_set, verified, checks.now);
    }
  }
  if (auto bound = check_certificate_binding(*verified, checks); !bound) {
    return tl::unexpected(std::move(bound.error()));
  }
  return verified;
}

std::size_t VerifiedTokens::size() const {
  const std::shared_lock lock(m_mutex);
  return m_entries.size();
}

std::shared_ptr<const VerifiedToken> VerifiedTokens::find(const std::string& digest, const KeySet* key_set,
                                                          std::int64_t now) const {
  const std::shared_lock lock(m_mutex);
  if (m_key_set.get() != key_set) {
    return nullptr;
  }
  const auto it = m_entries.find(digest);
  // RFC 7519 §4.1.4: not on or after exp (what check_claims refuses).
  if (it == m_entries.end() || now >= it->second->expires_at) {
    return nullptr;
  }
  return it->second;
}

void VerifiedTokens::remember(std::string digest, const std::shared_ptr<const KeySet>& key_set,
                              std::shared_ptr<const VerifiedToken> token, std::int64_t now) {
  if (m_capacity == 0) {
    return;
  }
  const std::unique_lock lock(m_mutex);
  if (m_key_set != key_set) {
    // Another set: what was verified under the old one may not verify under this one.
    m_entries.clear();
    m_key_set = key_set;
  }
  if (m_entries.size() >= m_capacity) {
    std::erase_if(m_entries, [now](const auto& entry) { return now >= entry.second->expires_at; });
  }
  while (m_entries.size() >= m_capacity) {
    m_entries.erase(m_entries.begin());
  }
  m_entries.insert_or_assign(std::move(digest), std::move(token));
}

} // namespace oauthctl::server
