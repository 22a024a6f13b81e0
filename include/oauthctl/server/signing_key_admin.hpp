// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/server/server.hpp>
#include <oauthctl/util/error.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace oauthctl::server {

// A signing key as `serve keys list` shows it (never the private key).
struct SigningKeyStatus {
  std::string kid;
  std::string alg;
  std::int64_t created_at = 0;
  std::int64_t retired_at = 0;    // 0: active
  std::int64_t publish_until = 0; // a retired key stays in the JWKS until then
};

// The keys in the store `options` names (as `serve` would open it: --store, --data, the
// config file's "store", the default file), oldest first. The newest active key signs.
[[nodiscard]] util::Result<std::vector<SigningKeyStatus>> list_signing_keys(const ServerOptions& options);

// Key rotation: adds a fresh key (of the active key's algorithm; RS256 when there is none)
// as the active one, then retires every previously active key at `now`, published until
// the last token it can have signed has expired: now + the longest access token lifetime of
// any stored client (the default when none sets one) + 60 s of clock skew. Every `serve`
// on the store signs with the new key within a second and keeps the old one in its JWKS
// until then. Returns the new key. `io`/`network` errors from the store.
[[nodiscard]] util::Result<SigningKeyStatus> rotate_signing_key(const ServerOptions& options,
                                                                std::int64_t now);

} // namespace oauthctl::server
