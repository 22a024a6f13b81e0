// SPDX-License-Identifier: MIT
#include "server/endpoints/metadata.hpp"

#include "server/endpoints/client_authentication.hpp"
#include "server/endpoints/token_endpoint.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace oauthctl::server {

namespace {

using Json = nlohmann::json;

bool contains(const Json& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// Kept in one place so the three documents never disagree. Grow these lists only when
// the endpoint behind them exists.
Json common(const std::string& issuer, const std::string& mtls_origin) {
  // Mutual TLS (RFC 8705) needs the server's own TLS: with an https issuer.
  const bool mutual_tls = issuer.rfind("https://", 0) == 0;
  auto with_mutual_tls = [mutual_tls](Json methods) {
    if (mutual_tls) {
      methods.push_back("tls_client_auth");
      methods.push_back("self_signed_tls_client_auth");
    }
    return methods;
  };
  Json document = {
    {"issuer", issuer},
    {"authorization_endpoint", issuer + "/auth/authorize"},
    {"token_endpoint", issuer + "/auth/token"},
    {"userinfo_endpoint", issuer + "/auth/userinfo"},
    {"jwks_uri", issuer + "/.well-known/jwks.json"},
    {"device_authorization_endpoint", issuer + "/auth/device"},
    {"introspection_endpoint", issuer + "/auth/introspect"},
    {"introspection_endpoint_auth_methods_supported",
     with_mutual_tls(Json::array({"client_secret_basic", "client_secret_post", "private_key_jwt"}))},
    {"revocation_endpoint", issuer + "/auth/revoke"},
    {"revocation_endpoint_auth_methods_supported",
     with_mutual_tls(Json::array({"client_secret_basic", "client_secret_post", "private_key_jwt", "none"}))},
    // Derived from the token endpoint's grant table and client authentication, so these
    // lists name exactly what the server accepts.
    {"grant_types_supported", served_grant_types()},
    {"response_types_supported", Json::array({"code", "token"})},
    {"response_modes_supported", Json::array({"query", "fragment", "form_post"})},
    {"token_endpoint_auth_methods_supported", token_endpoint_auth_methods(mutual_tls)},
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
  if (mutual_tls) {
    // RFC 8705 §3.3.
    document["tls_client_certificate_bound_access_tokens"] = true;
  }
  if (mutual_tls && !mtls_origin.empty()) {
    // RFC 8705 §5: mutual TLS on a port of its own (serve --mtls-port). Without one, the
    // endpoints above take client certificates themselves and no alias is needed.
    const auto base = with_origin(issuer, mtls_origin);
    document["mtls_endpoint_aliases"] = {
      {"token_endpoint", base + "/auth/token"},
      {"introspection_endpoint", base + "/auth/introspect"},
      {"revocation_endpoint", base + "/auth/revoke"},
      {"device_authorization_endpoint", base + "/auth/device"},
      {"userinfo_endpoint", base + "/auth/userinfo"},
    };
  }
  return document;
}

} // namespace

std::string with_origin(const std::string& issuer, const std::string& origin) {
  // The path starts at the first '/' after "scheme://".
  const auto scheme_end = issuer.find("://");
  const auto path_start =
    scheme_end == std::string::npos ? std::string::npos : issuer.find('/', scheme_end + 3);
  auto trimmed = origin;
  while (!trimmed.empty() && trimmed.back() == '/') {
    trimmed.pop_back();
  }
  return path_start == std::string::npos ? trimmed : trimmed + issuer.substr(path_start);
}

std::string origin_with_port(const std::string& url, int port) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    return url;
  }
  const auto authority_start = scheme_end + 3;
  auto authority = url.substr(authority_start, url.find('/', authority_start) - authority_start);
  // The port is after the last ':' that follows an IPv6 literal's ']', if any.
  const auto bracket = authority.rfind(']');
  const auto colon = authority.rfind(':');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    authority.erase(colon);
  }
  return fmt::format("{}{}:{}", url.substr(0, authority_start), authority, port);
}

Json authorization_server_metadata(const std::string& issuer, const std::string& mtls_origin) {
  return common(issuer, mtls_origin);
}

Json openid_configuration(const std::string& issuer, const std::string& mtls_origin) {
  auto document = common(issuer, mtls_origin);
  document["subject_types_supported"] = Json::array({"public"});
  // OIDC Discovery §3: request_uri_parameter_supported defaults to true, so say no.
  document["request_parameter_supported"] = false;
  document["request_uri_parameter_supported"] = false;
  document["id_token_signing_alg_values_supported"] = Json::array({"RS256"});
  document["claims_supported"] =
    Json::array({"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "name", "given_name",
                 "family_name", "email", "fhirUser"});
  return document;
}

Json smart_configuration(const std::string& issuer, const std::string& mtls_origin) {
  auto document = common(issuer, mtls_origin);
  // SMART App Launch 2.0 §2.0.9: list only capabilities that work. Standalone launch with
  // patient context (the patient user's own record), v1 and v2 scopes, and OpenID Connect
  // are served by the authorize endpoint; there is no EHR launch and no POST to /auth/authorize.
  auto capabilities =
    Json::array({"launch-standalone", "context-standalone-patient", "permission-patient", "permission-user",
                 "permission-v1", "permission-v2", "sso-openid-connect"});
  // The client-* capabilities follow the client authentication methods really accepted.
  const auto& methods = document["token_endpoint_auth_methods_supported"];
  if (contains(methods, "none")) {
    capabilities.push_back("client-public");
  }
  if (contains(methods, "client_secret_basic")) {
    capabilities.push_back("client-confidential-symmetric");
  }
  if (contains(methods, "private_key_jwt")) {
    capabilities.push_back("client-confidential-asymmetric");
  }
  // offline_access is honoured by issuing refresh tokens, so only with the refresh grant.
  if (contains(document["grant_types_supported"], "refresh_token")) {
    capabilities.push_back("permission-offline");
  }
  document["capabilities"] = std::move(capabilities);
  return document;
}

} // namespace oauthctl::server
