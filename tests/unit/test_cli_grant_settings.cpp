// SPDX-License-Identifier: MIT
#include "cli/exit_codes.hpp"
#include "cli/grant_settings.hpp"

#include <doctest/doctest.h>

#include <sstream>

using namespace oauthctl;
using namespace oauthctl::cli;

TEST_SUITE("cli.grant_settings") {
  TEST_CASE("parse_redirect_timeout") {
    CHECK(parse_redirect_timeout("") == std::chrono::milliseconds(120'000));
    CHECK(parse_redirect_timeout("1.5") == std::chrono::milliseconds(1500));
    for (const auto* bad : {"0", "-1", "abc", "1e9", "10s"}) {
      const auto result = parse_redirect_timeout(bad);
      REQUIRE_FALSE(result.has_value());
      CHECK(result.error().kind == util::ErrorKind::usage);
    }
  }

  TEST_CASE("resolve_grant_settings") {
    std::istringstream in("rt-from-stdin\n");
    std::ostringstream out;
    std::ostringstream err;
    Io io{in, out, err, {}, false};
    GrantSettings settings;
    oauth::ClientConfig config;
    const std::map<std::string, std::string> no_profile;

    SUBCASE("defaults") {
      REQUIRE(resolve_grant_settings(settings, io, config, no_profile).has_value());
      CHECK(config.redirect.pkce == oauth::PkceMethod::s256);
      CHECK(config.redirect.timeout == std::chrono::milliseconds(120'000));
      CHECK(config.refresh_token.empty());
    }
    SUBCASE("--pkce") {
      settings.pkce = "none";
      REQUIRE(resolve_grant_settings(settings, io, config, no_profile).has_value());
      CHECK_FALSE(config.redirect.pkce.has_value());
      settings.pkce = "plain";
      REQUIRE(resolve_grant_settings(settings, io, config, no_profile).has_value());
      CHECK(config.redirect.pkce == oauth::PkceMethod::plain);
      settings.pkce = "S512";
      const auto bad = resolve_grant_settings(settings, io, config, no_profile);
      REQUIRE_FALSE(bad.has_value());
      CHECK(exit_code(bad.error().kind) == k_exit_usage);
    }
    SUBCASE("--refresh-token - reads stdin") {
      settings.refresh_token = "-";
      REQUIRE(resolve_grant_settings(settings, io, config, no_profile).has_value());
      CHECK(config.refresh_token == "rt-from-stdin");
      CHECK_FALSE(resolve_grant_settings(settings, io, config, no_profile).has_value()); // stdin is empty now
    }
    SUBCASE("--authorize-param") {
      settings.authorize_params = {"prompt=login", "acr_values=a=b"};
      REQUIRE(resolve_grant_settings(settings, io, config, no_profile).has_value());
      CHECK(config.redirect.extra == util::FormFields{{"prompt", "login"}, {"acr_values", "a=b"}});
      settings.authorize_params = {"novalue"};
      CHECK_FALSE(resolve_grant_settings(settings, io, config, no_profile).has_value());
    }
    SUBCASE("the profile fills what flags and env left empty") {
      settings.browser = "firefox";
      const std::map<std::string, std::string> profile{{"redirect_uri", "http://127.0.0.1:7777/cb"},
                                                       {"browser", "none"}};
      REQUIRE(resolve_grant_settings(settings, io, config, profile).has_value());
      CHECK(config.redirect.redirect_uri == "http://127.0.0.1:7777/cb");
      CHECK(config.redirect.browser == "firefox");
    }
  }

  TEST_CASE("interrupted exits 130") {
    CHECK(exit_code(util::ErrorKind::interrupted) == 130);
  }
}
