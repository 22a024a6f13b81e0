// SPDX-License-Identifier: MIT
#include "server/endpoints/userinfo_endpoint.hpp"

#include "server/access_token.hpp"
#include "server/endpoints/user_tokens.hpp"

#include <fmt/format.h>

namespace oauthctl::server {

namespace {

ServerResponse refused(int status, const std::string& challenge, std::string_view error,
                       std::string_view description) {
  auto response = oauth_error(status, error, description);
  response.headers.set("WWW-Authenticate", challenge);
  return response;
}

} // namespace

ServerResponse handle_userinfo(const AppContext& context, const ServerRequest& request) {
  const auto key_set = context.keys.current(); // one set for the whole request
  const BearerChecks checks{&key_set->verifier,
                            context.issuer,
                            {context.fhir_base, context.issuer},
                            context.now(),
                            request.client_certificate.get()};
  auto token = verify_bearer(request.headers, checks);
  if (!token) {
    // RFC 6750 §3.1: without credentials, a bare challenge and no error code.
    return refused(401, token.error().www_authenticate,
                   token.error().description.empty() ? "invalid_request" : "invalid_token",
                   token.error().description.empty() ? "a bearer token is required"
                                                     : token.error().description);
  }
  if (context.auth->is_revoked(token->jti)) {
    return refused(
      401,
      fmt::format(R"(Bearer realm="{}", error="invalid_token", error_description="the token was revoked")",
                  k_realm),
      "invalid_token", "the token was revoked");
  }
  if (!has_scope(token->scope_names, "openid")) {
    // OIDC Core §5.3.3: userinfo serves tokens granted with `openid` only.
    return refused(403, insufficient_scope_challenge("openid"), "insufficient_scope",
                   "the token lacks the openid scope");
  }
  const auto directory = context.directory.current(); // holds `user` for the request
  const auto* user = directory->users.find(token->subject);
  if (user == nullptr) {
    return refused(
      401,
      fmt::format(R"(Bearer realm="{}", error="invalid_token", error_description="no such user")", k_realm),
      "invalid_token", "the token's subject is not a user");
  }
  auto response = json_response(200, user_claims(*user, token->scope_names));
  add_no_store(response);
  return response;
}

} // namespace oauthctl::server
