// SPDX-License-Identifier: MIT
#include <oauthctl/http/url.hpp>
#include <oauthctl/oauth/token_inspection.hpp>

#include <fmt/format.h>

namespace oauthctl::oauth {

TokenInspection inspect_access_token(http::Client& client, const ServerMetadata& metadata,
                                     std::string_view access_token, std::int64_t now) {
  TokenInspection inspection;
  auto jwt = decode_jwt(access_token);
  if (!jwt) {
    // RFC 6749 §1.4: access tokens are opaque to clients; a JWT is a server's choice.
    inspection.decode_error = jwt.error().message;
    inspection.signature_detail = "not a JWT, nothing to verify";
    return inspection;
  }
  inspection.jwt = std::move(*jwt);

  ClaimChecks checks;
  // Metadata from defaults only guesses the issuer, so only a discovered one is enforced.
  if (metadata.source != "defaults" && metadata.source != "--token-url") {
    checks.issuer = metadata.issuer;
  }
  checks.now = now;
  checks.leeway = 60;
  if (auto ok = check_claims(inspection.jwt->claims, checks); !ok) {
    inspection.claims_problem = ok.error().message;
  }

  using Signature = TokenInspection::Signature;
  if (metadata.jwks_uri.empty()) {
    inspection.signature_detail = "not checked: the server publishes no jwks_uri";
    return inspection;
  }
  if (!http::parse_url(metadata.jwks_uri)) {
    inspection.signature_detail = "not checked: jwks_uri is not an http(s) URL";
    return inspection;
  }
  http::Request request;
  request.url = metadata.jwks_uri;
  request.headers.add("Accept", "application/json");
  const auto response = client.send(request);
  if (!response) {
    inspection.signature_detail = fmt::format("not checked: {}", response.error().message);
    return inspection;
  }
  if (response->status != 200) {
    inspection.signature_detail =
      fmt::format("not checked: {} answered HTTP {}", metadata.jwks_uri, response->status);
    return inspection;
  }
  const auto jwks = nlohmann::json::parse(response->body, nullptr, false);
  if (jwks.is_discarded()) {
    inspection.signature_detail = fmt::format("not checked: {} is not JSON", metadata.jwks_uri);
    return inspection;
  }
  auto verifier = JwksVerifier::from_jwks(jwks);
  if (!verifier) {
    inspection.signature_detail = fmt::format("not checked: {}", verifier.error().message);
    return inspection;
  }
  const auto& header = inspection.jwt->header;
  const auto kid = header.contains("kid") && header["kid"].is_string() ? header["kid"].get<std::string>()
                                                                       : std::string("none");
  if (auto ok = verifier->verify_signature(*inspection.jwt); !ok) {
    inspection.signature = Signature::invalid;
    inspection.signature_detail = fmt::format("{} (kid {})", ok.error().message, kid);
    return inspection;
  }
  inspection.signature = Signature::valid;
  inspection.signature_detail = fmt::format("kid {}, key from {}", kid, metadata.jwks_uri);
  return inspection;
}

} // namespace oauthctl::oauth
