// SPDX-License-Identifier: MIT
#include "server/auth/auth_state.hpp"

#include "server/auth/consent_rules.hpp"
#include "server/state/state_unavailable.hpp"

#include <oauthctl/util/crypto.hpp>

#include <nlohmann/json.hpp>

#include <ctime>

namespace oauthctl::server {

namespace {

using state::need;

// RFC 6749 §10.10: codes and refresh tokens carry 256 bits from the CSPRNG.
constexpr std::size_t k_secret_bytes = 32;

std::string hashed(const std::string& secret) {
  return util::to_hex(util::sha256(secret));
}

std::int64_t wall_now() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

Session to_session(const state::SessionRecord& row) {
  return {row.csrf_token, row.user_id, row.auth_time, row.expires_at};
}

PendingAuthorization to_pending(state::PendingRecord row) {
  PendingAuthorization request;
  request.client_id = std::move(row.client_id);
  request.redirect_uri = std::move(row.redirect_uri);
  request.response_type = std::move(row.response_type);
  request.state = std::move(row.state);
  request.scopes = std::move(row.scopes);
  request.code_challenge = std::move(row.code_challenge);
  request.nonce = std::move(row.nonce);
  request.login_hint = std::move(row.login_hint);
  request.prompt_login = row.prompt_login;
  request.max_age = row.max_age;
  // The OIDC request parameters without a column of their own (see pending_extra).
  const auto extra =
    nlohmann::json::parse(row.extra_json.empty() ? std::string("{}") : row.extra_json, nullptr, false);
  if (extra.is_object()) {
    request.prompt_none = extra.value("prompt_none", false);
    request.prompt_consent = extra.value("prompt_consent", false);
    request.response_mode = extra.value("response_mode", std::string());
  }
  request.session_id = std::move(row.session_id);
  request.expires_at = row.expires_at;
  return request;
}

// prompt=none, prompt=consent and response_mode, kept in the pending row's extra_json (a
// JSON object; empty when all are at their defaults) so every replica that continues the
// request answers it the way it was asked.
std::string pending_extra(const PendingAuthorization& request) {
  auto extra = nlohmann::json::object();
  if (request.prompt_none) {
    extra["prompt_none"] = true;
  }
  if (request.prompt_consent) {
    extra["prompt_consent"] = true;
  }
  if (!request.response_mode.empty()) {
    extra["response_mode"] = request.response_mode;
  }
  return extra.empty() ? std::string() : extra.dump();
}

RefreshGrant to_grant(state::RefreshRecord row) {
  return {std::move(row.family),
          std::move(row.client_id),
          std::move(row.user_id),
          std::move(row.scopes),
          row.auth_time,
          row.expires_at,
          std::move(row.certificate_thumbprint)};
}

} // namespace

AuthState::AuthState(state::StateStore& store)
    : m_store(store), m_revoked(store), m_login_backoff(store, {}, "login:"),
      m_user_backoff(store, per_username_policy({}), "login-user:") {}

std::string AuthState::create_session(std::int64_t expires_at) {
  auto id = util::random_token(k_secret_bytes);
  state::SessionRecord session;
  session.id = id;
  session.csrf_token = util::random_token(k_secret_bytes);
  session.created_at = wall_now();
  session.expires_at = expires_at;
  need(m_store.put_session(session));
  bound_anonymous_state(state::Bounded::anonymous_sessions);
  return id;
}

std::optional<Session> AuthState::session(const std::string& id, std::int64_t now) const {
  const auto row = need(m_store.session(id, now));
  return row ? std::optional(to_session(*row)) : std::nullopt;
}

std::string AuthState::sign_in(const std::string& id, const std::string& user_id, std::int64_t now) {
  // The session may have expired a moment ago: a login still renews it (as before, by id).
  const auto current = need(m_store.session(id, 0));
  if (!current) {
    return {};
  }
  state::SessionRecord fresh = *current;
  fresh.user_id = user_id;
  fresh.auth_time = now;
  // A new id and CSRF token after login: whatever was known of the session before
  // authentication (a planted cookie, a seen form) is worthless after it.
  fresh.id = util::random_token(k_secret_bytes);
  fresh.csrf_token = util::random_token(k_secret_bytes);
  // One transaction: the old id stops working, pending requests move to the new one.
  return need(m_store.replace_session(id, fresh)) ? fresh.id : std::string();
}

std::optional<std::vector<std::string>> AuthState::consented_scopes(const std::string& user_id,
                                                                    const std::string& client_id,
                                                                    std::int64_t now) const {
  auto row = need(m_store.consent(user_id, client_id, now));
  return row ? std::optional(std::move(row->scopes)) : std::nullopt;
}

void AuthState::remember_consent(const std::string& user_id, const std::string& client_id,
                                 const std::vector<std::string>& scopes, std::int64_t now) {
  auto before = consented_scopes(user_id, client_id, now);
  // The user's standing decision, not a session's: it lasts the consent lifetime (0: until
  // withdrawn) and every replica sees it.
  const auto expires_at = m_consent_lifetime > 0 ? now + m_consent_lifetime : 0;
  need(m_store.put_consent({user_id, client_id,
                            merge_scopes(before.value_or(std::vector<std::string>{}), scopes), now,
                            expires_at}));
}

std::vector<state::ConsentRecord> AuthState::consents(const std::string& user_id, std::int64_t now) const {
  return need(m_store.consents(user_id, now));
}

std::size_t AuthState::withdraw_consent(const std::string& user_id, const std::string& client_id) {
  // The consent first: from here on, a new request of the client asks again. Then the
  // grants made under it (RFC 7009 §2.1: revoking a refresh token ends the access tokens
  // issued from it; access tokens issued without one expire within their lifetime).
  need(m_store.delete_consent(user_id, client_id));
  const auto families = need(m_store.families_of(user_id, client_id));
  for (const auto& family : families) {
    revoke_family_now(family);
  }
  return families.size();
}

std::string AuthState::add_pending(PendingAuthorization request) {
  state::PendingRecord row;
  row.id = util::random_token(k_secret_bytes);
  row.session_id = std::move(request.session_id);
  row.client_id = std::move(request.client_id);
  row.redirect_uri = std::move(request.redirect_uri);
  row.response_type = std::move(request.response_type);
  row.state = std::move(request.state);
  row.scopes = std::move(request.scopes);
  row.code_challenge = std::move(request.code_challenge);
  row.nonce = std::move(request.nonce);
  row.login_hint = std::move(request.login_hint);
  row.prompt_login = request.prompt_login;
  row.max_age = request.max_age;
  row.extra_json = pending_extra(request);
  row.created_at = wall_now();
  row.expires_at = request.expires_at;
  need(m_store.put_pending(row));
  bound_anonymous_state(state::Bounded::pending_requests);
  return row.id;
}

std::optional<PendingAuthorization> AuthState::pending(const std::string& id, std::int64_t now) const {
  auto row = need(m_store.pending(id, now));
  return row ? std::optional(to_pending(std::move(*row))) : std::nullopt;
}

void AuthState::login_done(const std::string& id) {
  need(m_store.pending_login_done(id));
}

void AuthState::drop_pending(const std::string& id) {
  (void)need(m_store.take_pending(id));
}

std::string AuthState::issue_code(CodeGrant grant) {
  auto code = util::random_token(k_secret_bytes);
  state::CodeRecord row;
  row.code_hash = hashed(code);
  row.client_id = std::move(grant.client_id);
  row.redirect_uri = std::move(grant.redirect_uri);
  row.code_challenge = std::move(grant.code_challenge);
  row.nonce = std::move(grant.nonce);
  row.user_id = std::move(grant.user_id);
  row.scopes = std::move(grant.scopes);
  row.auth_time = grant.auth_time;
  row.expires_at = grant.expires_at;
  need(m_store.put_code(row));
  return code;
}

Redemption AuthState::redeem_code(const std::string& code, const std::string& client_id, std::int64_t now,
                                  CodeGrant& out) {
  // The store marks the code used in one UPDATE: of concurrent redemptions (in any
  // process) exactly one gets past this line with `ok`.
  auto [use, row] = need(m_store.use_code(hashed(code), client_id));
  switch (use) {
    case state::CodeUse::unknown:
      return Redemption::unknown;
    case state::CodeUse::wrong_client:
      // RFC 6749 §4.1.3: the code must have been issued to the authenticated client.
      return Redemption::wrong_client;
    case state::CodeUse::replayed:
      // RFC 6749 §4.1.2 and RFC 9700 §4.5: a code seen twice was stolen somewhere; revoke
      // everything the first redemption produced.
      for (const auto& linked : row.linked_jtis) {
        revoke_access(linked.jti, linked.expires_at);
      }
      if (!row.family.empty()) {
        revoke_family_now(row.family);
      }
      return Redemption::replayed;
    case state::CodeUse::ok:
      break;
  }
  if (row.expires_at <= now) {
    return Redemption::expired; // used up all the same
  }
  out = {std::move(row.client_id),
         std::move(row.redirect_uri),
         std::move(row.code_challenge),
         std::move(row.nonce),
         std::move(row.user_id),
         std::move(row.scopes),
         row.auth_time,
         row.expires_at};
  return Redemption::ok;
}

void AuthState::link_code(const std::string& code, const std::string& jti, std::int64_t jti_expires_at,
                          const std::string& family) {
  need(m_store.link_code(hashed(code), jti, jti_expires_at, family));
}

std::string AuthState::new_family() {
  return util::random_token(16);
}

std::string AuthState::issue_refresh(RefreshGrant grant) {
  auto token = new_refresh_token();
  state::RefreshRecord row;
  row.token_hash = hashed(token);
  row.family = std::move(grant.family);
  row.client_id = std::move(grant.client_id);
  row.user_id = std::move(grant.user_id);
  row.scopes = std::move(grant.scopes);
  row.auth_time = grant.auth_time;
  row.expires_at = grant.expires_at;
  row.certificate_thumbprint = std::move(grant.certificate_thumbprint);
  need(m_store.put_refresh(row));
  return token;
}

std::string AuthState::new_refresh_token() {
  return util::random_token(k_secret_bytes);
}

Redemption AuthState::rotate_refresh(const std::string& token, const std::string& client_id, std::int64_t now,
                                     RefreshGrant& out, const std::string& successor,
                                     std::int64_t successor_expires_at,
                                     const std::string& certificate_thumbprint) {
  // The compare-and-swap is the store's (rotated 0 -> 1 in one statement), and so is the
  // successor's insert, in the same transaction when the swap succeeded.
  auto [use, row] = need(m_store.rotate_refresh({hashed(token), client_id, now,
                                                 successor.empty() ? std::string() : hashed(successor),
                                                 successor_expires_at, certificate_thumbprint}));
  switch (use) {
    case state::RefreshUse::unknown:
      return Redemption::unknown;
    case state::RefreshUse::wrong_client:
      // RFC 6749 §6: a refresh token is bound to the client it was issued to.
      return Redemption::wrong_client;
    case state::RefreshUse::wrong_certificate:
      // RFC 8705 §4: a public client's refresh token works only with its certificate.
      return Redemption::wrong_certificate;
    case state::RefreshUse::expired:
      return Redemption::expired;
    case state::RefreshUse::replayed:
      // RFC 9700 §4.14.2: the store revoked the family in the same transaction; make its
      // access tokens' revocation visible here at once.
      (void)m_revoked.refresh();
      return Redemption::replayed;
    case state::RefreshUse::ok:
      break;
  }
  out = to_grant(std::move(row));
  return Redemption::ok;
}

std::optional<std::vector<std::string>> AuthState::refresh_scopes(const std::string& token) const {
  auto row = need(m_store.refresh(hashed(token)));
  return row ? std::optional(std::move(row->scopes)) : std::nullopt;
}

void AuthState::add_family_token(const std::string& family, const std::string& jti, std::int64_t expires_at) {
  need(m_store.add_family_token(family, jti, expires_at));
  // Issued into a family revoked meanwhile, the token was revoked by the store at once;
  // the view learns it now rather than at the next poll.
  (void)m_revoked.refresh();
}

std::optional<RefreshGrant> AuthState::active_refresh(const std::string& token, std::int64_t now) const {
  auto row = need(m_store.refresh(hashed(token)));
  if (!row || row->rotated || row->family_revoked || row->expires_at <= now) {
    return std::nullopt;
  }
  return to_grant(std::move(*row));
}

RefreshRevocation AuthState::revoke_refresh(const std::string& token, const std::string& client_id) {
  const auto row = need(m_store.refresh(hashed(token)));
  if (!row) {
    return RefreshRevocation::unknown;
  }
  if (row->client_id != client_id) {
    return RefreshRevocation::wrong_client;
  }
  // RFC 7009 §2.1: revoking a refresh token ends the authorization grant it stands for,
  // so every token of its rotation family goes, and the access tokens issued from them.
  revoke_family_now(row->family);
  return RefreshRevocation::revoked;
}

void AuthState::revoke_access(const std::string& jti, std::int64_t expires_at) {
  need(m_store.revoke_access(jti, expires_at));
  m_revoked.add(jti, expires_at);
}

std::string AuthState::family_of(const std::string& jti) const {
  return need(m_store.family_of(jti));
}

void AuthState::revoke_family(const std::string& family) {
  revoke_family_now(family);
}

bool AuthState::is_revoked(const std::string& jti) const {
  return m_revoked.is_revoked(jti);
}

std::int64_t AuthState::login_wait(const std::string& username, std::string_view address,
                                   std::int64_t now) const {
  return std::max(m_login_backoff.wait(address_key(username, address), now),
                  m_user_backoff.wait(username, now));
}

void AuthState::record_login(const std::string& username, std::string_view address, bool failed,
                             std::int64_t now) {
  m_login_backoff.record(address_key(username, address), failed, now);
  m_user_backoff.record(username, failed, now);
}

void AuthState::set_login_backoff(BackoffPolicy policy) {
  m_login_backoff.set_policy(policy);
  m_user_backoff.set_policy(per_username_policy(policy));
}

void AuthState::revoke_family_now(const std::string& family) {
  need(m_store.revoke_family(family));
  if (auto refreshed = m_revoked.refresh(); !refreshed) {
    throw state::StateUnavailable(refreshed.error().message);
  }
}

void AuthState::bound_anonymous_state(state::Bounded what) {
  // Counting is a query: done every 64th insert, so the cap may be passed by 63 rows.
  if (m_anonymous_inserts.fetch_add(1, std::memory_order_relaxed) % 64 != 63) {
    return;
  }
  if (need(m_store.count(what, wall_now())) > m_anonymous_cap) {
    (void)need(m_store.evict(what, m_anonymous_cap));
  }
}

} // namespace oauthctl::server
