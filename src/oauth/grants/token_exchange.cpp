// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/grants.hpp>
#include <oauthctl/oauth/token_endpoint.hpp>

#include <fmt/format.h>

namespace oauthctl::oauth {

util::Result<util::FormFields> token_exchange_form(const ClientConfig& config) {
  const auto& input = config.exchange;
  if (input.subject_token.empty()) {
    return util::fail(util::ErrorKind::usage,
                      "missing --subject-token (or OAUTHCTL_SUBJECT_TOKEN; '-' reads it from stdin)");
  }
  if (!input.subject_token_type) {
    return util::fail(util::ErrorKind::usage,
                      fmt::format("missing --subject-token-type (a URN or one of {})", token_type_names()));
  }
  // RFC 8693 §2.1: actor_token_type is required with actor_token and forbidden without.
  if (input.actor_token.empty() != !input.actor_token_type) {
    return util::fail(util::ErrorKind::usage, "give --actor-token and --actor-token-type together");
  }
  util::FormFields form{{"grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"},
                        {"subject_token", input.subject_token},
                        {"subject_token_type", std::string(token_type_urn(*input.subject_token_type))}};
  if (!input.actor_token.empty()) {
    form.emplace_back("actor_token", input.actor_token);
    form.emplace_back("actor_token_type", std::string(token_type_urn(*input.actor_token_type)));
  }
  if (input.requested_token_type) {
    form.emplace_back("requested_token_type", std::string(token_type_urn(*input.requested_token_type)));
  }
  if (!config.audience.empty()) {
    form.emplace_back("audience", config.audience);
  }
  if (!config.resource.empty()) {
    form.emplace_back("resource", config.resource);
  }
  if (!config.scope.empty()) {
    form.emplace_back("scope", config.scope);
  }
  return form;
}

util::Result<TokenResponse> run_token_exchange(const FlowContext& context) {
  auto form = token_exchange_form(context.config);
  if (!form) {
    return tl::unexpected(form.error());
  }
  const auto& input = context.config.exchange;
  context.observer.on_step(
    "Token exchange",
    fmt::format("subject token of type {}{} for {} (RFC 8693 §2.1)",
                token_type_urn(*input.subject_token_type),
                input.actor_token.empty()
                  ? std::string()
                  : fmt::format(", actor token of type {}", token_type_urn(*input.actor_token_type)),
                input.requested_token_type ? token_type_urn(*input.requested_token_type)
                                           : std::string_view("the server's default token type")));
  // RFC 8693 §2.1: client authentication is optional; a secretless client sends client_id.
  const auto config = public_client_if_secretless(context.config);
  const FlowContext exchange_context{context.client, config, context.metadata, context.observer,
                                     context.cancellation};
  auto token = exchange_at_token_endpoint(exchange_context, std::move(*form));
  if (!token) {
    return token;
  }
  // RFC 8693 §2.2.1: issued_token_type is REQUIRED in a successful answer.
  if (token->issued_token_type.empty()) {
    context.observer.on_warning("the answer has no issued_token_type (RFC 8693 §2.2.1 requires it)");
  } else if (!parse_token_type_urn(token->issued_token_type)) {
    context.observer.on_warning(
      fmt::format("issued_token_type {} is not an RFC 8693 §3 token type", token->issued_token_type));
  }
  return token;
}

} // namespace oauthctl::oauth
