// SPDX-License-Identifier: MIT
// The check table: one row per check (id, group, spec section, --explain text, run
// function). Ids are an interface: baselines and CI jobs name them; never rename one.
#include "oauth/check/checks.hpp"

#include <algorithm>
#include <array>

namespace oauthctl::oauth::check {

namespace {

// clang-format off
constexpr std::array k_checks{
  // --- discovery ---
  CheckInfo{"discovery.oauth-metadata", "discovery", "RFC 8414 §3",
    "GETs /.well-known/oauth-authorization-server (inserted before the issuer's path) and expects a JSON "
    "object. A server that only publishes the OpenID configuration gets a warning.",
    check_oauth_metadata},
  CheckInfo{"discovery.openid-configuration", "discovery", "OpenID Connect Discovery 1.0 §4",
    "GETs <issuer>/.well-known/openid-configuration and expects a JSON object; skipped when the server "
    "shows no sign of OpenID Connect.",
    check_openid_configuration},
  CheckInfo{"discovery.smart-configuration", "discovery", "SMART App Launch 2.0 §2.0.4",
    "GETs <FHIR base>/.well-known/smart-configuration (--fhir-url, else --server) and expects a JSON "
    "object; skipped for servers that are not SMART.",
    check_smart_configuration},
  CheckInfo{"discovery.issuer-exact", "discovery", "RFC 8414 §3.3, OpenID Connect Discovery 1.0 §4.3",
    "The issuer of each document must be exactly the URL the well-known path was derived from, or a "
    "client could be sent to a mix-up attacker's endpoints (RFC 9700 §4.4). The SMART document's issuer, "
    "when present, must equal it.",
    check_issuer_exact},
  CheckInfo{"discovery.required-fields", "discovery", "RFC 8414 §2, OpenID Connect Discovery 1.0 §3, SMART App Launch 2.0 §2.0.4",
    "Each document carries the members its specification requires: issuer, token_endpoint and "
    "response_types_supported (RFC 8414); authorization_endpoint, jwks_uri, subject_types_supported and "
    "id_token_signing_alg_values_supported as well (OpenID); authorization_endpoint, token_endpoint, "
    "capabilities, code_challenge_methods_supported and grant_types_supported (SMART).",
    check_required_fields},
  CheckInfo{"discovery.pkce-methods", "discovery", "RFC 9700 §2.1.1, RFC 7636 §4.2, SMART App Launch 2.0 §2.0.4",
    "code_challenge_methods_supported must list S256. SMART servers SHALL NOT offer plain (a failure); "
    "other servers offering plain beside S256 get a warning.",
    check_pkce_methods},
  CheckInfo{"discovery.jwks", "discovery", "RFC 7517 §5, OpenID Connect Core 1.0 §10.1",
    "GETs jwks_uri: a JWK Set whose signing keys are all usable (RSA, or EC on P-256/P-384) and that "
    "publishes no private or symmetric key material.",
    check_jwks},
  CheckInfo{"discovery.https", "discovery", "RFC 9700 §2.6, RFC 8414 §2, RFC 6749 §3.1",
    "Every URL in the metadata uses https, except on loopback hosts (127.0.0.0/8, ::1, localhost) where "
    "a local test server may use plain http.",
    check_https},
  CheckInfo{"discovery.endpoints-answer", "discovery", "RFC 8414 §2",
    "GETs every *_endpoint the metadata lists: each must answer (any status but 404 and 5xx; a GET on a "
    "POST-only endpoint may well be 400, 401 or 405).",
    check_endpoints_answer},
  CheckInfo{"discovery.rfc9700-audit", "discovery", "RFC 9700 §2",
    "Reads the metadata against the Security BCP, as `oauthctl discover` does: implicit or password grant "
    "enabled, no PKCE S256, PKCE plain offered, plain http off loopback. Findings are warnings.",
    check_rfc9700_audit},
  // --- token endpoint ---
  CheckInfo{"token.client-credentials", "token", "RFC 6749 §4.4",
    "A client_credentials request with the configured client authentication must return a token.",
    check_client_credentials},
  CheckInfo{"token.auth-methods", "token", "RFC 8414 §2, RFC 6749 §2.3, RFC 7523 §2.2",
    "client_credentials with each advertised token_endpoint_auth_methods_supported entry the given "
    "credentials allow (client_secret_basic and client_secret_post with a secret, private_key_jwt with "
    "--private-key): an advertised method must work.",
    check_auth_methods},
  CheckInfo{"token.no-store", "token", "RFC 6749 §5.1",
    "A token response must carry Cache-Control: no-store, so no cache keeps the token.",
    check_no_store},
  CheckInfo{"token.expires-in-numeric", "token", "RFC 6749 §5.1",
    "expires_in, when present, is a positive JSON number of seconds (not a string); its absence is a "
    "warning (RECOMMENDED).",
    check_expires_in},
  CheckInfo{"token.wrong-secret", "token", "RFC 6749 §5.2",
    "client_credentials with the right client id and a wrong secret in HTTP Basic must be refused with "
    "HTTP 401 and error invalid_client.",
    check_wrong_secret},
  CheckInfo{"token.unknown-client", "token", "RFC 6749 §5.2",
    "A client id the server does not know, in HTTP Basic, must be refused with HTTP 401 and "
    "invalid_client.",
    check_unknown_client},
  CheckInfo{"token.unsupported-grant", "token", "RFC 6749 §5.2",
    "A grant_type the server does not support must be refused with HTTP 400 unsupported_grant_type.",
    check_unsupported_grant},
  CheckInfo{"token.unauthorized-grant", "token", "RFC 6749 §5.2",
    "A grant_type the server serves but this client is not registered for (named with "
    "--unauthorized-grant; the check skips without it) must be refused with HTTP 400 "
    "unauthorized_client. Only grant_type is sent: a server should refuse the client before it "
    "reads the grant's own parameters.",
    check_unauthorized_grant},
  CheckInfo{"token.missing-grant-type", "token", "RFC 6749 §5.2",
    "A token request without grant_type must be refused with HTTP 400 invalid_request.",
    check_missing_grant_type},
  // --- authorization code (headless, --login) ---
  CheckInfo{"authorization-code.happy-path", "authorization-code", "RFC 6749 §4.1, RFC 7636 §4",
    "The authorization code flow with PKCE S256, signed in headlessly as --login (login and consent forms "
    "filled, cookies kept), and the code redeemed for tokens.",
    check_code_happy_path},
  CheckInfo{"authorization-code.state", "authorization-code", "RFC 6749 §4.1.2",
    "The authorization response must carry the request's state unchanged (the client's CSRF defence).",
    check_code_state},
  CheckInfo{"authorization-code.iss", "authorization-code", "RFC 9207 §2",
    "When the metadata says authorization_response_iss_parameter_supported, the authorization response "
    "must carry iss equal to the issuer (mix-up defence).",
    check_code_iss},
  CheckInfo{"authorization-code.unregistered-redirect-uri", "authorization-code", "RFC 6749 §4.1.2.1, RFC 9700 §4.1.3",
    "An authorization request with a redirect_uri the client never registered must not send the user "
    "agent there, not even with an error; the server shows an error page instead.",
    check_code_unregistered_redirect},
  CheckInfo{"authorization-code.missing-response-type", "authorization-code", "RFC 6749 §4.1.2.1",
    "An authorization request without response_type must be refused (invalid_request or "
    "unsupported_response_type, or an error page), never answered with a code.",
    check_code_missing_response_type},
  CheckInfo{"authorization-code.invalid-scope", "authorization-code", "RFC 6749 §4.1.2.1, §3.3",
    "An authorization request for an unknown scope should come back with error=invalid_scope; a server "
    "that ignores it and issues a code gets a warning (§3.3 allows that).",
    check_code_invalid_scope},
  CheckInfo{"authorization-code.pkce-missing-verifier", "authorization-code", "RFC 7636 §4.6, RFC 9700 §2.1.1",
    "A code issued for a code_challenge, redeemed without code_verifier, must be refused (invalid_grant).",
    check_pkce_missing_verifier},
  CheckInfo{"authorization-code.pkce-blank-verifier", "authorization-code", "RFC 7636 §4.1, §4.6",
    "A code redeemed with an empty code_verifier must be refused (invalid_grant).",
    check_pkce_blank_verifier},
  CheckInfo{"authorization-code.pkce-wrong-verifier", "authorization-code", "RFC 7636 §4.6",
    "A code redeemed with a code_verifier other than the one the challenge was made from must be refused.",
    check_pkce_wrong_verifier},
  CheckInfo{"authorization-code.pkce-verifier-is-challenge", "authorization-code", "RFC 7636 §4.6, RFC 9700 §2.1.1",
    "A code whose S256 challenge is sent back as the code_verifier must be refused: a server that accepts "
    "it treats S256 as plain, and anyone who saw the authorization request can redeem the code.",
    check_pkce_verifier_is_challenge},
  CheckInfo{"authorization-code.pkce-downgrade", "authorization-code", "RFC 9700 §2.1.1",
    "An authorization request without code_challenge is either refused (PKCE required) or its code must "
    "not be redeemable with a code_verifier (the PKCE downgrade attack).",
    check_pkce_downgrade},
  CheckInfo{"authorization-code.code-reuse", "authorization-code", "RFC 6749 §4.1.2, RFC 9700 §4.2.4",
    "A code redeemed twice: the second redemption must be refused (invalid_grant). Where introspection "
    "is available, the first use's access token should be revoked too (a warning when it stays active).",
    check_code_reuse},
  CheckInfo{"authorization-code.redirect-uri-binding", "authorization-code", "RFC 6749 §4.1.3",
    "A code redeemed with a redirect_uri other than the authorization request's must be refused "
    "(invalid_grant).",
    check_code_redirect_binding},
  // --- refresh ---
  CheckInfo{"refresh.grant", "refresh", "RFC 6749 §6",
    "The code flow's refresh token (offline_access asked when advertised) must buy a new access token.",
    check_refresh_grant},
  CheckInfo{"refresh.narrower-scope", "refresh", "RFC 6749 §6",
    "A refresh asking for one of the granted scopes must return a token for no more than that scope.",
    check_refresh_narrower_scope},
  CheckInfo{"refresh.rotation", "refresh", "RFC 9700 §4.14.2",
    "When a refresh returns a new refresh token (rotation), the old one must be refused afterwards, and "
    "that reuse should revoke the new one too (reuse detection). Not rotating passes (allowed for "
    "confidential clients).",
    check_refresh_rotation},
  CheckInfo{"refresh.invalid", "refresh", "RFC 6749 §5.2",
    "A refresh token the server never issued must be refused with HTTP 400 invalid_grant.",
    check_refresh_invalid},
  CheckInfo{"refresh.invalid-private-key-jwt", "refresh", "RFC 6749 §5.2, RFC 7523 §2.2",
    "A refresh token the server never issued, sent by the client authenticated with a client assertion "
    "(--private-key), must be refused with HTTP 400 invalid_grant, as with a secret.",
    check_refresh_invalid_with_assertion},
  // --- OpenID Connect ---
  CheckInfo{"oidc.id-token-signature", "oidc", "OpenID Connect Core 1.0 §3.1.3.7 (6)",
    "The code flow's id_token must be a JWS that verifies with a key of jwks_uri (never alg none or HMAC).",
    check_id_token_signature},
  CheckInfo{"oidc.id-token-claims", "oidc", "OpenID Connect Core 1.0 §3.1.3.7, §3.1.3.8",
    "The id_token's iss is the issuer, aud holds the client id (azp too when several), exp is in the "
    "future, iat is present and not in the future, nonce equals the request's, and at_hash, when present, "
    "matches the access token.",
    check_id_token_claims},
  CheckInfo{"oidc.userinfo", "oidc", "OpenID Connect Core 1.0 §5.3",
    "GET userinfo_endpoint with the code flow's access token: a JSON object whose sub equals the id_token's.",
    check_userinfo},
  CheckInfo{"oidc.userinfo-without-token", "oidc", "RFC 6750 §3.1",
    "GET userinfo_endpoint without a token must be refused with HTTP 401.",
    check_userinfo_without_token},
  CheckInfo{"oidc.fhir-user", "oidc", "SMART App Launch 2.0 §2.0.6",
    "The id_token's fhirUser claim (scope fhirUser) must resolve at the FHIR server with the user's token.",
    check_fhir_user},
  // --- backend services (private_key_jwt) ---
  CheckInfo{"backend.happy-path", "backend", "RFC 7523 §2.2, SMART Backend Services",
    "client_credentials authenticated by a client assertion signed with --private-key must return a token.",
    check_backend_happy_path},
  CheckInfo{"backend.jti-replay", "backend", "RFC 7523 §3 (7), SMART Backend Services",
    "The same assertion (same jti) sent twice: the second must be refused (invalid_client).",
    check_backend_jti_replay},
  CheckInfo{"backend.wrong-aud", "backend", "RFC 7523 §3 (3)",
    "An assertion whose aud is another server's token endpoint must be refused.",
    check_backend_wrong_aud},
  CheckInfo{"backend.expired", "backend", "RFC 7523 §3 (4)",
    "An assertion whose exp passed ten minutes ago must be refused.",
    check_backend_expired},
  CheckInfo{"backend.unsigned", "backend", "RFC 7523 §3 (9), RFC 8725 §3.1",
    "An assertion with alg none and no signature must be refused.",
    check_backend_unsigned},
  CheckInfo{"backend.unregistered-key", "backend", "RFC 7523 §3 (9)",
    "An assertion signed by a fresh key with the registered key's kid and alg must be refused.",
    check_backend_unregistered_key},
  CheckInfo{"backend.scope-rules", "backend", "SMART Backend Services (Scopes), RFC 6749 §3.3",
    "A backend client acts for no user or patient: client_credentials with an assertion asking for "
    "patient/*.rs must be refused (invalid_scope) or granted without any patient/ or user/ scope.",
    check_backend_scope_rules},
  // --- introspection and revocation ---
  CheckInfo{"introspection.active", "introspection", "RFC 7662 §2.2",
    "Introspecting the client's fresh token must say active: true, with scope, client_id and exp "
    "(a warning when those are missing).",
    check_introspection_active},
  CheckInfo{"introspection.unknown-token", "introspection", "RFC 7662 §2.2",
    "Introspecting a token the server never issued must answer HTTP 200 with exactly {\"active\": false}: "
    "nothing else may be said about a token that is not active.",
    check_introspection_unknown},
  CheckInfo{"revocation.unknown-token", "revocation", "RFC 7009 §2.2",
    "Revoking a token the server does not know must still answer HTTP 200.",
    check_revocation_unknown},
  CheckInfo{"revocation.revokes", "revocation", "RFC 7009 §2.1, RFC 7662 §2.2, RFC 6750 §3.1",
    "A fresh client token is revoked: HTTP 200, then introspection says inactive (when there is an "
    "introspection endpoint), then the FHIR server refuses it.",
    check_revocation_revokes},
  // --- FHIR resource server ---
  CheckInfo{"fhir.without-token", "fhir", "RFC 6750 §3.1",
    "A FHIR search without a token must be refused with HTTP 401 and a Bearer WWW-Authenticate challenge.",
    check_fhir_without_token},
  CheckInfo{"fhir.with-token", "fhir", "RFC 6750 §2.1",
    "A FHIR search with the client's token (a system/ scope) must succeed.",
    check_fhir_with_token},
  CheckInfo{"fhir.tampered-token", "fhir", "RFC 6750 §3.1, RFC 7515 §5.2",
    "The client's token with one character changed must be refused with HTTP 401.",
    check_fhir_tampered_token},
  CheckInfo{"fhir.alg-none", "fhir", "RFC 8725 §3.1, RFC 6750 §3.1",
    "The client's JWT access token re-sent with header alg none and no signature must be refused with "
    "HTTP 401.",
    check_fhir_alg_none},
  CheckInfo{"fhir.outside-scope", "fhir", "SMART App Launch 2.0 §3, RFC 6750 §3.1",
    "A token for system/Patient.rs only must get HTTP 403 when it reads Observation.",
    check_fhir_outside_scope},
  CheckInfo{"fhir.patient-compartment", "fhir", "SMART App Launch 2.0 §3.0.2, §2.0.8",
    "The code flow's patient/ token (--login) reads its own patient (the token response's patient) but not "
    "another one the client's system/ token finds, and its Observation search for that other patient finds "
    "nothing.",
    check_fhir_patient_compartment},
  // --- extension grants, when advertised ---
  CheckInfo{"token-exchange.exchange", "token-exchange", "RFC 8693 §2",
    "The client's token exchanged (subject_token_type access_token) must return a token with "
    "issued_token_type.",
    check_token_exchange},
  CheckInfo{"device.authorization", "device", "RFC 8628 §3.1, §3.2, §3.5",
    "POST device_authorization_endpoint must return device_code, user_code, verification_uri and "
    "expires_in; polling the token endpoint before the user acts must answer authorization_pending.",
    check_device_authorization},
};
// clang-format on

} // namespace

std::span<const CheckInfo> check_table() {
  return k_checks;
}

const CheckInfo* find_check(std::string_view id) {
  const auto it =
    std::find_if(k_checks.begin(), k_checks.end(), [&](const CheckInfo& c) { return c.id == id; });
  return it == k_checks.end() ? nullptr : &*it;
}

std::vector<std::string_view> check_groups() {
  std::vector<std::string_view> groups;
  for (const auto& info : k_checks) {
    if (std::find(groups.begin(), groups.end(), info.group) == groups.end()) {
      groups.push_back(info.group);
    }
  }
  return groups;
}

} // namespace oauthctl::oauth::check
