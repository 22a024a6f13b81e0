// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/grants.hpp>
#include <oauthctl/oauth/token_endpoint.hpp>

#include <fmt/format.h>

namespace oauthctl::oauth {

util::FormFields client_credentials_form(const ClientConfig& config) {
  util::FormFields form{{"grant_type", "client_credentials"}};
  if (!config.scope.empty()) {
    form.emplace_back("scope", config.scope); // RFC 6749 §3.3
  }
  if (!config.audience.empty()) {
    // Not in RFC 6749; Aidbox and Auth0 read `audience` to pick the token's aud.
    form.emplace_back("audience", config.audience);
  }
  if (!config.resource.empty()) {
    form.emplace_back("resource", config.resource); // RFC 8707 §2
  }
  return form;
}

util::Result<TokenResponse> run_client_credentials(const FlowContext& context) {
  // RFC 6749 §4.4.2: the client must authenticate; a public client has nothing to show.
  if (context.config.auth_method == AuthMethod::none) {
    return util::fail(util::ErrorKind::usage,
                      "client_credentials needs a confidential client (--auth-method client_secret_basic, "
                      "client_secret_post or private_key_jwt)");
  }
  return exchange_at_token_endpoint(context, client_credentials_form(context.config));
}

} // namespace oauthctl::oauth
