// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/oauth/client_config.hpp>
#include <oauthctl/oauth/grant_type.hpp>
#include <oauthctl/oauth/token_response.hpp>
#include <oauthctl/util/error.hpp>
#include <oauthctl/util/form.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauthctl::oauth {

// What a cached token was obtained for (oauth2l's cache key): the same request again
// may reuse it. Secrets are never part of it.
struct TokenCacheKey {
  std::string server;
  std::string token_url;
  std::string client_id;
  std::string grant;
  std::string scope;
  std::string audience;
  std::string resource;
  std::string credential; // credential_fingerprint(): a changed secret misses the cache

  // A stable, readable identifier of this key (a JSON array of the fields).
  [[nodiscard]] std::string id() const;
  friend bool operator==(const TokenCacheKey&, const TokenCacheKey&) = default;
};

// The cache key for `grant` run with `config`.
TokenCacheKey make_cache_key(const ClientConfig& config, GrantType grant);

// A short keyed fingerprint of `config`'s client secret (and signing keys and assertions,
// RFC 7523) under the cache's `salt` (HMAC-SHA-256, 64 bits, hex), so that a rotated or
// mistyped secret is not answered from the cache; "" without any. Nothing secret is stored.
std::string credential_fingerprint(const std::string& salt, const ClientConfig& config);

// One cached token response and when it expires; `profile` records which profile
// obtained it (for `logout`).
struct CachedToken {
  TokenCacheKey key;
  std::string profile;
  TokenResponse token;
  std::int64_t obtained_at = 0;           // seconds since the epoch
  std::optional<std::int64_t> expires_at; // from expires_in; none when the server sent none
};

// Tokens are reused only while at least this many seconds of their lifetime remain, so
// one does not expire on its way to the resource server.
inline constexpr std::int64_t k_expiry_margin_seconds = 30;

// Whether `entry`'s access token can still be used at `now` (seconds since the epoch):
// it has an expiry more than k_expiry_margin_seconds away.
bool is_fresh(const CachedToken& entry, std::int64_t now);

// `entry`'s token response as if it had been received at `now`: expires_in (and the raw
// JSON's expires_in) count the remaining seconds.
TokenResponse remaining_token(const CachedToken& entry, std::int64_t now);

// The cache entry for `token`, obtained at `now` for `key` by `profile`.
CachedToken make_cached_token(const TokenCacheKey& key, std::string profile, const TokenResponse& token,
                              std::int64_t now);

// The token request form of the refresh token grant (RFC 6749 §6), asking for `scope`
// when it is not empty. No client authentication yet.
util::FormFields refresh_token_form(const std::string& refresh_token, const std::string& scope);

// The token cache as a JSON document: {"version": 1, "salt": "...", "tokens": [entry...]}.
class TokenCache {
public:
  // Reads the document `text`; `bad_response` when it is not a version 1 cache
  // (callers treat a broken cache as empty: it only holds what can be fetched again).
  [[nodiscard]] static util::Result<TokenCache> parse(std::string_view text);

  // The document, pretty-printed, ending in a newline.
  [[nodiscard]] std::string serialize() const;

  // The entry for `key`, or null.
  [[nodiscard]] const CachedToken* find(const TokenCacheKey& key) const;

  // Adds `entry`, replacing any entry with the same key.
  void put(CachedToken entry);

  // Removes the entries `matches` selects and returns them.
  std::vector<CachedToken> remove_if(const std::function<bool(const CachedToken&)>& matches);

  [[nodiscard]] const std::vector<CachedToken>& entries() const { return m_entries; }

  // The random salt of credential fingerprints in this cache ("" until ensure_salt()).
  [[nodiscard]] const std::string& salt() const { return m_salt; }

  // Gives the cache a random salt when it has none.
  void ensure_salt();

private:
  std::vector<CachedToken> m_entries;
  std::string m_salt;
};

// The cache file under `cache_home` ($XDG_CACHE_HOME or ~/.cache): <cache_home>/oauthctl/tokens.json.
std::string token_cache_path(const std::string& cache_home);

// The cache at `path`: empty when the file is missing or broken (a broken cache is
// replaced on the next write). Reads without a lock: writers replace the file atomically.
TokenCache load_token_cache(const std::string& path);

// Read-modify-write of the cache at `path` under an exclusive lock on `path`.lock, so
// concurrent processes never lose each other's entries: loads it, calls `change`, and
// writes the result atomically with mode 0600 in a directory of mode 0700. `io` error
// when the directory, lock or file cannot be written.
[[nodiscard]] util::Result<void> update_token_cache(const std::string& path,
                                                    const std::function<void(TokenCache&)>& change);

} // namespace oauthctl::oauth
