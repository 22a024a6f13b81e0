// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/http/client.hpp>
#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/util/error.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace oauthctl::oauth {

// What an ID token must say to be accepted (OpenID Connect Core §3.1.3.7).
struct IdTokenExpectations {
  std::string issuer;       // `iss` must equal this exactly
  std::string client_id;    // `aud` must contain it; `azp`, when present, must equal it
  std::string nonce;        // `nonce` must equal it when not empty (the request sent one)
  std::string access_token; // checked against `at_hash` when both are there (§3.1.3.8)
  std::int64_t now = 0;     // seconds since the epoch
  std::int64_t leeway = 60; // clock skew tolerated on exp and iat, in seconds
};

// Verifies `id_token`: its signature with `keys` (never alg "none" or HMAC), then iss, aud,
// azp, exp, iat, nonce and at_hash against `expected`. Returns the decoded token, or a
// `bad_response` error whose message names the first check that failed ("id_token
// rejected: nonce mismatch ...").
[[nodiscard]] util::Result<Jwt> verify_id_token(std::string_view id_token, const JwksVerifier& keys,
                                                const IdTokenExpectations& expected);

// The signing keys published at `jwks_uri`, fetched with `client`: `network` errors as the
// client reports them, `bad_response` when the answer is not a usable JWK Set.
[[nodiscard]] util::Result<JwksVerifier> fetch_jwks(http::Client& client, const std::string& jwks_uri);

} // namespace oauthctl::oauth
