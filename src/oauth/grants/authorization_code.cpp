// SPDX-License-Identifier: MIT
#include "oauth/grants/browser_redirect.hpp"

#include <oauthctl/oauth/grants.hpp>
#include <oauthctl/oauth/token_endpoint.hpp>

namespace oauthctl::oauth {

util::FormFields authorization_code_form(std::string_view code, std::string_view redirect_uri,
                                         std::string_view code_verifier) {
  util::FormFields form{{"grant_type", "authorization_code"}, {"code", std::string(code)}};
  // RFC 6749 §4.1.3: redirect_uri is required when the authorization request had one, and
  // must be identical, so the server can tell the code was not moved to another client.
  if (!redirect_uri.empty()) {
    form.emplace_back("redirect_uri", std::string(redirect_uri));
  }
  // RFC 7636 §4.5: the verifier proves the redeemer is whoever started the request.
  if (!code_verifier.empty()) {
    form.emplace_back("code_verifier", std::string(code_verifier));
  }
  return form;
}

ClientConfig public_client_if_secretless(const ClientConfig& config) {
  ClientConfig copy = config;
  // RFC 8252 §8.4: a native app is usually a public client with no secret; RFC 6749
  // §3.2.1 has it identify itself with client_id in the body.
  if (copy.client_secret.empty() && (copy.auth_method == AuthMethod::client_secret_basic ||
                                     copy.auth_method == AuthMethod::client_secret_post)) {
    copy.auth_method = AuthMethod::none;
  }
  return copy;
}

util::Result<TokenResponse> run_authorization_code(const FlowContext& context) {
  auto authorization = authorize_in_browser(context, ResponseType::code);
  if (!authorization) {
    return tl::unexpected(authorization.error());
  }
  const auto config = public_client_if_secretless(context.config);
  const FlowContext exchange_context{context.client, config, context.metadata, context.observer,
                                     context.cancellation};
  auto form = authorization_code_form(authorization->response.code, authorization->redirect_uri,
                                      authorization->pkce ? authorization->pkce->verifier : std::string());
  auto token = exchange_at_token_endpoint(exchange_context, std::move(form));
  if (!token) {
    return token;
  }
  // OIDC Core §3.1.3.7: with openid the id_token is verified before anything trusts it.
  if (scope_contains(context.config.scope, "openid")) {
    if (auto ok = check_id_token(context, *token, authorization->nonce, IdTokenRequired::yes); !ok) {
      return tl::unexpected(ok.error());
    }
  }
  return token;
}

} // namespace oauthctl::oauth
