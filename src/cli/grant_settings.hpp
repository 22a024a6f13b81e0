// SPDX-License-Identifier: MIT
#pragma once

#include "cli/run.hpp"

#include <oauthctl/oauth/client_config.hpp>
#include <oauthctl/util/error.hpp>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace CLI {
class App;
} // namespace CLI

namespace oauthctl::cli {

class EnvBindings;

// The options of the browser-redirect and refresh grants (authorization_code, implicit,
// refresh_token), as given.
struct GrantSettings {
  std::string authorize_url, redirect_uri, browser, pkce, refresh_token, login_hint, launch, redirect_timeout;
  std::vector<std::string> authorize_params; // NAME=VALUE
};

// Binds the grant options to `app`, recording their environment variables.
void add_grant_options(CLI::App& app, GrantSettings& settings, EnvBindings& env);

// Copies `settings` (after EnvBindings::apply) into `config`, falling back to the
// profile's `profile_values` (redirect_uri, browser, pkce, authorize_url, login_hint,
// redirect_timeout) for options not given: reads the refresh token from stdin for
// `--refresh-token -`, checks --pkce, --redirect-timeout and --authorize-param.
// `usage` error naming the bad option.
[[nodiscard]] util::Result<void>
resolve_grant_settings(const GrantSettings& settings, Io& io, oauth::ClientConfig& config,
                       const std::map<std::string, std::string>& profile_values);

// The redirect wait `text` gives (seconds, default 120): `usage` error when it is not a
// positive number of seconds up to a day.
[[nodiscard]] util::Result<std::chrono::milliseconds> parse_redirect_timeout(const std::string& text);

} // namespace oauthctl::cli
