// SPDX-License-Identifier: MIT
#include "server/access_token.hpp"

#include "server/json_text.hpp"
#include "server/tls/client_certificate.hpp"

#include <oauthctl/http/message.hpp>
#include <oauthctl/util/crypto.hpp>
#include <oauthctl/util/json_writer.hpp>

#include <fmt/format.h>

namespace oauthctl::server {

namespace {

BearerRefusal invalid_token(std::string_view description) {
  // RFC 6750 §3: the description is ours (never echoed input), so it needs no escaping.
  return {
    fmt::format(R"(Bearer realm="{}", error="invalid_token", error_description="{}")", k_realm, description),
    std::string(description)};
}

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
bool is_b64token(std::string_view token) {
  if (token.empty()) {
    return false;
  }
  std::size_t i = 0;
  for (; i < token.size() && token[i] != '='; ++i) {
    const char c = token[i];
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
    if (!ok) {
      return false;
    }
  }
  for (; i < token.size(); ++i) {
    if (token[i] != '=') {
      return false;
    }
  }
  return true;
}

} // namespace

util::Result<std::string> issue_access_token(const oauth::SigningKey& key, const std::string& issuer,
                                             std::int64_t now, const AccessTokenGrant& grant) {
  std::string scope;
  for (const auto& token : grant.scopes) {
    if (!scope.empty()) {
      scope += ' ';
    }
    scope += token;
  }
  // Written as text (util::JsonObjectWriter): every token request pays for this. A claim of
  // the same name in extra_claims replaces ours, and the certificate binding replaces both.
  const auto& extra = grant.extra_claims;
  const bool bound = !grant.certificate_thumbprint.empty();
  const auto ours = [&extra](const char* name) { return !extra.is_object() || !extra.contains(name); };
  util::JsonObjectWriter claims;
  if (ours("iss")) {
    claims.string("iss", issuer);
  }
  if (ours("sub")) {
    claims.string("sub", grant.subject);
  }
  if (ours("aud")) {
    claims.string("aud", grant.audience);
  }
  if (ours("exp")) {
    claims.integer("exp", now + grant.lifetime);
  }
  if (ours("iat")) {
    claims.integer("iat", now);
  }
  if (ours("jti")) {
    claims.string("jti", grant.jti.empty() ? util::random_token(16) : grant.jti);
  }
  if (ours("scope")) {
    claims.string("scope", scope);
  }
  if (ours("client_id")) {
    claims.string("client_id", grant.client_id);
  }
  if (extra.is_object()) {
    for (const auto& [name, value] : extra.items()) {
      if (!bound || name != "cnf") {
        claims.value(name, value);
      }
    }
  }
  if (bound) {
    claims.value("cnf", nlohmann::json{{"x5t#S256", grant.certificate_thumbprint}});
  }
  // RFC 9068 §2.1 names the type "at+jwt"; Aidbox and most resource servers expect "JWT",
  // which is also what the SMART and Aidbox docs show, so we stay with it.
  return key.sign_json(claims.finish());
}

tl::expected<std::string, BearerRefusal> bearer_token(const http::Headers& headers) {
  const auto authorization = headers.get("Authorization");
  constexpr std::string_view k_scheme = "bearer ";
  // RFC 6750 §3.1: a request without credentials gets a challenge without an error code;
  // another scheme (Basic) counts as no bearer credentials.
  if (!authorization || authorization->size() < k_scheme.size() ||
      !http::iequals(std::string_view(*authorization).substr(0, k_scheme.size()), k_scheme)) {
    return tl::unexpected(BearerRefusal{fmt::format(R"(Bearer realm="{}")", k_realm), {}});
  }
  std::string_view token = std::string_view(*authorization).substr(k_scheme.size());
  while (!token.empty() && token.front() == ' ') {
    token.remove_prefix(1);
  }
  while (!token.empty() && token.back() == ' ') {
    token.remove_suffix(1);
  }
  if (!is_b64token(token)) {
    return tl::unexpected(invalid_token("the bearer token is malformed"));
  }
  return std::string(token);
}

tl::expected<VerifiedToken, BearerRefusal> verify_access_token(std::string_view token,
                                                               const BearerChecks& checks) {
  const auto jwt = oauth::decode_jwt(token);
  if (!jwt) {
    return tl::unexpected(invalid_token("the bearer token is not a JWT"));
  }
  if (checks.verifier == nullptr || !checks.verifier->verify_signature(*jwt)) {
    return tl::unexpected(invalid_token("the token signature is invalid"));
  }
  const oauth::ClaimChecks claim_checks{checks.issuer, checks.audiences, checks.now, 0, true};
  if (const auto valid = oauth::check_claims(jwt->claims, claim_checks); !valid) {
    return tl::unexpected(invalid_token(valid.error().message));
  }
  VerifiedToken verified;
  // RFC 8705 §3: a token bound to a certificate is good only on a connection that
  // presented it (check_certificate_binding); anything else in `cnf` (a DPoP jkt) is a
  // binding we cannot check.
  if (const auto cnf = jwt->claims.find("cnf"); cnf != jwt->claims.end()) {
    const auto bound_to = cnf->is_object() ? string_claim(*cnf, "x5t#S256") : std::string();
    if (bound_to.empty()) {
      return tl::unexpected(invalid_token("the token is bound to a key this server cannot check"));
    }
    verified.certificate_thumbprint = bound_to;
  }
  verified.subject = string_claim(jwt->claims, "sub");
  verified.client_id = string_claim(jwt->claims, "client_id");
  verified.jti = string_claim(jwt->claims, "jti");
  if (const auto exp = jwt->claims.find("exp"); exp != jwt->claims.end() && exp->is_number_integer()) {
    verified.expires_at = exp->get<std::int64_t>();
  }
  verified.has_not_before = jwt->claims.contains("nbf");
  verified.patient = string_claim(jwt->claims, "patient");
  verified.fhir_user = string_claim(jwt->claims, "fhirUser");
  if (const auto scope = jwt->claims.find("scope"); scope != jwt->claims.end() && scope->is_string()) {
    verified.scope_names = oauth::split_scopes(scope->get_ref<const std::string&>());
    for (const auto& token_scope : verified.scope_names) {
      if (auto parsed = oauth::parse_smart_scope(token_scope)) {
        verified.scopes.push_back(std::move(*parsed));
      }
    }
  }
  return verified;
}

tl::expected<void, BearerRefusal> check_certificate_binding(const VerifiedToken& token,
                                                            const BearerChecks& checks) {
  if (token.certificate_thumbprint.empty()) {
    return {};
  }
  if (checks.client_certificate == nullptr ||
      !util::constant_time_equal(certificate_thumbprint(checks.client_certificate->der),
                                 token.certificate_thumbprint)) {
    return tl::unexpected(
      invalid_token("the token is bound to a TLS client certificate this request did not present"));
  }
  return {};
}

tl::expected<VerifiedToken, BearerRefusal> verify_bearer(const http::Headers& headers,
                                                         const BearerChecks& checks) {
  const auto token = bearer_token(headers);
  if (!token) {
    return tl::unexpected(token.error());
  }
  auto verified = verify_access_token(*token, checks);
  if (!verified) {
    return verified;
  }
  if (auto bound = check_certificate_binding(*verified, checks); !bound) {
    return tl::unexpected(std::move(bound.error()));
  }
  return verified;
}

std::string insufficient_scope_challenge(std::string_view needed) {
  return fmt::format(R"(Bearer realm="{}", error="insufficient_scope", scope="{}")", k_realm, needed);
}

} // namespace oauthctl::server
