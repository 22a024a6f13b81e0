// SPDX-License-Identifier: MIT
#include "server/endpoints/token_request.hpp"

#include <oauthctl/oauth/pkce.hpp>

namespace oauthctl::server {

namespace {

using Json = nlohmann::json;

constexpr std::int64_t k_default_refresh_lifetime = 30 * 86400;

bool gets_refresh_token(const RegisteredClient& client, const std::vector<std::string>& scopes,
                        std::string_view grant) {
  // Aidbox issues one when the client's auth.<grant>.refresh_token is set;
  // OIDC Core §11 when `offline_access` was granted. Either way only to a client that
  // may use the refresh_token grant.
  return client.spec.allows_grant("refresh_token") &&
         (has_scope(scopes, "offline_access") || client.spec.settings(grant).refresh_token.value_or(false));
}

} // namespace

std::int64_t refresh_lifetime(const RegisteredClient& client, std::string_view grant) {
  return client.spec.settings(grant).refresh_token_expiration.value_or(k_default_refresh_lifetime);
}

IssuedUserResponse respond_with_user_tokens(const TokenRequest& request, const UserGrant& grant,
                                            std::string family, std::vector<std::string> family_scopes,
                                            const std::string& refresh_token) {
  const auto& context = request.context;
  const auto with_id = has_scope(grant.scopes, "openid") ? WithIdToken::yes : WithIdToken::no;
  auto bound = grant;
  bound.certificate_thumbprint = request.certificate_thumbprint;
  auto tokens = issue_user_tokens(context, bound, with_id);
  if (!tokens) {
    return {oauth_error(500, "server_error", "the token could not be signed"), {}, 0, {}};
  }
  Json body{{"access_token", tokens->access_token},
            {"token_type", "Bearer"},
            {"expires_in", tokens->expires_in},
            {"scope", oauth::join_scopes(grant.scopes)}};
  if (!tokens->id_token.empty()) {
    body["id_token"] = tokens->id_token;
  }
  if (!tokens->patient.empty()) {
    body["patient"] = tokens->patient;
  }
  if (!family.empty() || gets_refresh_token(grant.client, grant.scopes, grant.grant)) {
    if (family.empty()) {
      family = AuthState::new_family();
    }
    if (family_scopes.empty()) {
      family_scopes = grant.scopes;
    }
    // RFC 8705 §4: a client that did not authenticate (a public one) cannot keep its
    // refresh token to itself by authenticating; over mutual TLS a new family is bound to
    // the certificate its access tokens are bound to, and refreshes only with that one. A
    // rotated family keeps the binding it was created with.
    auto family_certificate =
      request.method == PresentedMethod::none ? request.certificate_thumbprint : std::string();
    body["refresh_token"] =
      !refresh_token.empty()
        ? refresh_token
        : context.auth->issue_refresh(
            {family, grant.client.spec.id, grant.user.spec.id, std::move(family_scopes), grant.auth_time,
             context.now() + refresh_lifetime(grant.client, grant.grant), std::move(family_certificate)});
    context.auth->add_family_token(family, tokens->jti, tokens->expires_at);
  }
  auto response = json_response(200, body);
  add_no_store(response);
  return {std::move(response), tokens->jti, tokens->expires_at, std::move(family)};
}

ServerResponse authorization_code_grant(const TokenRequest& request) {
  const auto code = util::form_get(request.params, "code");
  if (!code || code->empty()) {
    return oauth_error(400, "invalid_request", "code is missing");
  }
  const auto redirect_uri = util::form_get(request.params, "redirect_uri");
  const auto verifier = util::form_get(request.params, "code_verifier");
  auto& auth = *request.context.auth;
  CodeGrant grant;
  // The code is consumed on its first presentation by its client, whatever follows, so a
  // wrong code_verifier cannot be retried against it (RFC 7636 §4.6, RFC 9700 §2.1.1).
  switch (auth.redeem_code(*code, request.client.spec.id, request.context.now(), grant)) {
    case Redemption::ok:
      break;
    case Redemption::replayed:
      return oauth_error(400, "invalid_grant",
                         "the code was already used; the tokens issued from it are revoked");
    case Redemption::expired:
      return oauth_error(400, "invalid_grant", "the code has expired");
    case Redemption::unknown:
    case Redemption::wrong_client:
    case Redemption::wrong_certificate: // refresh tokens only
      return oauth_error(400, "invalid_grant", "the code is not valid for this client");
  }
  // RFC 6749 §4.1.3: redirect_uri must be identical to the one in the authorization request.
  if (!redirect_uri || *redirect_uri != grant.redirect_uri) {
    return oauth_error(400, "invalid_grant", "redirect_uri does not match the authorization request");
  }
  if (!grant.code_challenge.empty()) {
    if (!verifier) {
      return oauth_error(400, "invalid_grant", "code_verifier is missing (the code was issued with PKCE)");
    }
    if (!oauth::pkce_matches(oauth::PkceMethod::s256, *verifier, grant.code_challenge)) {
      return oauth_error(400, "invalid_grant", "code_verifier does not match the code_challenge");
    }
  } else if (verifier) {
    // RFC 9700 §2.1.1: a verifier for a code issued without a challenge is a downgrade attempt.
    return oauth_error(400, "invalid_grant", "code_verifier sent, but the code was issued without PKCE");
  }
  const auto* user = request.directory.users.find(grant.user_id);
  if (user == nullptr) {
    return oauth_error(400, "invalid_grant", "the user of this code no longer exists");
  }
  const UserGrant user_grant{request.client,  *user,       grant.scopes,
                             grant.auth_time, grant.nonce, "authorization_code"};
  auto issued = respond_with_user_tokens(request, user_grant, {});
  if (!issued.jti.empty()) {
    auth.link_code(*code, issued.jti, issued.expires_at, issued.family);
  }
  return std::move(issued.response);
}

} // namespace oauthctl::server
