// SPDX-License-Identifier: MIT
#include "cli/grant_settings.hpp"

#include "cli/settings.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <istream>

namespace oauthctl::cli {

namespace {

using util::ErrorKind;

} // namespace

void add_grant_options(CLI::App& app, GrantSettings& settings, EnvBindings& env) {
  env.add(app, "--authorize-url", settings.authorize_url, "OAUTHCTL_AUTHORIZE_URL",
          "authorization endpoint, instead of discovery (default <server>/auth/authorize)");
  env.add(app, "--redirect-uri", settings.redirect_uri, "OAUTHCTL_REDIRECT_URI",
          "loopback redirect URI to listen on (default http://127.0.0.1:<free port>/callback)");
  env.add(app, "--browser", settings.browser, "OAUTHCTL_BROWSER",
          "command to open the authorize URL with (the URL is its last argument), or 'none'; "
          "default $BROWSER, xdg-open or open");
  env.add(app, "--pkce", settings.pkce, "OAUTHCTL_PKCE", "PKCE method: S256 (default), plain or none");
  env.add(app, "--redirect-timeout", settings.redirect_timeout, "OAUTHCTL_REDIRECT_TIMEOUT",
          "seconds to wait for the browser to come back, or for a device code's approval (default 120)");
  env.add(app, "--login-hint", settings.login_hint, "OAUTHCTL_LOGIN_HINT", "login_hint for the login page");
  env.add(app, "--launch", settings.launch, "OAUTHCTL_LAUNCH", "SMART EHR launch context to send");
  app.add_option("--authorize-param", settings.authorize_params,
                 "extra authorization request parameter NAME=VALUE (repeatable)");
  // The refresh token is a credential: like the secret it can come from env or stdin.
  env.add(app, "--refresh-token", settings.refresh_token, "OAUTHCTL_REFRESH_TOKEN",
          "refresh token for --grant refresh_token; '-' reads one line from stdin");
}

util::Result<std::chrono::milliseconds> parse_redirect_timeout(const std::string& text) {
  if (text.empty()) {
    return std::chrono::milliseconds(120'000);
  }
  double seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(seconds) || seconds <= 0 ||
      seconds > 86'400) {
    return util::fail(
      ErrorKind::usage,
      fmt::format("invalid --redirect-timeout {}: expected seconds between 0 and 86400", text));
  }
  return std::chrono::milliseconds(std::max<long long>(1, std::llround(seconds * 1000)));
}

util::Result<void> resolve_grant_settings(const GrantSettings& given, Io& io, oauth::ClientConfig& config,
                                          const std::map<std::string, std::string>& profile_values) {
  // flag > env > profile: EnvBindings::apply has run, the profile fills what is still empty.
  GrantSettings settings = given;
  const auto from_profile = [&](std::string& field, const std::string& key) {
    const auto it = profile_values.find(key);
    if (field.empty() && it != profile_values.end()) {
      field = it->second;
    }
  };
  from_profile(settings.authorize_url, "authorize_url");
  from_profile(settings.redirect_uri, "redirect_uri");
  from_profile(settings.browser, "browser");
  from_profile(settings.pkce, "pkce");
  from_profile(settings.login_hint, "login_hint");
  from_profile(settings.redirect_timeout, "redirect_timeout");
  config.authorize_url = settings.authorize_url;
  auto& redirect = config.redirect;
  redirect.redirect_uri = settings.redirect_uri;
  redirect.browser = settings.browser;
  redirect.login_hint = settings.login_hint;
  redirect.launch = settings.launch;
  if (settings.pkce.empty() || settings.pkce == "S256" || settings.pkce == "s256") {
    redirect.pkce = oauth::PkceMethod::s256;
  } else if (settings.pkce == "plain") {
    redirect.pkce = oauth::PkceMethod::plain;
  } else if (settings.pkce == "none") {
    redirect.pkce = std::nullopt;
  } else {
    return util::fail(ErrorKind::usage,
                      fmt::format("invalid --pkce {} (valid: S256, plain, none)", settings.pkce));
  }
  auto timeout = parse_redirect_timeout(settings.redirect_timeout);
  if (!timeout) {
    return tl::unexpected(timeout.error());
  }
  redirect.timeout = *timeout;
  for (const auto& param : settings.authorize_params) {
    const auto eq = param.find('=');
    if (eq == std::string::npos || eq == 0) {
      return util::fail(ErrorKind::usage,
                        fmt::format("invalid --authorize-param {}: expected NAME=VALUE", param));
    }
    redirect.extra.emplace_back(param.substr(0, eq), param.substr(eq + 1));
  }
  config.refresh_token = settings.refresh_token;
  if (config.refresh_token == "-") {
    // `--refresh-token -`: one line from stdin (after the client secret's line when that
    // is `-` too), so the token never shows in `ps`.
    auto line = read_stdin_line(io, "--refresh-token", "refresh token");
    if (!line) {
      return tl::unexpected(line.error());
    }
    config.refresh_token = std::move(*line);
  }
  return {};
}

} // namespace oauthctl::cli
