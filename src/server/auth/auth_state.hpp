// SPDX-License-Identifier: MIT
#pragma once

#include "server/auth/login_backoff.hpp"
#include "server/state/revocation_view.hpp"
#include "server/state/state_store.hpp"

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace oauthctl::server {

// How long a user's Allow on the consent page lasts unless `serve --consent-lifetime` says
// otherwise: 90 days, after which the user is asked again (consent is not forever: a user
// forgets what they allowed; OIDC Core §3.1.2.4 leaves the period to the server).
inline constexpr std::int64_t k_default_consent_lifetime = 90 * 24 * 3600;

// A validated authorization request (RFC 6749 §4.1.1 / §4.2.1) waiting for login and
// consent. Kept server-side: the browser only carries its random id.
struct PendingAuthorization {
  std::string client_id;
  std::string redirect_uri;  // exactly as presented (the token request must repeat it)
  std::string response_type; // "code" or "token"
  std::string state;
  std::vector<std::string> scopes;
  std::string code_challenge; // S256 only; empty without PKCE
  std::string nonce;
  std::string login_hint;
  bool prompt_login = false;   // prompt=login or select_account, or max_age ran out
  bool prompt_none = false;    // prompt=none: answer an error instead of showing a page
  bool prompt_consent = false; // prompt=consent: ask even when consent is on record
  std::string response_mode;   // "query", "fragment" or "form_post" (OIDC / OAuth form post)
  std::int64_t max_age = -1;   // OIDC max_age in seconds; -1: none
  std::string session_id;      // the browser session that started it
  std::int64_t expires_at = 0;
};

// A browser session of the login UI.
struct Session {
  std::string csrf_token;
  std::string user_id; // empty until a login succeeds
  std::int64_t auth_time = 0;
  std::int64_t expires_at = 0;
};

// What an authorization code stands for (RFC 6749 §4.1.2), stored under its hash.
struct CodeGrant {
  std::string client_id;
  std::string redirect_uri;
  std::string code_challenge;
  std::string nonce;
  std::string user_id;
  std::vector<std::string> scopes;
  std::int64_t auth_time = 0;
  std::int64_t expires_at = 0;
};

// What a refresh token stands for, stored under its hash; tokens rotated from one
// another share a `family`.
struct RefreshGrant {
  std::string family;
  std::string client_id;
  std::string user_id;
  std::vector<std::string> scopes; // as first granted: a refresh may only narrow them
  std::int64_t auth_time = 0;
  std::int64_t expires_at = 0;
  // RFC 8705 §4: the client certificate the family is bound to (x5t#S256); empty: none.
  std::string certificate_thumbprint = {};
};

// How a code or refresh token redemption went. `wrong_certificate`: a refresh family bound
// to another client certificate (the token stays usable with the right one).
enum class Redemption { ok, unknown, expired, wrong_client, wrong_certificate, replayed };

// How a revocation request for a refresh token went (RFC 7009 §2.1).
enum class RefreshRevocation { revoked, unknown, wrong_client };

// The server's authorization logic over the state store: sessions, pending requests,
// codes, refresh tokens, revoked access token ids and login backoff. It keeps no state of
// its own beyond the revocation view (a cache with a 1 s bound, see revocation_view.hpp);
// every step that must happen once is one atomic call of the store, so any number of
// `serve` processes on one database agree. Secrets handed out (codes, refresh tokens) are
// stored only as SHA-256 hashes. A store failure throws state::StateUnavailable (answered
// 503 by handle_request). Thread-safe.
class AuthState {
public:
  // Works on `store`, which must outlive it.
  explicit AuthState(state::StateStore& store);

  // A new session valid until `expires_at`; returns its id (the cookie value).
  std::string create_session(std::int64_t expires_at);
  // The session `id` if it exists and has not expired at `now`.
  [[nodiscard]] std::optional<Session> session(const std::string& id, std::int64_t now) const;
  // Records a successful login of `user_id` at `now` in session `id`, and returns the id
  // the session goes on under (a fresh one, against session fixation); pending requests
  // of the session move with it. Empty when `id` is unknown.
  [[nodiscard]] std::string sign_in(const std::string& id, const std::string& user_id, std::int64_t now);

  // The scopes `user_id` allowed `client_id` (the store's lasting consent record, shared
  // by every replica); nothing when the user never allowed it anything.
  [[nodiscard]] std::optional<std::vector<std::string>>
  consented_scopes(const std::string& user_id, const std::string& client_id, std::int64_t now) const;
  // Adds `scopes` to what `user_id` allowed `client_id` (the consent page's Allow), for the
  // consent lifetime from `now`: the page lists what was allowed before, so an Allow renews
  // the whole set. Two answers at the same moment for one user and client may keep only one
  // of them: the other request's scopes are then asked for again, never granted unasked.
  void remember_consent(const std::string& user_id, const std::string& client_id,
                        const std::vector<std::string>& scopes, std::int64_t now);
  // What `user_id` has allowed, client by client (not expired at `now`).
  [[nodiscard]] std::vector<state::ConsentRecord> consents(const std::string& user_id,
                                                           std::int64_t now) const;
  // Withdraws what `user_id` allowed `client_id`: the next request of that client asks
  // again, and the client's refresh tokens for the user stop working, with the access
  // tokens issued from them. Returns how many refresh families were revoked.
  std::size_t withdraw_consent(const std::string& user_id, const std::string& client_id);
  // How long an Allow lasts, in seconds (0: until withdrawn); k_default_consent_lifetime.
  void set_consent_lifetime(std::int64_t seconds) { m_consent_lifetime = seconds; }

  // Keeps `request`; returns the id the login and consent forms carry.
  std::string add_pending(PendingAuthorization request);
  // The pending request `id`, unless it expired at `now`.
  [[nodiscard]] std::optional<PendingAuthorization> pending(const std::string& id, std::int64_t now) const;
  // Marks that the user signed in for pending request `id` (satisfies prompt=login).
  void login_done(const std::string& id);
  // Forgets the pending request `id` (it was answered).
  void drop_pending(const std::string& id);

  // Stores `grant` and returns the code to hand out.
  std::string issue_code(CodeGrant grant);
  // Consumes `code` for `client_id` at `now`, filling `out` on success. A second use
  // answers `replayed` and revokes everything issued from the first.
  Redemption redeem_code(const std::string& code, const std::string& client_id, std::int64_t now,
                         CodeGrant& out);
  // Ties what redeeming `code` produced to it, so a replay can revoke it: the access
  // token's `jti` (valid until `jti_expires_at`) and the refresh `family` (may be empty).
  void link_code(const std::string& code, const std::string& jti, std::int64_t jti_expires_at,
                 const std::string& family);

  // A new refresh family id.
  static std::string new_family();
  // Stores `grant` and returns the refresh token to hand out.
  std::string issue_refresh(RefreshGrant grant);
  // A fresh refresh token, not stored yet (rotate_refresh stores it as a successor).
  static std::string new_refresh_token();
  // Rotates `token` for `client_id` at `now`, presented over a connection with the client
  // certificate `certificate_thumbprint` (empty: none): on success fills `out` and the token
  // stops working. Presenting a rotated token again answers `replayed` and revokes its
  // family; a family bound to another certificate answers `wrong_certificate`. A
  // `successor` (from new_refresh_token) is stored in the same transaction, in the same
  // family (and its certificate binding) until `successor_expires_at`: one rotation is one
  // commit (docs/scaling.md).
  Redemption rotate_refresh(const std::string& token, const std::string& client_id, std::int64_t now,
                            RefreshGrant& out, const std::string& successor = {},
                            std::int64_t successor_expires_at = 0,
                            const std::string& certificate_thumbprint = {});
  // The scopes first granted with refresh `token`, when it is known; nothing changes.
  [[nodiscard]] std::optional<std::vector<std::string>> refresh_scopes(const std::string& token) const;
  // Records an access token issued within refresh `family`, for family revocation.
  void add_family_token(const std::string& family, const std::string& jti, std::int64_t expires_at);

  // The grant of refresh `token` when it still works at `now`: known, not yet rotated,
  // its family not revoked, not expired (RFC 7662 §2.2 `active`).
  [[nodiscard]] std::optional<RefreshGrant> active_refresh(const std::string& token, std::int64_t now) const;
  // Revokes refresh `token`'s whole family, with the access tokens issued in it, when it
  // was issued to `client_id` (RFC 7009 §2.1).
  RefreshRevocation revoke_refresh(const std::string& token, const std::string& client_id);
  // Revokes access token `jti` until `expires_at` (RFC 7009 §2), in the store.
  void revoke_access(const std::string& jti, std::int64_t expires_at);
  // The refresh family access token `jti` was issued in; empty when none.
  [[nodiscard]] std::string family_of(const std::string& jti) const;
  // Revokes refresh `family` and every access token issued in it.
  void revoke_family(const std::string& family);

  // True when the access token `jti` was revoked. Cheap when nothing was ever revoked.
  // A view past its 1 s bound is refreshed first (RevocationView): WouldBlock on an event
  // loop, StateUnavailable when the store cannot be asked.
  [[nodiscard]] bool is_revoked(const std::string& jti) const;

  // Seconds a login for `username` from `address` must still wait at `now` after repeated
  // failures: the longer of the wait for that username from that address (the policy) and
  // the wait for that username from anywhere (the softer policy, see per_username_policy).
  // `address` is the client address, with the browser session where there is one
  // (guess_source in browser_session.hpp: the login and device pages).
  [[nodiscard]] std::int64_t login_wait(const std::string& username, std::string_view address,
                                        std::int64_t now) const;
  // Records a failed (true) or successful (false) login for `username` from `address` at
  // `now`; a success forgets both counts.
  void record_login(const std::string& username, std::string_view address, bool failed, std::int64_t now);
  // Sets how failed logins (form and password grant alike) slow later ones down.
  void set_login_backoff(BackoffPolicy policy);

  // Reads revocations made by other processes since the last refresh (the maintenance
  // thread calls it every 250 ms); `network` error when the store cannot be read.
  [[nodiscard]] util::Result<void> refresh_revocations() { return m_revoked.refresh(); }

  // Caps the sessions without a user and the pending requests that anonymous
  // /auth/authorize requests create (the soonest-expiring go first beyond it).
  void set_anonymous_cap(std::size_t cap) { m_anonymous_cap = cap; }

private:
  // Revokes `family` and brings the view up to date with what that revoked.
  void revoke_family_now(const std::string& family);
  // Every 64th anonymous insert, evicts beyond the cap (counting is a query).
  void bound_anonymous_state(state::Bounded what);

  state::StateStore& m_store;
  mutable state::RevocationView m_revoked; // its own locks; is_revoked may refresh it
  LoginBackoff m_login_backoff;            // username + client address (+ browser session)
  LoginBackoff m_user_backoff;             // username alone, softer
  std::int64_t m_consent_lifetime = k_default_consent_lifetime;
  std::size_t m_anonymous_cap = 50000;
  std::atomic<std::uint64_t> m_anonymous_inserts{0};
};

} // namespace oauthctl::server
