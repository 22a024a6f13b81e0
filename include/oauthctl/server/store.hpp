// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/util/error.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace oauthctl::server {

// A signing key as the store keeps it: the private key in PEM (the store file is 0600).
struct StoredKey {
  std::string kid;
  std::string alg;
  std::string pem;
  std::int64_t created_at = 0;
};

// A Client or User as the store keeps it: the Aidbox-shaped resource without its secret,
// and the secret's slow hash (empty for a public client or a user without password).
struct StoredResource {
  std::string id;
  std::string resource_json;
  std::string secret_hash;
};

// A refresh token as the store keeps it: its SHA-256 (hex), never the token itself.
struct StoredRefreshToken {
  std::string token_hash;
  std::string family;
  std::string client_id;
  std::string user_id;
  std::string scopes; // space-separated, as first granted
  std::int64_t auth_time = 0;
  std::int64_t expires_at = 0;
  bool rotated = false;
};

// An access token id (`jti`) with its expiry: a revocation, or a token of a refresh family.
struct StoredTokenId {
  std::string family; // empty for a revocation
  std::string jti;
  std::int64_t expires_at = 0;
};

// A used client assertion id (RFC 7523 §3 `jti`) of a client, kept until the assertion
// expires so that it cannot be replayed across a restart.
struct StoredAssertionId {
  std::string client_id;
  std::string jti;
  std::int64_t expires_at = 0;
};

// What the server persists. Reads happen at start-up only (the hot paths work from
// memory). The SQLite store serialises calls on its connection (SQLITE_OPEN_FULLMUTEX), so
// the journals of AuthState and AssertionState may write from different threads.
class Store {
public:
  virtual ~Store() = default;

  // Every signing key, oldest first.
  [[nodiscard]] virtual util::Result<std::vector<StoredKey>> keys() = 0;
  // Adds a signing key; an existing kid is left as it is.
  [[nodiscard]] virtual util::Result<void> add_key(const StoredKey& key) = 0;

  [[nodiscard]] virtual util::Result<std::vector<StoredResource>> clients() = 0;
  // Inserts or replaces the client with this id (re-seeding never duplicates).
  [[nodiscard]] virtual util::Result<void> put_client(const StoredResource& client) = 0;

  [[nodiscard]] virtual util::Result<std::vector<StoredResource>> users() = 0;
  // Inserts or replaces the user with this id.
  [[nodiscard]] virtual util::Result<void> put_user(const StoredResource& user) = 0;

  // Refresh tokens not expired at `now`.
  [[nodiscard]] virtual util::Result<std::vector<StoredRefreshToken>> refresh_tokens(std::int64_t now) = 0;
  // Inserts or replaces the refresh token with this hash.
  [[nodiscard]] virtual util::Result<void> put_refresh_token(const StoredRefreshToken& token) = 0;
  // Deletes every refresh token of `family`, and its access token ids.
  [[nodiscard]] virtual util::Result<void> delete_refresh_family(const std::string& family) = 0;

  // Access token ids issued within refresh families, not expired at `now`.
  [[nodiscard]] virtual util::Result<std::vector<StoredTokenId>> family_tokens(std::int64_t now) = 0;
  // Records an access token id issued within `id.family`.
  [[nodiscard]] virtual util::Result<void> add_family_token(const StoredTokenId& id) = 0;

  // Revoked access token ids not expired at `now`.
  [[nodiscard]] virtual util::Result<std::vector<StoredTokenId>> revocations(std::int64_t now) = 0;
  // Records a revoked access token id (and forgets those long expired).
  [[nodiscard]] virtual util::Result<void> add_revocation(const StoredTokenId& id) = 0;

  // Used client assertion ids not expired at `now`.
  [[nodiscard]] virtual util::Result<std::vector<StoredAssertionId>> assertion_ids(std::int64_t now) = 0;
  // Records a used client assertion id (and forgets those expired a while ago).
  [[nodiscard]] virtual util::Result<void> add_assertion_id(const StoredAssertionId& id) = 0;
};

// The path SQLite uses for a store that lives in memory only (`serve --ephemeral`).
inline constexpr const char* k_memory_store = ":memory:";

// Opens (creating when needed) the SQLite store at `path`, in WAL mode, with the file
// and its new parent directories readable by the owner only; `k_memory_store` keeps it
// in memory. `io` error when it cannot be opened or migrated.
[[nodiscard]] util::Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path);

} // namespace oauthctl::server
