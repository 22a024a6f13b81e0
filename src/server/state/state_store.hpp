// SPDX-License-Identifier: MIT
#pragma once

#include "server/state/state_records.hpp"

#include <oauthctl/util/error.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// The one interface to serve's live state. README.md beside this file states the contract
// every implementation keeps (atomicity, errors, expiry); tests/unit/state_contract.hpp
// checks it against any implementation.
namespace oauthctl::server::state {

// How consuming a code went. `wrong_client` leaves the code unused.
enum class CodeUse { ok, unknown, wrong_client, replayed };

// How a refresh rotation went. `replayed`: the token was rotated before, or its family was
// revoked; the store has revoked the family (and its access tokens) in the same
// transaction. `wrong_certificate`: the family is bound to another certificate than the
// one presented (RFC 8705 §4). `expired`, `wrong_client` and `wrong_certificate` change
// nothing.
enum class RefreshUse { ok, unknown, wrong_client, wrong_certificate, expired, replayed };

// One refresh rotation: the presented token's hash, who presents it and when, and the
// successor to insert in the same family in the same transaction (empty hash: none).
struct RefreshRotation {
  std::string token_hash;
  std::string client_id;
  std::int64_t now = 0;
  std::string successor_hash;
  std::int64_t successor_expires_at = 0;
  // The thumbprint of the TLS client certificate of the request (empty: none); a family
  // bound to a certificate rotates only with that one.
  std::string certificate_thumbprint = {};
};

// How one device-code poll (RFC 8628 §3.5) went, decided atomically by the store.
enum class DevicePollResult {
  approved,  // the record is returned and deleted: a device code yields tokens once
  pending,   // authorization_pending; last_poll is now
  slow_down, // polled sooner than `interval` after the last poll; interval grew by 5 s
  denied,    // access_denied (the record stays until it expires)
  expired,   // expired_token
  unknown,   // never issued, already redeemed, pruned, or another client's
};

// Revocations added after a version, and the version they bring the reader to.
struct RevocationDelta {
  std::int64_t version = 0;
  std::vector<RevocationRecord> added;
};

// What can be counted and evicted to keep anonymous state bounded (a flood of unauthenticated
// /auth/authorize requests must not grow the database without bound).
enum class Bounded {
  anonymous_sessions, // sessions without a user
  pending_requests,   // pending authorization requests
  device_codes,       // device authorizations (of one client when a client id is given)
};

// Serve's live state. Every operation is one atomic step in the database: concurrent
// callers in this process or in other processes on the same database see each step whole
// (see README.md). Errors: ErrorKind::network when the database cannot be reached or
// answers with an error (the caller answers 503 temporarily_unavailable with Retry-After
// and tries again later); ErrorKind::internal for a bug. Expected outcomes (a code already
// used, a jti seen) are values, never errors. Thread-safe.
class StateStore {
public:
  virtual ~StateStore() = default;

  // ---- clients and users (the admin API writes these too) -------------------------------
  [[nodiscard]] virtual util::Result<std::vector<PrincipalRecord>> clients() = 0;
  [[nodiscard]] virtual util::Result<std::optional<PrincipalRecord>> client(const std::string& id) = 0;
  // Inserts or replaces the client `record.id` (updated_at is set by the store).
  [[nodiscard]] virtual util::Result<void> put_client(const PrincipalRecord& record) = 0;
  // Deletes client `id`; false when there was none.
  [[nodiscard]] virtual util::Result<bool> delete_client(const std::string& id) = 0;
  [[nodiscard]] virtual util::Result<std::vector<PrincipalRecord>> users() = 0;
  [[nodiscard]] virtual util::Result<std::optional<PrincipalRecord>> user(const std::string& id) = 0;
  [[nodiscard]] virtual util::Result<void> put_user(const PrincipalRecord& record) = 0;
  [[nodiscard]] virtual util::Result<bool> delete_user(const std::string& id) = 0;

  // ---- signing keys ------------------------------------------------------------------------
  // Every key not yet pruned, oldest first.
  [[nodiscard]] virtual util::Result<std::vector<KeyRecord>> keys() = 0;
  // Adds `key`; an existing kid is left as it is (false then).
  [[nodiscard]] virtual util::Result<bool> add_key(const KeyRecord& key) = 0;
  // Adds `key` only when no key is active, as one step in the database: replicas starting
  // at once on a new store all end up signing with the one key that won (false when
  // another active key was there first).
  [[nodiscard]] virtual util::Result<bool> add_first_key(const KeyRecord& key) = 0;
  // Retires active key `kid` at `retired_at`, published until `publish_until`; false when
  // no active key has that kid.
  [[nodiscard]] virtual util::Result<bool> retire_key(const std::string& kid, std::int64_t retired_at,
                                                      std::int64_t publish_until) = 0;
  // A number that changes whenever a client, user or key is written or deleted, so caches
  // of them can be checked cheaply.
  [[nodiscard]] virtual util::Result<std::int64_t> directory_version() = 0;

  // ---- browser sessions ----------------------------------------------------------------------
  [[nodiscard]] virtual util::Result<void> put_session(const SessionRecord& session) = 0;
  // Session `id` unless it expired at `now`.
  [[nodiscard]] virtual util::Result<std::optional<SessionRecord>> session(const std::string& id,
                                                                           std::int64_t now) = 0;
  // Atomically replaces session `old_id` by `fresh` (a login: new id and CSRF token against
  // fixation) and moves its pending requests to `fresh.id`; false when `old_id` is unknown.
  [[nodiscard]] virtual util::Result<bool> replace_session(const std::string& old_id,
                                                           const SessionRecord& fresh) = 0;
  [[nodiscard]] virtual util::Result<void> delete_session(const std::string& id) = 0;

  // ---- pending authorization requests ------------------------------------------------------
  [[nodiscard]] virtual util::Result<void> put_pending(const PendingRecord& request) = 0;
  [[nodiscard]] virtual util::Result<std::optional<PendingRecord>> pending(const std::string& id,
                                                                           std::int64_t now) = 0;
  // Clears prompt_login of request `id` (the user signed in for it).
  [[nodiscard]] virtual util::Result<void> pending_login_done(const std::string& id) = 0;
  // Deletes request `id`; true when this call deleted it (the answer is given once).
  [[nodiscard]] virtual util::Result<bool> take_pending(const std::string& id) = 0;

  // ---- authorization codes --------------------------------------------------------------------
  [[nodiscard]] virtual util::Result<void> put_code(const CodeRecord& code) = 0;
  // Marks code `code_hash` used, once: of any number of concurrent calls at most one gets
  // `ok` (UPDATE … SET used = 1 WHERE used = 0 … RETURNING). The record is returned with
  // `ok` and `replayed` (for `replayed` with its linked tokens, which the caller revokes).
  // Expiry is the caller's to judge on the returned record (the code is used either way).
  [[nodiscard]] virtual util::Result<std::pair<CodeUse, CodeRecord>>
  use_code(const std::string& code_hash, const std::string& client_id) = 0;
  // Links what redeeming code `code_hash` produced: access token `jti` and refresh `family`
  // (may be empty).
  [[nodiscard]] virtual util::Result<void> link_code(const std::string& code_hash, const std::string& jti,
                                                     std::int64_t jti_expires_at,
                                                     const std::string& family) = 0;

  // ---- refresh tokens and their families ---------------------------------------------------
  // Inserts refresh token `token.token_hash` (its family is created when new, bound to
  // `token.certificate_thumbprint`; an existing family keeps its binding).
  [[nodiscard]] virtual util::Result<void> put_refresh(const RefreshRecord& token) = 0;
  // Refresh token `token_hash` as stored (rotated / family_revoked filled in), expired or not.
  [[nodiscard]] virtual util::Result<std::optional<RefreshRecord>> refresh(const std::string& token_hash) = 0;
  // The compare-and-swap of RFC 9700 §4.14.2: marks the token rotated only when it was not
  // (and its family is live and it has not expired at `now`), inserting the successor in the
  // same transaction. Presenting a rotated token revokes its family. A family bound to a
  // certificate (RefreshRecord::certificate_thumbprint) rotates only when the rotation
  // presents the same thumbprint; otherwise `wrong_certificate` and nothing changes. Returns
  // the presented token's record with `ok` (and with `replayed`, `expired` when known).
  [[nodiscard]] virtual util::Result<std::pair<RefreshUse, RefreshRecord>>
  rotate_refresh(const RefreshRotation& rotation) = 0;
  // Revokes `family`: its refresh tokens stop working and every access token id issued in it
  // is revoked (visible through revocations_since).
  [[nodiscard]] virtual util::Result<void> revoke_family(const std::string& family) = 0;
  // Records access token `jti` as issued in `family`; when the family is already revoked the
  // jti is revoked at once instead (a race with a revocation must not leave it working).
  [[nodiscard]] virtual util::Result<void> add_family_token(const std::string& family, const std::string& jti,
                                                            std::int64_t expires_at) = 0;
  // The family access token `jti` was issued in; empty when none.
  [[nodiscard]] virtual util::Result<std::string> family_of(const std::string& jti) = 0;
  // The refresh families issued to `client_id` for `user_id` that are not revoked (a user
  // withdrawing consent ends them all).
  [[nodiscard]] virtual util::Result<std::vector<std::string>> families_of(const std::string& user_id,
                                                                           const std::string& client_id) = 0;

  // ---- access token revocations ---------------------------------------------------------------
  // Revokes `jti` until `expires_at` (idempotent).
  [[nodiscard]] virtual util::Result<void> revoke_access(const std::string& jti, std::int64_t expires_at) = 0;
  // Revocations with a version above `version` (0: all not yet pruned), and the version
  // reached. Versions only grow; a reader polls with the version it last got.
  [[nodiscard]] virtual util::Result<RevocationDelta> revocations_since(std::int64_t version) = 0;

  // ---- device codes (RFC 8628) ------------------------------------------------------------
  // Inserts `device`; false (nothing stored) when its user code hash is already in use by
  // an unexpired authorization.
  [[nodiscard]] virtual util::Result<bool> put_device(const DeviceRecord& device) = 0;
  // The pending, unexpired authorization with user code `user_code_hash`.
  [[nodiscard]] virtual util::Result<std::optional<DeviceRecord>>
  pending_device(const std::string& user_code_hash, std::int64_t now) = 0;
  // Approves or denies pending authorization `user_code_hash` (once: false when it is not
  // pending and unexpired at `now`); the user code cannot be used again afterwards.
  [[nodiscard]] virtual util::Result<bool> decide_device(const std::string& user_code_hash, bool approve,
                                                         const std::string& user_id, std::int64_t auth_time,
                                                         std::int64_t now) = 0;
  // One poll by `client_id` at `now` (see DevicePollResult); the record comes with `approved`.
  [[nodiscard]] virtual util::Result<std::pair<DevicePollResult, DeviceRecord>>
  poll_device(const std::string& device_hash, const std::string& client_id, std::int64_t now) = 0;

  // ---- consent --------------------------------------------------------------------------------
  // Inserts or replaces what `consent.user_id` allowed `consent.client_id`.
  [[nodiscard]] virtual util::Result<void> put_consent(const ConsentRecord& consent) = 0;
  [[nodiscard]] virtual util::Result<std::optional<ConsentRecord>>
  consent(const std::string& user_id, const std::string& client_id, std::int64_t now) = 0;
  // Every consent of `user_id` not expired at `now`, by client id.
  [[nodiscard]] virtual util::Result<std::vector<ConsentRecord>> consents(const std::string& user_id,
                                                                          std::int64_t now) = 0;
  [[nodiscard]] virtual util::Result<void> delete_consent(const std::string& user_id,
                                                          const std::string& client_id) = 0;

  // ---- login backoff --------------------------------------------------------------------------
  // The failures recorded under `key`, unless forgotten (expired at `now`).
  [[nodiscard]] virtual util::Result<std::optional<BackoffRecord>> backoff(const std::string& key,
                                                                           std::int64_t now) = 0;
  // Atomically counts one more failure under `key` at `now` (starting from 0 when the record
  // expired), remembered until `now + window`; returns the record after the update.
  [[nodiscard]] virtual util::Result<BackoffRecord> add_failure(const std::string& key, std::int64_t now,
                                                                std::int64_t window) = 0;
  // Forgets the failures under `key` (a success).
  [[nodiscard]] virtual util::Result<void> clear_failures(const std::string& key) = 0;

  // ---- single-use JWT ids ---------------------------------------------------------------------
  // Records `jti` of `kind` used by `issuer` (a client id, or a DPoP key thumbprint) until
  // `expires_at`: true when this call recorded it; false when it is there and unexpired at
  // `now` (a replay). An insert that fails on the primary key: concurrent calls, one true.
  [[nodiscard]] virtual util::Result<bool> use_jti(JtiKind kind, const std::string& issuer,
                                                   const std::string& jti, std::int64_t expires_at,
                                                   std::int64_t now) = 0;

  // ---- change notification -------------------------------------------------------------------
  // Asks the store to call `wake` (from a thread of its own, any time until the store is
  // destroyed or on_change is called again) soon after any process on the same database
  // commits a revocation or a directory change, so in-process views (the revocation view,
  // caches of clients and keys) refresh at once instead of at their next poll. An empty
  // function stops it. Stores without such a channel ignore it: the views' poll is then the
  // only refresh, and the bound either way.
  virtual void on_change(std::function<void()> wake) { (void)wake; }

  // ---- bounds and housekeeping ----------------------------------------------------------------
  // How many unexpired rows of `what` exist at `now` (device codes of `client_id` only when
  // it is not empty).
  [[nodiscard]] virtual util::Result<std::size_t> count(Bounded what, std::int64_t now,
                                                        const std::string& client_id = {}) = 0;
  // Deletes the rows of `what` that expire soonest until at most `keep` remain; returns how
  // many went.
  [[nodiscard]] virtual util::Result<std::size_t> evict(Bounded what, std::size_t keep) = 0;
  // Deletes every row that expired at or before `now` (sessions, pending requests, codes a
  // while after expiry so replays stay recognisable, refresh tokens and emptied families,
  // revocations, device codes, consents, backoff counters, jtis, retired keys past
  // publish_until); returns how many went.
  [[nodiscard]] virtual util::Result<std::size_t> prune(std::int64_t now) = 0;
};

// How long a used code stays after its expiry, so that its replay is still recognised and
// revokes what it produced (RFC 6749 §4.1.2).
inline constexpr std::int64_t k_used_code_memory = 600;
// How long an expired device code stays, so a poll still gets expired_token (RFC 8628 §3.5).
inline constexpr std::int64_t k_expired_device_memory = 600;
// How much a slow_down grows the device polling interval (RFC 8628 §3.5).
inline constexpr std::int64_t k_slow_down_step = 5;

// What `--store` names (or OAUTHCTL_STORE, or the serve config's store): "sqlite:PATH",
// "sqlite::memory:", a bare path (SQLite), or "postgres://…"/"postgresql://…".
struct StoreLocation {
  enum class Engine { sqlite, postgres } engine = Engine::sqlite;
  std::string target; // the file path (or ":memory:"), or the PostgreSQL connection URI
  // Connections to a database server at most (`serve --store-pool`); SQLite has one.
  std::size_t pool_size = 8;
};

// Parses `spec` as above; `usage` error for an unknown scheme or an empty path.
[[nodiscard]] util::Result<StoreLocation> parse_store_location(const std::string& spec);

// `location` for people and logs: "SQLite file PATH", "SQLite in memory", or the
// PostgreSQL URI with any password in it shown as ***.
[[nodiscard]] std::string describe_store_location(const StoreLocation& location);

// Opens the store at `location`, creating and migrating its schema as needed (versioned,
// idempotent migrations; see README.md). `io` error when a SQLite file cannot be opened or
// migrated, `network` when a database server cannot be reached, `config` for an engine this
// build lacks.
[[nodiscard]] util::Result<std::unique_ptr<StateStore>> open_state_store(const StoreLocation& location);

} // namespace oauthctl::server::state
