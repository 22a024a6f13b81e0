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
    {"token_endpoint", issuer + "/auth/token"},
    {"jwks_uri", issuer + "/.well-known/jwks.json"},
    {"grant_types_supported", Json::array({"client_credentials"})},
    {"token_endpoint_auth_methods_supported", Json::array({"client_secret_basic", "client_secret_post"})},
    {"scopes_supported",
     Json::array({"system/*.read", "system/*.rs", "system/Patient.read", "system/Patient.rs",
                  "system/Observation.read", "system/Observation.rs"})},
    // RFC 8414 §2 makes this member REQUIRED; with no authorization endpoint yet, no
    // response type is supported, and an empty list says exactly that.
    {"response_types_supported", Json::array()},
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
  return document;
}

Json smart_configuration(const std::string& issuer) {
  auto document = common(issuer);
  // SMART App Launch 2.0 §2.0.9: list only capabilities that work. Backend services with a
  // shared secret are what client_credentials gives today.
  document["capabilities"] = Json::array({"client-confidential-symmetric", "permission-v1", "permission-v2"});
  document["code_challenge_methods_supported"] = Json::array({"S256"});
  return document;
}

} // namespace oauthctl::server
