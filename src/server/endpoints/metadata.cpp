// SPDX-License-Identifier: MIT
#include "server/endpoints/metadata.hpp"

namespace oauthctl::server {

namespace {

using Json = nlohmann::json;

// Kept in one place so the three documents never disagree. Grow these lists only when
// the endpoint behind them exists.
Json common(const std::string& issuer) {
  return {
    {"issuer", issuer},
    {"authorization_endpoint", issuer + "/auth/authorize"},
    {"token_endpoint", issuer + "/auth/token"},
    {"userinfo_endpoint", issuer + "/auth/userinfo"},
    {"jwks_uri", issuer + "/.well-known/jwks.json"},
    {"device_authorization_endpoint", issuer + "/auth/device"},
    {"introspection_endpoint", issuer + "/auth/introspect"},
    {"introspection_endpoint_auth_methods_supported",
     Json::array({"client_secret_basic", "client_secret_post"})},
    {"revocation_endpoint", issuer + "/auth/revoke"},
    {"revocation_endpoint_auth_methods_supported",
     Json::array({"client_secret_basic", "client_secret_post", "none"})},
    {"grant_types_supported",
     Json::array({"authorization_code", "implicit", "refresh_token", "client_credentials", "password",
                  "urn:ietf:params:oauth:grant-type:token-exchange",
                  "urn:ietf:params:oauth:grant-type:device_code",
                  "urn:ietf:params:oauth:grant-type:jwt-bearer"})},
    {"response_types_supported", Json::array({"code", "token"})},
    {"response_modes_supported", Json::array({"query", "fragment"})},
    {"token_endpoint_auth_methods_supported",
     Json::array({"client_secret_basic", "client_secret_post", "private_key_jwt", "none"})},
    // RFC 8414 §2: the algs a private_key_jwt assertion may be signed with (RFC 7523).
    {"token_endpoint_auth_signing_alg_values_supported", Json::array({"RS256", "RS384", "ES256", "ES384"})},
    // RFC 7636 §4.2 and SMART: S256 only; plain adds no protection (RFC 9700 §2.1.1).
    {"code_challenge_methods_supported", Json::array({"S256"})},
    // RFC 9207 §3: every authorization response carries `iss`.
    {"authorization_response_iss_parameter_supported", true},
    {"scopes_supported",
     Json::array({"openid", "profile", "email", "fhirUser", "offline_access", "launch/patient",
                  "patient/*.read", "patient/*.rs", "user/*.read", "user/*.rs", "system/*.read",
                  "system/*.rs", "system/Patient.read", "system/Patient.rs", "system/Observation.read",
                  "system/Observation.rs"})},
  };
}

} // namespace

Json authorization_server_metadata(const std::string& issuer) {
  return common(issuer);
}

Json openid_configuration(const std::string& issuer) {
  auto document = common(issuer);
  document["subject_types_supported"] = Json::array({"public"});
  document["id_token_signing_alg_values_supported"] = Json::array({"RS256"});
  document["claims_supported"] =
    Json::array({"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "name", "given_name",
                 "family_name", "email", "fhirUser"});
  return document;
}

Json smart_configuration(const std::string& issuer) {
  auto document = common(issuer);
  // SMART App Launch 2.0 §2.0.9: list only capabilities that work.
  document["capabilities"] = Json::array(
    {"launch-standalone", "client-public", "client-confidential-symmetric", "client-confidential-asymmetric",
     "context-standalone-patient", "permission-patient", "permission-user", "permission-v1", "permission-v2",
     "sso-openid-connect", "permission-offline"});
  return document;
}

} // namespace oauthctl::server
