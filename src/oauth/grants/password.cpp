// SPDX-License-Identifier: MIT
#include "oauth/grants/browser_redirect.hpp"

#include <oauthctl/oauth/grants.hpp>
#include <oauthctl/oauth/token_endpoint.hpp>

#include <fmt/format.h>

namespace oauthctl::oauth {

util::FormFields password_form(const ClientConfig& config, const std::string& password) {
  // RFC 6749 §4.3.2: grant_type, username, password, and scope when asked for.
  util::FormFields form{
    {"grant_type", "password"}, {"username", config.password.username}, {"password", password}};
  if (!config.scope.empty()) {
    form.emplace_back("scope", config.scope);
  }
  if (!config.audience.empty()) {
    form.emplace_back("audience", config.audience);
  }
  if (!config.resource.empty()) {
    form.emplace_back("resource", config.resource); // RFC 8707 §2
  }
  return form;
}

util::Result<TokenResponse> run_password(const FlowContext& context) {
  const auto& credentials = context.config.password;
  if (credentials.username.empty()) {
    return util::fail(util::ErrorKind::usage,
                      "missing --username (or OAUTHCTL_USERNAME) for --grant password");
  }
  std::string password = credentials.password;
  if (password.empty()) {
    if (!credentials.prompt) {
      return util::fail(util::ErrorKind::usage,
                        "missing password: set OAUTHCTL_PASSWORD, pass --password - to read it from stdin, "
                        "or run on a terminal to be asked");
    }
    auto asked = credentials.prompt(credentials.username);
    if (!asked) {
      return tl::unexpected(asked.error());
    }
    password = std::move(*asked);
  }
  context.observer.on_step(
    "Resource owner password",
    fmt::format("user {}; the password goes to the token endpoint, never to a log (RFC 6749 §4.3)",
                credentials.username));
  // RFC 6749 §4.3.2: a confidential client authenticates; a public one sends client_id.
  const auto config = public_client_if_secretless(context.config);
  const FlowContext exchange_context{context.client, config, context.metadata, context.observer,
                                     context.cancellation};
  auto token = exchange_at_token_endpoint(exchange_context, password_form(config, password));
  if (!token) {
    return token;
  }
  // With `openid` the answer may carry an id_token (OIDC Core §3.1.3.7 checks, no nonce).
  if (auto ok = check_id_token(context, *token, {}, IdTokenRequired::no); !ok) {
    return tl::unexpected(ok.error());
  }
  return token;
}

} // namespace oauthctl::oauth
