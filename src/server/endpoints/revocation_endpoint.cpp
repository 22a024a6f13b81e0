// SPDX-License-Identifier: MIT
#include "server/endpoints/revocation_endpoint.hpp"

#include "server/access_token.hpp"
#include "server/endpoints/client_authentication.hpp"
#include "server/endpoints/introspection_endpoint.hpp"
#include "server/endpoints/token_params.hpp"
#include "server/json_text.hpp"

#include <fmt/format.h>

namespace oauthctl::server {

namespace {

ServerResponse revoked() {
  // RFC 7009 §2.2: 200 whether the token was revoked or was never valid; the body is
  // ignored by clients.
  auto response = json_response(200, nlohmann::json::object());
  add_no_store(response);
  return response;
}

ServerResponse issued_to_another_client() {
  // RFC 7009 §2.1: the server verifies that the token was issued to the client making the
  // request and, if not, refuses it with an error; RFC 6749 §5.2 names that case invalid_grant.
  return oauth_error(400, "invalid_grant", "the token was issued to another client");
}

std::int64_t exp_claim(const nlohmann::json& claims) {
  const auto it = claims.find("exp");
  return it != claims.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

} // namespace

ServerResponse handle_revoke(const AppContext& context, const ServerRequest& request) {
  const auto params = read_token_params(request);
  if (!params) {
    return oauth_error(400, "invalid_request", params.error());
  }
  // RFC 7009 §2.1: a confidential client authenticates; a public client (logging out of a
  // native app) identifies itself with client_id, as at the token endpoint.
  const auto directory = context.directory.current(); // holds caller->client
  const auto caller = authenticate_client(context, *directory, request, *params, PublicClients::allowed);
  if (!caller) {
    return caller.error();
  }
  const auto token = util::form_get(*params, "token");
  if (!token || token->empty()) {
    return oauth_error(400, "invalid_request", "token is missing");
  }
  const auto& client_id = caller->client->spec.id;
  // RFC 7009 §2.1: the hint is only a search order; both types are looked up anyway.
  const auto hint = util::form_get(*params, "token_type_hint");
  const auto try_refresh = [&]() -> std::optional<ServerResponse> {
    switch (context.auth->revoke_refresh(*token, client_id)) {
      case RefreshRevocation::revoked:
        return revoked();
      case RefreshRevocation::wrong_client:
        return issued_to_another_client();
      case RefreshRevocation::unknown:
        break;
    }
    return std::nullopt;
  };
  const auto try_access = [&]() -> std::optional<ServerResponse> {
    const auto claims = live_access_token(context, *token);
    if (!claims) {
      return std::nullopt;
    }
    if (string_claim(*claims, "client_id") != client_id) {
      return issued_to_another_client();
    }
    // Only this access token: its refresh token, if any, stays usable (RFC 7009 §2.1 lets
    // the server choose; a client revoking an access token asks for no more).
    context.auth->revoke_access(string_claim(*claims, "jti"), exp_claim(*claims));
    return revoked();
  };
  const bool refresh_first = hint && *hint == "refresh_token";
  auto outcome = refresh_first ? try_refresh() : try_access();
  if (!outcome) {
    outcome = refresh_first ? try_access() : try_refresh();
  }
  return outcome ? std::move(*outcome) : revoked();
}

ServerResponse handle_delete_session(const AppContext& context, const ServerRequest& request) {
  const auto key_set = context.keys.current(); // one set for the whole request
  const BearerChecks checks{
    &key_set->verifier, context.issuer, {}, context.now(), request.client_certificate.get()};
  const auto refuse = [](const std::string& challenge, std::string_view description) {
    auto response = oauth_error(401, description.empty() ? "invalid_request" : "invalid_token",
                                description.empty() ? "a bearer token is required" : description);
    response.headers.set("WWW-Authenticate", challenge);
    return response;
  };
  const auto token = verify_bearer(request.headers, checks);
  if (!token) {
    return refuse(token.error().www_authenticate, token.error().description);
  }
  if (token->jti.empty() || context.auth->is_revoked(token->jti)) {
    return refuse(
      fmt::format(R"(Bearer realm="{}", error="invalid_token", error_description="the token was revoked")",
                  k_realm),
      "the token was revoked");
  }
  context.auth->revoke_access(token->jti, token->expires_at);
  if (const auto family = context.auth->family_of(token->jti); !family.empty()) {
    context.auth->revoke_family(family);
  }
  ServerResponse response;
  response.status = 204;
  return response;
}

} // namespace oauthctl::server
