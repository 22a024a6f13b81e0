// SPDX-License-Identifier: MIT
#pragma once

#include "cli/run.hpp"

#include <oauthctl/oauth/client_config.hpp>
#include <oauthctl/util/error.hpp>

#include <string>

namespace CLI {
class App;
} // namespace CLI

namespace oauthctl::cli {

class EnvBindings;

// The token exchange options (RFC 8693 §2.1), as given.
struct TokenExchangeSettings {
  std::string subject_token, subject_token_type, actor_token, actor_token_type, requested_token_type;
};

// Binds --subject-token, --subject-token-type, --actor-token, --actor-token-type and
// --requested-token-type to `app`, recording their environment variables.
void add_token_exchange_options(CLI::App& app, TokenExchangeSettings& settings, EnvBindings& env);

// Copies `settings` (after EnvBindings::apply) into `config.exchange`: token types as URNs
// or short names, `-` reads a token from stdin (the subject token's line first). `usage`
// error naming the bad option.
[[nodiscard]] util::Result<void> resolve_token_exchange_settings(const TokenExchangeSettings& settings,
                                                                 Io& io, oauth::ClientConfig& config);

} // namespace oauthctl::cli
