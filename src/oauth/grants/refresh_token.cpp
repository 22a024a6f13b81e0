// SPDX-License-Identifier: MIT
#include "oauth/grants/browser_redirect.hpp"

#include <oauthctl/oauth/grants.hpp>
#include <oauthctl/oauth/token_endpoint.hpp>

namespace oauthctl::oauth {

util::FormFields refresh_token_form(const ClientConfig& config) {
  util::FormFields form{{"grant_type", "refresh_token"}, {"refresh_token", config.refresh_token}};
  // RFC 6749 §6: scope is optional and may not exceed what was originally granted.
  if (!config.scope.empty()) {
    form.emplace_back("scope", config.scope);
  }
  return form;
}

util::Result<TokenResponse> run_refresh_token(const FlowContext& context) {
  if (context.config.refresh_token.empty()) {
    return util::fail(util::ErrorKind::usage,
                      "missing --refresh-token (or OAUTHCTL_REFRESH_TOKEN; '-' reads it from stdin)");
  }
  const auto config = public_client_if_secretless(context.config);
  const FlowContext exchange_context{context.client, config, context.metadata, context.observer,
                                     context.cancellation};
  auto token = exchange_at_token_endpoint(exchange_context, refresh_token_form(config));
  if (!token) {
    return token;
  }
  // OIDC Core §12.2: an id_token from a refresh has the original iss and aud, and no nonce
  // to compare; it is verified all the same.
  if (auto ok = check_id_token(context, *token, {}, IdTokenRequired::no); !ok) {
    return tl::unexpected(ok.error());
  }
  return token;
}

} // namespace oauthctl::oauth
