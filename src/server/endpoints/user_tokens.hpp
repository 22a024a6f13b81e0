// SPDX-License-Identifier: MIT
#pragma once

#include "server/app.hpp"

#include <oauthctl/util/error.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace oauthctl::server {

// What a user authorised a client to do: the input of every user-facing token.
struct UserGrant {
  const RegisteredClient& client;
  const RegisteredUser& user;
  std::vector<std::string> scopes;
  std::int64_t auth_time = 0;
  std::string nonce;      // from the authorization request; empty when none
  std::string_view grant; // the client settings to read: "authorization_code" or "implicit"
  // RFC 8705 §3: the certificate the access token is bound to; empty: a bearer token.
  std::string certificate_thumbprint = {};
};

// The tokens issued for a UserGrant.
struct UserTokens {
  std::string access_token;
  std::string jti;
  std::int64_t expires_in = 0;
  std::int64_t expires_at = 0;
  std::string patient;  // SMART launch context; empty when none
  std::string id_token; // empty unless asked for
};

// Whether an id_token accompanies the access token (OIDC Core §3.1.3.3: with `openid`).
enum class WithIdToken { no, yes };

// Signs an access token for `grant` (sub = user id, fhirUser, and `patient` when a
// patient/ or launch/patient scope meets a user whose fhirUser is a Patient) and, when
// asked, an id_token (OIDC Core §2: iss, sub, aud, exp, iat, auth_time, nonce, at_hash,
// name/email/fhirUser per scope). `internal` error when signing fails.
[[nodiscard]] util::Result<UserTokens> issue_user_tokens(const AppContext& context, const UserGrant& grant,
                                                         WithIdToken with_id_token);

// True when `scopes` contains `scope`.
bool has_scope(const std::vector<std::string>& scopes, std::string_view scope);

// The OIDC `at_hash` of `access_token` for RS256 (OIDC Core §3.1.3.6): base64url of the
// left half of its SHA-256.
std::string at_hash(std::string_view access_token);

// The user claims OIDC Core §5.4 grants for `scopes`: name (profile), email (email),
// fhirUser (fhirUser or openid with a SMART launch), always with `sub`.
nlohmann::json user_claims(const RegisteredUser& user, const std::vector<std::string>& scopes);

} // namespace oauthctl::server
