// SPDX-License-Identifier: MIT
#include "server/endpoints/token_request.hpp"

#include <fmt/format.h>

namespace oauthctl::server {

ServerResponse refresh_token_grant(const TokenRequest& request) {
  const auto token = util::form_get(request.params, "refresh_token");
  if (!token || token->empty()) {
    return oauth_error(400, "invalid_request", "refresh_token is missing");
  }
  if (request.client.spec.binds_tokens_to_certificate() && request.certificate_thumbprint.empty()) {
    // RFC 8705 §3 and §4: this client's tokens, and a public client's refresh tokens, are
    // bound to its TLS client certificate. Refused before rotating: the token stays usable.
    return oauth_error(400, "invalid_grant",
                       "this client's tokens are bound to its TLS client certificate (RFC 8705): connect "
                       "over TLS with it");
  }
  // RFC 6749 §6: the new scope must not include any scope not originally granted. Checked
  // before rotating, so a bad request leaves the refresh token usable.
  const auto requested = util::form_get(request.params, "scope");
  std::vector<std::string> narrowed;
  if (requested && !oauth::split_scopes(*requested).empty()) {
    const auto original = request.context.auth->refresh_scopes(*token);
    for (const auto& scope : oauth::split_scopes(*requested)) {
      if (original && !has_scope(*original, scope)) {
        return oauth_error(400, "invalid_scope",
                           fmt::format("{} was not granted originally", nlohmann::json(scope).dump()));
      }
      if (!has_scope(narrowed, scope)) {
        narrowed.push_back(scope);
      }
    }
  }
  RefreshGrant grant;
  // The successor is stored by the rotation itself (one transaction); the user grant
  // below names authorization_code, so its refresh lifetime is that grant's.
  const auto successor = AuthState::new_refresh_token();
  const auto now = request.context.now();
  switch (request.context.auth->rotate_refresh(*token, request.client.spec.id, now, grant, successor,
                                               now + refresh_lifetime(request.client, "authorization_code"),
                                               request.certificate_thumbprint)) {
    case Redemption::ok:
      break;
    case Redemption::replayed:
      return oauth_error(400, "invalid_grant", "the refresh token was already used; its family is revoked");
    case Redemption::expired:
      return oauth_error(400, "invalid_grant", "the refresh token has expired");
    case Redemption::unknown:
    case Redemption::wrong_client:
      return oauth_error(400, "invalid_grant", "the refresh token is not valid for this client");
    case Redemption::wrong_certificate:
      return oauth_error(400, "invalid_grant",
                         "the refresh token is bound to another TLS client certificate (RFC 8705 §4)");
  }
  const auto& scopes = narrowed.empty() ? grant.scopes : narrowed;
  const auto* user = request.directory.users.find(grant.user_id);
  if (user == nullptr) {
    return oauth_error(400, "invalid_grant", "the user of this refresh token no longer exists");
  }
  // The family keeps the originally granted scopes, so a later refresh may widen back
  // to them (RFC 6749 §6), never beyond.
  const UserGrant user_grant{request.client, *user, scopes, grant.auth_time, {}, "authorization_code"};
  auto issued = respond_with_user_tokens(request, user_grant, grant.family, grant.scopes, successor);
  return std::move(issued.response);
}

} // namespace oauthctl::server
