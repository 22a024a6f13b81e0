// SPDX-License-Identifier: MIT
#include "server/endpoints/client_assertion.hpp"
#include "server/endpoints/token_request.hpp"

#include <fmt/format.h>

namespace oauthctl::server {

ServerResponse jwt_bearer_grant(const TokenRequest& request) {
  const auto assertion = util::form_get(request.params, "assertion");
  if (!assertion || assertion->empty()) {
    return oauth_error(400, "invalid_request", "assertion is missing");
  }
  // RFC 7523 §3: the assertion is the grant; it must come from a key the client registered.
  if (!request.client.has_keys()) {
    return oauth_error(400, "invalid_grant",
                       "this client registered no keys (jwks or jwks_uri) to verify with");
  }
  auto claims =
    verify_assertion(request.context, request.client, *assertion, AssertionPurpose::authorization_grant);
  if (!claims) {
    // RFC 7523 §3.1: an assertion that is not valid answers invalid_grant.
    return oauth_error(400, "invalid_grant", "assertion rejected: " + claims.error());
  }
  const auto subject = (*claims)["sub"].get<std::string>();
  if (subject == request.client.spec.id) {
    // The client on its own behalf: what client_credentials would issue.
    return issue_client_token(request);
  }
  const auto* user = request.directory.users.find(subject);
  if (user == nullptr) {
    return oauth_error(400, "invalid_grant", "the assertion's sub is neither the client nor a known user");
  }
  // The user's token carries what the client may ask for on a user's behalf, as at the
  // authorization endpoint: no system/ scopes, each scope within the client's list.
  std::vector<std::string> scopes;
  for (const auto& scope : oauth::split_scopes(util::form_get(request.params, "scope").value_or(""))) {
    const auto parsed = oauth::parse_smart_scope(scope);
    if (parsed && parsed->context == "system") {
      return oauth_error(400, "invalid_scope",
                         fmt::format("{} is for the client itself (sub = client_id), not a user",
                                     nlohmann::json(scope).dump()));
    }
    if (request.client.spec.scopes && !scope_allowed(*request.client.spec.scopes, scope, parsed)) {
      return oauth_error(400, "invalid_scope",
                         fmt::format("{} is not allowed for this client", nlohmann::json(scope).dump()));
    }
    if (!has_scope(scopes, scope)) {
      scopes.push_back(scope);
    }
  }
  const UserGrant grant{request.client, *user, std::move(scopes), request.context.now(), {}, "jwt_bearer"};
  return respond_with_user_tokens(request, grant, {}).response;
}

} // namespace oauthctl::server
