// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/oauth/client_config.hpp>
#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/util/error.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace oauthctl::oauth {

// RFC 7523 §2.2: the client_assertion_type of a JWT client assertion.
inline constexpr std::string_view k_jwt_client_assertion_type =
  "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

// How long the assertions we sign live: SMART Backend Services allows at most five
// minutes; a minute less leaves room for a clock that runs ahead of the server's.
inline constexpr std::int64_t k_assertion_lifetime = 240;

// The signing key in `pem` for `alg` (RS256, RS384, ES256, ES384; empty: ES256/ES384 by
// the EC key's curve, RS384 for RSA), sending `kid` when not empty. `usage` error for an
// unknown alg, `config` error for a key that does not fit it.
[[nodiscard]] util::Result<SigningKey> load_assertion_key(std::string_view pem, std::string_view alg,
                                                          std::string_view kid);

// The registered claims of an RFC 7523 §3 assertion: iss, sub, aud, iat, exp (`now` plus
// k_assertion_lifetime) and a random jti.
nlohmann::json assertion_claims(std::string_view issuer, std::string_view subject, std::string_view audience,
                                std::int64_t now);

// A fresh client assertion for private_key_jwt (RFC 7523 §2.2, §3): iss = sub = the client
// id, aud = `audience` (the token endpoint URL), signed with `config.assertion`'s key.
// `usage` error when there is no key, `config` when it is unusable.
[[nodiscard]] util::Result<std::string> sign_client_assertion(const ClientConfig& config,
                                                              std::string_view audience, std::int64_t now);

// Seconds since the epoch, from the system clock.
std::int64_t unix_now();

} // namespace oauthctl::oauth
