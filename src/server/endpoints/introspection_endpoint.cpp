// SPDX-License-Identifier: MIT
#include "server/endpoints/introspection_endpoint.hpp"

#include "server/endpoints/client_authentication.hpp"
#include "server/endpoints/token_params.hpp"

#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/oauth/smart_scope.hpp>

namespace oauthctl::server {

namespace {

using Json = nlohmann::json;

ServerResponse introspection_response(const Json& body) {
  auto response = json_response(200, body);
  // RFC 7662 §4: the answer describes a live credential; no cache may keep it.
  add_no_store(response);
  return response;
}

ServerResponse inactive() {
  // RFC 7662 §2.2: for a token that is not active, nothing but "active": false, so the
  // answer does not tell why (expired, revoked, unknown) or whose it was.
  return introspection_response(Json{{"active", false}});
}

std::optional<Json> access_token_answer(const AppContext& context, std::string_view token) {
  auto claims = live_access_token(context, token);
  if (!claims) {
    return std::nullopt;
  }
  Json body{{"active", true}, {"token_type", "Bearer"}};
  // RFC 7662 §2.2 members, SMART App Launch §2.0.12's (fhirUser, patient), and RFC 8705
  // §3.2's cnf (the certificate a resource server must see the token with) when the token
  // carries them.
  for (const char* name : {"scope", "client_id", "exp", "iat", "nbf", "sub", "aud", "iss", "jti", "fhirUser",
                           "patient", "cnf"}) {
    if (const auto it = claims->find(name); it != claims->end()) {
      body[name] = *it;
    }
  }
  return body;
}

std::optional<Json> refresh_token_answer(const AppContext& context, const Directory& directory,
                                         const std::string& token, const RegisteredClient& caller) {
  const auto grant = context.auth->active_refresh(token, context.now());
  // A refresh token is only ever presented by the client it was issued to (RFC 6749
  // §10.4), so no other client has a reason to introspect it: for them it is inactive.
  if (!grant || grant->client_id != caller.spec.id) {
    return std::nullopt;
  }
  Json body{{"active", true},
            {"token_type", "refresh_token"},
            {"scope", oauth::join_scopes(grant->scopes)},
            {"client_id", grant->client_id},
            {"exp", grant->expires_at},
            {"sub", grant->user_id},
            {"iss", context.issuer}};
  if (const auto* user = directory.users.find(grant->user_id); user != nullptr) {
    if (const auto reference = UserDirectory::fhir_user_reference(user->spec); !reference.empty()) {
      body["fhirUser"] = reference;
    }
  }
  return body;
}

} // namespace

std::optional<nlohmann::json> live_access_token(const AppContext& context, std::string_view token) {
  if (token.find('.') == std::string_view::npos) {
    return std::nullopt;
  }
  auto jwt = oauth::decode_jwt(token);
  if (!jwt || !context.keys.current()->verifier.verify_signature(*jwt)) {
    return std::nullopt;
  }
  const oauth::ClaimChecks checks{context.issuer, {}, context.now(), 0, true};
  if (!oauth::check_claims(jwt->claims, checks)) {
    return std::nullopt;
  }
  const auto jti = jwt->claims.find("jti");
  if (jti == jwt->claims.end() || !jti->is_string() || context.auth->is_revoked(jti->get<std::string>())) {
    return std::nullopt;
  }
  return std::move(jwt->claims);
}

ServerResponse handle_introspect(const AppContext& context, const ServerRequest& request) {
  const auto params = read_token_params(request);
  if (!params) {
    return oauth_error(400, "invalid_request", params.error());
  }
  // RFC 7662 §2.1: the endpoint requires authorization, here the client authentication of
  // the token endpoint; public clients cannot authenticate, so they may not introspect.
  const auto directory = context.directory.current(); // one snapshot for the request
  const auto caller = authenticate_client(context, *directory, request, *params, PublicClients::refused);
  if (!caller) {
    return caller.error();
  }
  const auto token = util::form_get(*params, "token");
  if (!token || token->empty()) {
    return oauth_error(400, "invalid_request", "token is missing");
  }
  // RFC 7662 §2.1: the hint only orders the search; an unknown hint is ignored.
  const auto hint = util::form_get(*params, "token_type_hint");
  const bool refresh_first = hint && *hint == "refresh_token";
  std::optional<Json> answer;
  if (refresh_first) {
    answer = refresh_token_answer(context, *directory, *token, *caller->client);
  }
  if (!answer) {
    answer = access_token_answer(context, *token);
  }
  if (!answer && !refresh_first) {
    answer = refresh_token_answer(context, *directory, *token, *caller->client);
  }
  return answer ? introspection_response(*answer) : inactive();
}

} // namespace oauthctl::server
