// SPDX-License-Identifier: MIT
#pragma once

#include "server/exchange.hpp"

#include <oauthctl/http/message.hpp>
#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/oauth/smart_scope.hpp>
#include <oauthctl/util/error.hpp>

#include <tl/expected.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace oauthctl::server {

// What goes into a JWT access token (DESIGN.md: kid, iss, sub, aud, exp, iat, jti, scope,
// client_id).
struct AccessTokenGrant {
  std::string client_id;
  std::string subject;
  std::string audience;
  std::vector<std::string> scopes;
  std::int64_t lifetime = 3600; // seconds
  std::string jti;              // empty: a fresh random one
  nlohmann::json extra_claims;  // an object merged into the claims (fhirUser, patient), or null
  // RFC 8705 §3.1: the client certificate's thumbprint the token is bound to, as
  // `cnf.x5t#S256`; empty for an unbound bearer token.
  std::string certificate_thumbprint = {};
};

// Signs an access token for `grant` at time `now`; `internal` error when signing fails.
[[nodiscard]] util::Result<std::string> issue_access_token(const oauth::SigningKey& key,
                                                           const std::string& issuer, std::int64_t now,
                                                           const AccessTokenGrant& grant);

// A bearer token that passed every check.
struct VerifiedToken {
  std::string subject;
  std::string client_id;
  std::string jti;
  std::int64_t expires_at = 0;           // `exp`
  bool has_not_before = false;           // it carries `nbf` (ours never do)
  std::string patient;                   // the SMART `patient` launch context, if any
  std::string fhir_user;                 // the `fhirUser` claim, if any
  std::vector<std::string> scope_names;  // every scope token it carries
  std::vector<oauth::SmartScope> scopes; // the SMART resource scopes among them
  std::string certificate_thumbprint;    // `cnf.x5t#S256` of a certificate-bound token
};

// Why a bearer token was refused (RFC 6750 §3): always a 401 with this challenge.
struct BearerRefusal {
  std::string www_authenticate;
  std::string description; // empty when no credentials were sent
};

// What verify_bearer checks a token against.
struct BearerChecks {
  const oauth::JwksVerifier* verifier = nullptr;
  std::string issuer;
  std::vector<std::string> audiences; // one must be in `aud`
  std::int64_t now = 0;
  // The TLS client certificate of the request, or null: a certificate-bound token (RFC
  // 8705 §3) passes only with the certificate it is bound to.
  const PeerCertificate* client_certificate = nullptr;
};

// The realm every challenge names.
inline constexpr std::string_view k_realm = "oauthctl";

// Reads the Authorization header of a resource request and verifies the bearer token in
// it: signature, exp, iss, aud, and the certificate binding of a token with `cnf`.
[[nodiscard]] tl::expected<VerifiedToken, BearerRefusal> verify_bearer(const http::Headers& headers,
                                                                       const BearerChecks& checks);

// The steps of verify_bearer, for callers that keep verified tokens (VerifiedTokens):
// the token of the Authorization header (RFC 6750 §2.1), or the challenge for its absence
// or malformation;
[[nodiscard]] tl::expected<std::string, BearerRefusal> bearer_token(const http::Headers& headers);
// the checks of the token itself: signature, exp, nbf, iss, aud, and a `cnf` this server can
// check (not yet whether the request presented the certificate);
[[nodiscard]] tl::expected<VerifiedToken, BearerRefusal> verify_access_token(std::string_view token,
                                                                             const BearerChecks& checks);
// and the certificate binding of a token with `cnf` (RFC 8705 §3), per request.
[[nodiscard]] tl::expected<void, BearerRefusal> check_certificate_binding(const VerifiedToken& token,
                                                                          const BearerChecks& checks);

// The 403 challenge for a token that lacks `needed` (RFC 6750 §3.1 insufficient_scope).
std::string insufficient_scope_challenge(std::string_view needed);

} // namespace oauthctl::server
