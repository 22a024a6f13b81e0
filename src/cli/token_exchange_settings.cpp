// SPDX-License-Identifier: MIT
#include "cli/token_exchange_settings.hpp"

#include "cli/settings.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace oauthctl::cli {

namespace {

util::Result<std::optional<oauth::TokenType>> token_type_option(const std::string& value,
                                                                std::string_view option) {
  if (value.empty()) {
    return std::optional<oauth::TokenType>{};
  }
  const auto type = oauth::parse_token_type(value);
  if (!type) {
    return util::fail(util::ErrorKind::usage,
                      fmt::format("invalid {} {} (valid: an RFC 8693 token type URN or one of {})", option,
                                  value, oauth::token_type_names()));
  }
  return std::optional<oauth::TokenType>(*type);
}

util::Result<std::string> token_option(const std::string& value, std::string_view option,
                                       std::string_view what, Io& io) {
  if (value == "-") {
    return read_stdin_line(io, option, what);
  }
  return value;
}

} // namespace

void add_token_exchange_options(CLI::App& app, TokenExchangeSettings& settings, EnvBindings& env) {
  env.add(app, "--subject-token", settings.subject_token, "OAUTHCTL_SUBJECT_TOKEN",
          "token to exchange for --grant token_exchange; '-' reads one line from stdin");
  env.add(app, "--subject-token-type", settings.subject_token_type, "OAUTHCTL_SUBJECT_TOKEN_TYPE",
          fmt::format("its RFC 8693 type: a URN or one of {}", oauth::token_type_names()));
  env.add(app, "--actor-token", settings.actor_token, "OAUTHCTL_ACTOR_TOKEN",
          "token of the party acting for the subject (RFC 8693 §2.1); '-' reads one line from stdin");
  env.add(app, "--actor-token-type", settings.actor_token_type, "OAUTHCTL_ACTOR_TOKEN_TYPE",
          "the actor token's type: a URN or a short name");
  env.add(app, "--requested-token-type", settings.requested_token_type, "OAUTHCTL_REQUESTED_TOKEN_TYPE",
          "the token type to ask for: a URN or a short name (default: the server's choice)");
}

util::Result<void> resolve_token_exchange_settings(const TokenExchangeSettings& settings, Io& io,
                                                   oauth::ClientConfig& config) {
  auto& exchange = config.exchange;
  auto subject_type = token_type_option(settings.subject_token_type, "--subject-token-type");
  if (!subject_type) {
    return tl::unexpected(subject_type.error());
  }
  auto actor_type = token_type_option(settings.actor_token_type, "--actor-token-type");
  if (!actor_type) {
    return tl::unexpected(actor_type.error());
  }
  auto requested_type = token_type_option(settings.requested_token_type, "--requested-token-type");
  if (!requested_type) {
    return tl::unexpected(requested_type.error());
  }
  exchange.subject_token_type = *subject_type;
  exchange.actor_token_type = *actor_type;
  exchange.requested_token_type = *requested_type;
  auto subject = token_option(settings.subject_token, "--subject-token", "subject token", io);
  if (!subject) {
    return tl::unexpected(subject.error());
  }
  exchange.subject_token = std::move(*subject);
  auto actor = token_option(settings.actor_token, "--actor-token", "actor token", io);
  if (!actor) {
    return tl::unexpected(actor.error());
  }
  exchange.actor_token = std::move(*actor);
  return {};
}

} // namespace oauthctl::cli
