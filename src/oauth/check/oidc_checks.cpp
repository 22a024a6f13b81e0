// SPDX-License-Identifier: MIT
// The oidc group: the code flow's id_token (OpenID Connect Core §3.1.3.7), userinfo (§5.3)
// and SMART's fhirUser.
#include "oauth/check/checks.hpp"

#include <oauthctl/oauth/fhir_client.hpp>
#include <oauthctl/oauth/id_token.hpp>

#include <fmt/format.h>

namespace oauthctl::oauth::check {

namespace {

struct IdToken {
  const CodeFlow* flow = nullptr;
  std::optional<Outcome> blocked;
};

IdToken id_token_of(Context& context) {
  if (!context.openid_document().usable() && !context.advertises("scopes_supported", "openid")) {
    return {nullptr, skipped("not an OpenID provider (no OpenID configuration)")};
  }
  if (const auto blocker = context.browser_flow_blocker(); !blocker.empty()) {
    return {nullptr, skipped(blocker)};
  }
  const auto& flow = context.code_flow();
  if (!flow) {
    return {nullptr, failed(fmt::format("no code flow: {}", util::describe(flow.error())))};
  }
  if (flow->token.id_token.empty()) {
    return {nullptr, failed(fmt::format("no id_token for scope {}", flow->trip.request.scope))};
  }
  return {&*flow, std::nullopt};
}

} // namespace

Outcome check_id_token_signature(Context& context) {
  const auto token = id_token_of(context);
  if (token.blocked) {
    return *token.blocked;
  }
  const auto jwt = decode_jwt(token.flow->token.id_token);
  if (!jwt) {
    return failed(jwt.error().message);
  }
  const auto& keys = context.jwks_naming(jwt->header);
  if (!keys) {
    return failed(fmt::format("no keys: {}", keys.error().message));
  }
  if (auto ok = keys->verify_signature(*jwt); !ok) {
    return failed(ok.error().message);
  }
  return passed(fmt::format("{} signature verifies with the JWKS", string_member(jwt->header, "alg")));
}

Outcome check_id_token_claims(Context& context) {
  const auto token = id_token_of(context);
  if (token.blocked) {
    return *token.blocked;
  }
  const auto header = decode_jwt(token.flow->token.id_token);
  const auto& keys = context.jwks_naming(header ? header->header : nlohmann::json());
  if (!keys) {
    return failed(fmt::format("no keys: {}", keys.error().message));
  }
  IdTokenExpectations expected;
  expected.issuer = context.issuer();
  expected.client_id = context.config().client_id;
  expected.nonce = token.flow->trip.request.nonce;
  expected.access_token = token.flow->token.access_token;
  expected.now = context.now();
  const auto jwt = verify_id_token(token.flow->token.id_token, *keys, expected);
  if (!jwt) {
    return failed(jwt.error().message);
  }
  return passed(jwt->claims.contains("at_hash") ? "iss, aud, exp, iat, nonce and at_hash as expected"
                                                : "iss, aud, exp, iat and nonce as expected (no at_hash)");
}

Outcome check_userinfo(Context& context) {
  const auto token = id_token_of(context);
  if (token.blocked) {
    return *token.blocked;
  }
  const auto& endpoint = context.metadata().userinfo_endpoint;
  if (endpoint.empty()) {
    return skipped("no userinfo_endpoint");
  }
  const auto ask = [&](const std::string& access_token) {
    http::Request request;
    request.url = endpoint;
    request.headers.set("Authorization", "Bearer " + access_token);
    request.headers.set("Accept", "application/json");
    return context.client().send(request);
  };
  auto response = ask(token.flow->token.access_token);
  if (!response) {
    return failed(response.error().message);
  }
  if (response->status == 401 && context.headless()) {
    // Servers that revoke a whole grant on code or refresh token reuse (oidc-provider does,
    // RFC 9700 §4.14.2 allows it) revoked the shared flow's token in an earlier check: ask
    // with a fresh one.
    if (auto fresh = context.fresh_code_flow()) {
      response = ask(fresh->token.access_token);
      if (!response) {
        return failed(response.error().message);
      }
    }
  }
  if (response->status != 200) {
    return failed(fmt::format("HTTP {}", response->status));
  }
  const auto claims = nlohmann::json::parse(response->body, nullptr, false);
  const auto jwt = decode_jwt(token.flow->token.id_token);
  if (!claims.is_object() || !claims.contains("sub")) {
    return failed("the answer is not a JSON object with sub");
  }
  if (jwt && (!jwt->claims.contains("sub") || jwt->claims["sub"] != claims["sub"])) {
    return failed("userinfo sub differs from the id_token's (OIDC Core §5.3.2)");
  }
  return passed(fmt::format("sub {} as in the id_token", claims["sub"].dump()));
}

Outcome check_userinfo_without_token(Context& context) {
  const auto& endpoint = context.metadata().userinfo_endpoint;
  if (endpoint.empty() || !context.has_endpoint("userinfo_endpoint")) {
    return skipped("no userinfo_endpoint");
  }
  http::Request request;
  request.url = endpoint;
  const auto response = context.client().send(request);
  if (!response) {
    return failed(response.error().message);
  }
  if (response->status != 401) {
    return failed(fmt::format("expected HTTP 401, got HTTP {}", response->status));
  }
  return passed("HTTP 401");
}

Outcome check_fhir_user(Context& context) {
  const auto token = id_token_of(context);
  if (token.blocked) {
    return *token.blocked;
  }
  const auto jwt = decode_jwt(token.flow->token.id_token);
  const auto fhir_user = jwt ? string_member(jwt->claims, "fhirUser") : std::string();
  if (fhir_user.empty()) {
    return skipped(fmt::format("no fhirUser claim (scope {})", token.flow->trip.request.scope));
  }
  // SMART App Launch 2.0 §2.0.6: a relative reference resolves against the FHIR base.
  const auto base = context.fhir_base();
  const auto path = fhir_user.rfind(base + "/", 0) == 0 ? fhir_user.substr(base.size() + 1) : fhir_user;
  const auto response = fhir_get(context.client(), base, path, token.flow->token.access_token);
  if (!response) {
    return failed(fmt::format("{}: {}", fhir_user, util::describe(response.error())));
  }
  return passed(fmt::format("{} resolves", fhir_user));
}

} // namespace oauthctl::oauth::check
