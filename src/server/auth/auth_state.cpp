// SPDX-License-Identifier: MIT
#include "server/auth/auth_state.hpp"

#include <oauthctl/util/crypto.hpp>

#include <algorithm>

namespace oauthctl::server {

namespace {

// RFC 6749 §10.10: codes and refresh tokens carry 256 bits from the CSPRNG.
constexpr std::size_t k_secret_bytes = 32;
// How long a used code is remembered so that its replay is recognised (RFC 6749 §4.1.2).
constexpr std::int64_t k_used_code_memory = 600;

std::string hashed(const std::string& secret) {
  return util::to_hex(util::sha256(secret));
}

} // namespace

void AuthState::set_journal(std::unique_ptr<AuthJournal> journal) {
  const std::lock_guard lock(m_mutex);
  m_journal = std::move(journal);
}

void AuthState::restore_refresh(const std::string& token_hash, RefreshGrant grant, bool rotated) {
  const std::lock_guard lock(m_mutex);
  m_families.try_emplace(grant.family);
  m_refresh.insert_or_assign(token_hash, RefreshEntry{std::move(grant), rotated});
}

void AuthState::restore_family_token(const std::string& family, const std::string& jti,
                                     std::int64_t expires_at) {
  const std::lock_guard lock(m_mutex);
  m_families[family].jtis.emplace_back(jti, expires_at);
  m_jti_family.insert_or_assign(jti, std::pair{family, expires_at});
}

void AuthState::restore_revocation(const std::string& jti, std::int64_t expires_at) {
  const std::unique_lock lock(m_revoked_mutex);
  m_revoked.emplace(jti, expires_at);
  m_revoked_count.store(m_revoked.size(), std::memory_order_release);
}

std::string AuthState::create_session(std::int64_t expires_at) {
  auto id = util::random_token(k_secret_bytes);
  Session session;
  session.csrf_token = util::random_token(k_secret_bytes);
  session.expires_at = expires_at;
  const std::lock_guard lock(m_mutex);
  maybe_prune_locked();
  m_sessions.emplace(id, std::move(session));
  return id;
}

std::optional<Session> AuthState::session(const std::string& id, std::int64_t now) const {
  const std::lock_guard lock(m_mutex);
  m_last_now = std::max(m_last_now, now);
  const auto it = m_sessions.find(id);
  if (it == m_sessions.end() || it->second.expires_at <= now) {
    return std::nullopt;
  }
  return it->second;
}

std::string AuthState::sign_in(const std::string& id, const std::string& user_id, std::int64_t now) {
  const std::lock_guard lock(m_mutex);
  const auto it = m_sessions.find(id);
  if (it == m_sessions.end()) {
    return {};
  }
  auto session = std::move(it->second);
  m_sessions.erase(it);
  if (session.user_id != user_id) {
    // Another user in the same browser: consent given by the previous one does not carry.
    session.consented_clients.clear();
  }
  session.user_id = user_id;
  session.auth_time = now;
  // A new id and CSRF token after login: whatever was known of the session before
  // authentication (a planted cookie, a seen form) is worthless after it.
  session.csrf_token = util::random_token(k_secret_bytes);
  auto fresh = util::random_token(k_secret_bytes);
  for (auto& [pending_id, pending] : m_pending) {
    if (pending.session_id == id) {
      pending.session_id = fresh;
    }
  }
  m_sessions.emplace(fresh, std::move(session));
  return fresh;
}

void AuthState::remember_consent(const std::string& id, const std::string& client_id) {
  const std::lock_guard lock(m_mutex);
  const auto it = m_sessions.find(id);
  if (it != m_sessions.end()) {
    it->second.consented_clients.insert(client_id);
  }
}

std::string AuthState::add_pending(PendingAuthorization request) {
  auto id = util::random_token(k_secret_bytes);
  const std::lock_guard lock(m_mutex);
  maybe_prune_locked();
  m_pending.emplace(id, std::move(request));
  return id;
}

std::optional<PendingAuthorization> AuthState::pending(const std::string& id, std::int64_t now) const {
  const std::lock_guard lock(m_mutex);
  m_last_now = std::max(m_last_now, now);
  const auto it = m_pending.find(id);
  if (it == m_pending.end() || it->second.expires_at <= now) {
    return std::nullopt;
  }
  return it->second;
}

void AuthState::login_done(const std::string& id) {
  const std::lock_guard lock(m_mutex);
  const auto it = m_pending.find(id);
  if (it != m_pending.end()) {
    it->second.prompt_login = false;
  }
}

void AuthState::drop_pending(const std::string& id) {
  const std::lock_guard lock(m_mutex);
  m_pending.erase(id);
}

std::string AuthState::issue_code(CodeGrant grant) {
  auto code = util::random_token(k_secret_bytes);
  const std::lock_guard lock(m_mutex);
  maybe_prune_locked();
  m_codes.emplace(hashed(code), CodeEntry{std::move(grant), false, {}, {}});
  return code;
}

Redemption AuthState::redeem_code(const std::string& code, const std::string& client_id, std::int64_t now,
                                  CodeGrant& out) {
  const std::lock_guard lock(m_mutex);
  const auto it = m_codes.find(hashed(code));
  if (it == m_codes.end()) {
    return Redemption::unknown;
  }
  auto& entry = it->second;
  if (entry.grant.client_id != client_id) {
    // RFC 6749 §4.1.3: the code must have been issued to the authenticated client.
    return Redemption::wrong_client;
  }
  if (entry.used) {
    // RFC 6749 §4.1.2 and RFC 9700 §4.5: a code seen twice was stolen somewhere; revoke
    // everything the first redemption produced.
    for (const auto& [jti, expires_at] : entry.jtis) {
      revoke_jti_locked(jti, expires_at);
    }
    if (!entry.family.empty()) {
      revoke_family_locked(entry.family);
    }
    return Redemption::replayed;
  }
  entry.used = true;
  if (entry.grant.expires_at <= now) {
    return Redemption::expired;
  }
  out = entry.grant;
  return Redemption::ok;
}

void AuthState::link_code(const std::string& code, const std::string& jti, std::int64_t jti_expires_at,
                          const std::string& family) {
  const std::lock_guard lock(m_mutex);
  const auto it = m_codes.find(hashed(code));
  if (it == m_codes.end()) {
    return;
  }
  it->second.jtis.emplace_back(jti, jti_expires_at);
  it->second.family = family;
}

std::string AuthState::new_family() {
  return util::random_token(16);
}

std::string AuthState::issue_refresh(RefreshGrant grant) {
  auto token = util::random_token(k_secret_bytes);
  const std::lock_guard lock(m_mutex);
  maybe_prune_locked();
  m_families.try_emplace(grant.family);
  const auto key = hashed(token);
  if (m_journal) {
    m_journal->refresh_saved(key, grant, false);
  }
  m_refresh.emplace(key, RefreshEntry{std::move(grant), false});
  return token;
}

Redemption AuthState::rotate_refresh(const std::string& token, const std::string& client_id, std::int64_t now,
                                     RefreshGrant& out) {
  const std::lock_guard lock(m_mutex);
  const auto it = m_refresh.find(hashed(token));
  if (it == m_refresh.end()) {
    return Redemption::unknown;
  }
  auto& entry = it->second;
  if (entry.grant.client_id != client_id) {
    // RFC 6749 §6: a refresh token is bound to the client it was issued to.
    return Redemption::wrong_client;
  }
  const auto family = m_families.find(entry.grant.family);
  if (family != m_families.end() && family->second.revoked) {
    return Redemption::replayed;
  }
  if (entry.rotated) {
    // RFC 9700 §4.14.2: a rotated token used again means two parties hold the family;
    // the server cannot tell which is legitimate, so the whole family goes.
    revoke_family_locked(entry.grant.family);
    return Redemption::replayed;
  }
  if (entry.grant.expires_at <= now) {
    return Redemption::expired;
  }
  entry.rotated = true;
  if (m_journal) {
    m_journal->refresh_saved(it->first, entry.grant, true);
  }
  out = entry.grant;
  return Redemption::ok;
}

std::optional<std::vector<std::string>> AuthState::refresh_scopes(const std::string& token) const {
  const std::lock_guard lock(m_mutex);
  const auto it = m_refresh.find(hashed(token));
  if (it == m_refresh.end()) {
    return std::nullopt;
  }
  return it->second.grant.scopes;
}

void AuthState::add_family_token(const std::string& family, const std::string& jti, std::int64_t expires_at) {
  const std::lock_guard lock(m_mutex);
  auto& entry = m_families[family];
  if (entry.revoked) {
    revoke_jti_locked(jti, expires_at);
    return;
  }
  entry.jtis.emplace_back(jti, expires_at);
  m_jti_family.insert_or_assign(jti, std::pair{family, expires_at});
  if (m_journal) {
    m_journal->family_token_added(family, jti, expires_at);
  }
}

std::optional<RefreshGrant> AuthState::active_refresh(const std::string& token, std::int64_t now) const {
  const std::lock_guard lock(m_mutex);
  const auto it = m_refresh.find(hashed(token));
  if (it == m_refresh.end() || it->second.rotated || it->second.grant.expires_at <= now) {
    return std::nullopt;
  }
  const auto family = m_families.find(it->second.grant.family);
  if (family != m_families.end() && family->second.revoked) {
    return std::nullopt;
  }
  return it->second.grant;
}

RefreshRevocation AuthState::revoke_refresh(const std::string& token, const std::string& client_id) {
  const std::lock_guard lock(m_mutex);
  const auto it = m_refresh.find(hashed(token));
  if (it == m_refresh.end()) {
    return RefreshRevocation::unknown;
  }
  if (it->second.grant.client_id != client_id) {
    return RefreshRevocation::wrong_client;
  }
  // RFC 7009 §2.1: revoking a refresh token ends the authorization grant it stands for,
  // so every token of its rotation family goes, and the access tokens issued from them.
  revoke_family_locked(it->second.grant.family);
  return RefreshRevocation::revoked;
}

void AuthState::revoke_access(const std::string& jti, std::int64_t expires_at) {
  const std::lock_guard lock(m_mutex);
  revoke_jti_locked(jti, expires_at);
}

std::string AuthState::family_of(const std::string& jti) const {
  const std::lock_guard lock(m_mutex);
  const auto it = m_jti_family.find(jti);
  return it == m_jti_family.end() ? std::string() : it->second.first;
}

void AuthState::revoke_family(const std::string& family) {
  const std::lock_guard lock(m_mutex);
  revoke_family_locked(family);
}

bool AuthState::is_revoked(const std::string& jti) const {
  if (m_revoked_count.load(std::memory_order_acquire) == 0) {
    return false;
  }
  const std::shared_lock lock(m_revoked_mutex);
  return m_revoked.find(jti) != m_revoked.end();
}

std::int64_t AuthState::login_wait(const std::string& username, std::int64_t now) const {
  return m_login_backoff.wait(username, now);
}

void AuthState::record_login(const std::string& username, bool failed, std::int64_t now) {
  m_login_backoff.record(username, failed, now);
}

void AuthState::set_login_backoff(BackoffPolicy policy) {
  m_login_backoff.set_policy(policy);
}

void AuthState::revoke_family_locked(const std::string& family) {
  auto& entry = m_families[family];
  entry.revoked = true;
  if (m_journal) {
    m_journal->family_revoked(family);
  }
  for (const auto& [jti, expires_at] : entry.jtis) {
    revoke_jti_locked(jti, expires_at);
  }
}

void AuthState::revoke_jti_locked(const std::string& jti, std::int64_t expires_at) {
  if (m_journal) {
    m_journal->token_revoked(jti, expires_at);
  }
  const std::unique_lock lock(m_revoked_mutex);
  m_revoked.emplace(jti, expires_at);
  m_revoked_count.store(m_revoked.size(), std::memory_order_release);
}

void AuthState::maybe_prune_locked() {
  // Expired entries go in batches, timed by the latest clock reading any call brought;
  // sooner when anonymous /auth/authorize requests pile up sessions and pending requests.
  constexpr std::size_t k_crowded = 50000;
  const bool crowded = m_sessions.size() > k_crowded || m_pending.size() > k_crowded;
  if (++m_inserts % (crowded ? 64 : 512) == 0 && m_last_now > 0) {
    prune_locked(m_last_now);
  }
}

void AuthState::prune_locked(std::int64_t now) {
  std::erase_if(m_sessions, [now](const auto& item) { return item.second.expires_at <= now; });
  std::erase_if(m_pending, [now](const auto& item) { return item.second.expires_at <= now; });
  std::erase_if(m_codes,
                [now](const auto& item) { return item.second.grant.expires_at + k_used_code_memory <= now; });
  std::erase_if(m_jti_family, [now](const auto& item) { return item.second.second <= now; });
  const std::unique_lock lock(m_revoked_mutex);
  std::erase_if(m_revoked, [now](const auto& item) { return item.second <= now; });
  m_revoked_count.store(m_revoked.size(), std::memory_order_release);
}

} // namespace oauthctl::server
