// SPDX-License-Identifier: MIT
#include <oauthctl/http/url.hpp>
#include <oauthctl/oauth/id_token.hpp>
#include <oauthctl/util/base64url.hpp>
#include <oauthctl/util/crypto.hpp>

#include <fmt/format.h>

#include <optional>

namespace oauthctl::oauth {

namespace {

tl::unexpected<util::Error> reject(std::string_view check) {
  return util::fail(util::ErrorKind::bad_response, fmt::format("id_token rejected: {}", check));
}

std::optional<std::int64_t> date_claim(const nlohmann::json& claims, const char* name) {
  const auto it = claims.find(name);
  if (it == claims.end() || !it->is_number()) {
    return std::nullopt;
  }
  return it->is_number_float() ? static_cast<std::int64_t>(it->get<double>()) : it->get<std::int64_t>();
}

std::optional<std::string> string_claim(const nlohmann::json& claims, const char* name) {
  const auto it = claims.find(name);
  if (it == claims.end() || !it->is_string()) {
    return std::nullopt;
  }
  return it->get<std::string>();
}

} // namespace

util::Result<Jwt> verify_id_token(std::string_view id_token, const JwksVerifier& keys,
                                  const IdTokenExpectations& expected) {
  auto jwt = decode_jwt(id_token);
  if (!jwt) {
    return reject(fmt::format("not a signed JWT ({})", jwt.error().message));
  }
  // OIDC Core §3.1.3.7 step 6: the signature must verify with the issuer's keys; the
  // verifier refuses alg "none" and HMAC (no client secret was agreed as a key here).
  if (auto ok = keys.verify_signature(*jwt); !ok) {
    return reject(fmt::format("bad signature ({})", ok.error().message));
  }
  const auto& claims = jwt->claims;
  // Step 2: iss must exactly match the issuer the request went to.
  const auto iss = string_claim(claims, "iss");
  if (!iss || *iss != expected.issuer) {
    return reject(fmt::format("iss mismatch: expected '{}'", expected.issuer));
  }
  // §2: sub is REQUIRED, a non-empty string: it is who the user is to this client.
  if (const auto sub = string_claim(claims, "sub"); !sub || sub->empty()) {
    return reject("no sub claim");
  }
  // Step 3: aud must contain our client_id (a string or an array of strings).
  bool audience_ok = false;
  bool several_audiences = false;
  if (const auto aud = claims.find("aud"); aud != claims.end()) {
    if (aud->is_string()) {
      audience_ok = aud->get_ref<const std::string&>() == expected.client_id;
    } else if (aud->is_array()) {
      several_audiences = aud->size() > 1;
      for (const auto& item : *aud) {
        audience_ok =
          audience_ok || (item.is_string() && item.get_ref<const std::string&>() == expected.client_id);
      }
    }
  }
  if (!audience_ok) {
    return reject(fmt::format("aud does not contain the client id '{}'", expected.client_id));
  }
  // Steps 4-5: azp, when present (and needed for several audiences), names us.
  const auto azp = string_claim(claims, "azp");
  if ((azp && *azp != expected.client_id) || (several_audiences && !azp)) {
    return reject("azp is not the client id");
  }
  // Step 9: reject it on or after exp.
  const auto exp = date_claim(claims, "exp");
  if (!exp) {
    return reject("no exp claim");
  }
  if (expected.now >= *exp + expected.leeway) {
    return reject("expired (exp)");
  }
  // Step 10: iat is required; one far in the future means a broken clock or a forgery.
  const auto iat = date_claim(claims, "iat");
  if (!iat) {
    return reject("no iat claim");
  }
  if (*iat > expected.now + expected.leeway) {
    return reject("issued in the future (iat)");
  }
  // Step 11: the nonce binds the token to this authorization request (replay defence).
  if (!expected.nonce.empty()) {
    const auto nonce = string_claim(claims, "nonce");
    if (!nonce || !util::constant_time_equal(*nonce, expected.nonce)) {
      return reject("nonce mismatch (the token was not issued for this request)");
    }
  }
  // §3.1.3.8 / §3.2.2.9: at_hash is the left half of the access token's hash, with the
  // hash of the JWS alg; we can check it for the SHA-256 algorithms.
  const auto at_hash = string_claim(claims, "at_hash");
  const auto alg = string_claim(jwt->header, "alg").value_or("");
  if (at_hash && !expected.access_token.empty() && (alg == "RS256" || alg == "ES256" || alg == "PS256")) {
    const auto digest = util::sha256(expected.access_token);
    const auto computed = util::base64url_encode(digest.substr(0, digest.size() / 2));
    if (!util::constant_time_equal(computed, *at_hash)) {
      return reject("at_hash does not match the access token");
    }
  }
  return jwt;
}

util::Result<JwksVerifier> fetch_jwks(http::Client& client, const std::string& jwks_uri) {
  if (!http::parse_url(jwks_uri)) {
    return util::fail(util::ErrorKind::bad_response,
                      fmt::format("jwks_uri '{}' is not an http(s) URL", jwks_uri));
  }
  http::Request request;
  request.url = jwks_uri;
  request.headers.add("Accept", "application/json");
  auto response = client.send(request);
  if (!response) {
    return tl::unexpected(response.error());
  }
  if (response->status != 200) {
    return util::fail(util::ErrorKind::bad_response,
                      fmt::format("{} answered HTTP {} instead of a JWK Set", jwks_uri, response->status));
  }
  const auto jwks = nlohmann::json::parse(response->body, nullptr, false);
  if (jwks.is_discarded()) {
    return util::fail(util::ErrorKind::bad_response, fmt::format("{} is not JSON", jwks_uri));
  }
  return JwksVerifier::from_jwks(jwks);
}

} // namespace oauthctl::oauth
