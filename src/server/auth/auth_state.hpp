// SPDX-License-Identifier: MIT
#pragma once

#include "server/auth/login_backoff.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace oauthctl::server {

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
  std::set<std::string> consented_clients;
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
};

// Where AuthState writes what must survive a restart: refresh tokens (by hash) and access
// token revocations. Called with AuthState's lock held, one call at a time; a failure is
// the journal's to report, the in-memory state stays authoritative.
class AuthJournal {
public:
  virtual ~AuthJournal() = default;
  // The refresh token hashed `token_hash` now stands as `grant` (`rotated` once used).
  virtual void refresh_saved(const std::string& token_hash, const RefreshGrant& grant, bool rotated) = 0;
  // Every refresh token of `family` is dead.
  virtual void family_revoked(const std::string& family) = 0;
  // Access token `jti` was issued within refresh `family`.
  virtual void family_token_added(const std::string& family, const std::string& jti,
                                  std::int64_t expires_at) = 0;
  // Access token `jti` is revoked until it expires.
  virtual void token_revoked(const std::string& jti, std::int64_t expires_at) = 0;
};

// How a code or refresh token redemption went.
enum class Redemption { ok, unknown, expired, wrong_client, replayed };

// How a revocation request for a refresh token went (RFC 7009 §2.1).
enum class RefreshRevocation { revoked, unknown, wrong_client };

// The server's short-lived, mutable authorization state: sessions, pending requests,
// codes, refresh tokens, revoked access token ids and login backoff. Thread-safe. Secrets
// handed out (codes, refresh tokens) are kept only as SHA-256 hashes.
class AuthState {
public:
  // Sends every later change of refresh tokens and revocations to `journal`; call before
  // serving.
  void set_journal(std::unique_ptr<AuthJournal> journal);
  // Loads a refresh token saved by a journal (`token_hash` as refresh_saved gave it).
  void restore_refresh(const std::string& token_hash, RefreshGrant grant, bool rotated);
  // Loads an access token id of a refresh family saved by a journal.
  void restore_family_token(const std::string& family, const std::string& jti, std::int64_t expires_at);
  // Loads a revocation saved by a journal.
  void restore_revocation(const std::string& jti, std::int64_t expires_at);

  // A new session valid until `expires_at`; returns its id (the cookie value).
  std::string create_session(std::int64_t expires_at);
  // The session `id` if it exists and has not expired at `now`.
  [[nodiscard]] std::optional<Session> session(const std::string& id, std::int64_t now) const;
  // Records a successful login of `user_id` at `now` in session `id`, and returns the id
  // the session goes on under (a fresh one, against session fixation); pending requests
  // of the session move with it. Empty when `id` is unknown.
  [[nodiscard]] std::string sign_in(const std::string& id, const std::string& user_id, std::int64_t now);
  // Remembers that the session's user allowed `client_id`.
  void remember_consent(const std::string& id, const std::string& client_id);

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
  // Rotates `token` for `client_id` at `now`: on success fills `out` and the token stops
  // working. Presenting a rotated token again answers `replayed` and revokes its family.
  Redemption rotate_refresh(const std::string& token, const std::string& client_id, std::int64_t now,
                            RefreshGrant& out);
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
  // Revokes access token `jti` until `expires_at` (RFC 7009 §2), persisted by the journal.
  void revoke_access(const std::string& jti, std::int64_t expires_at);
  // The refresh family access token `jti` was issued in; empty when none.
  [[nodiscard]] std::string family_of(const std::string& jti) const;
  // Revokes refresh `family` and every access token issued in it.
  void revoke_family(const std::string& family);

  // True when the access token `jti` was revoked. Cheap when nothing was ever revoked.
  [[nodiscard]] bool is_revoked(const std::string& jti) const;

  // Seconds a login for `username` must still wait at `now` after repeated failures.
  [[nodiscard]] std::int64_t login_wait(const std::string& username, std::int64_t now) const;
  // Records a failed (true) or successful (false) login for `username` at `now`.
  void record_login(const std::string& username, bool failed, std::int64_t now);
  // Sets how failed logins (form and password grant alike) slow later ones down.
  void set_login_backoff(BackoffPolicy policy);

private:
  struct CodeEntry {
    CodeGrant grant;
    bool used = false;
    std::vector<std::pair<std::string, std::int64_t>> jtis;
    std::string family;
  };
  struct RefreshEntry {
    RefreshGrant grant;
    bool rotated = false;
  };
  struct Family {
    bool revoked = false;
    std::vector<std::pair<std::string, std::int64_t>> jtis;
  };

  void revoke_family_locked(const std::string& family);
  void revoke_jti_locked(const std::string& jti, std::int64_t expires_at);
  void prune_locked(std::int64_t now);
  void maybe_prune_locked();

  mutable std::mutex m_mutex;
  std::unique_ptr<AuthJournal> m_journal; // may be null
  std::unordered_map<std::string, Session> m_sessions;
  std::unordered_map<std::string, PendingAuthorization> m_pending;
  std::unordered_map<std::string, CodeEntry> m_codes;      // by sha256(code)
  std::unordered_map<std::string, RefreshEntry> m_refresh; // by sha256(token)
  std::unordered_map<std::string, Family> m_families;
  // Access token id -> its refresh family and expiry (for DELETE /Session); pruned on expiry.
  std::unordered_map<std::string, std::pair<std::string, std::int64_t>> m_jti_family;
  LoginBackoff m_login_backoff; // has its own lock
  std::uint64_t m_inserts = 0;
  mutable std::int64_t m_last_now = 0;

  // Read by every FHIR request: its own lock, and a counter to skip it when empty.
  mutable std::shared_mutex m_revoked_mutex;
  std::unordered_map<std::string, std::int64_t> m_revoked; // jti -> exp
  std::atomic<std::size_t> m_revoked_count{0};
};

} // namespace oauthctl::server
