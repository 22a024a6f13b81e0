// SPDX-License-Identifier: MIT
#include "cli/assertion_settings.hpp"
#include "cli/exit_codes.hpp"

#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/util/crypto.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace oauthctl;
using namespace oauthctl::cli;

namespace {

// A directory with an ES384 key and a claims file, removed at the end of the case.
struct KeyDir {
  std::filesystem::path path =
    std::filesystem::temp_directory_path() / ("oauthctl-assertion-" + util::random_token(6));
  std::string key;
  std::string claims;
  KeyDir() {
    std::filesystem::create_directories(path);
    key = (path / "key.pem").string();
    claims = (path / "claims.json").string();
    std::ofstream(key) << oauth::SigningKey::generate_ec(oauth::JwsAlg::es384)->to_pem();
    std::ofstream(claims) << R"({"sub":"demo"})";
  }
  ~KeyDir() { std::filesystem::remove_all(path); }
  KeyDir(const KeyDir&) = delete;
  KeyDir& operator=(const KeyDir&) = delete;
};

} // namespace

TEST_SUITE("cli.assertion_settings") {
  TEST_CASE("resolve_assertion_settings") {
    const KeyDir dir;
    std::istringstream in("eyJ.from.stdin\n");
    std::ostringstream out;
    std::ostringstream err;
    Io io{in, out, err, {}, false};
    AssertionSettings settings;
    oauth::ClientConfig config;
    const std::map<std::string, std::string> no_profile;

    SUBCASE("--private-key selects private_key_jwt unless --auth-method was given") {
      settings.private_key = dir.key;
      REQUIRE(resolve_assertion_settings(settings, io, config, no_profile, false).has_value());
      CHECK(config.auth_method == oauth::AuthMethod::private_key_jwt);
      CHECK(config.assertion.private_key_pem.find("PRIVATE KEY") != std::string::npos);
      oauth::ClientConfig explicit_method;
      explicit_method.auth_method = oauth::AuthMethod::client_secret_post;
      REQUIRE(resolve_assertion_settings(settings, io, explicit_method, no_profile, true).has_value());
      CHECK(explicit_method.auth_method == oauth::AuthMethod::client_secret_post);
    }
    SUBCASE("the profile fills private_key, kid and alg") {
      const std::map<std::string, std::string> profile{
        {"private_key", dir.key}, {"kid", "k1"}, {"alg", "ES384"}};
      REQUIRE(resolve_assertion_settings(settings, io, config, profile, false).has_value());
      CHECK(config.assertion.kid == "k1");
      CHECK(config.assertion.alg == "ES384");
      settings.kid = "from-flag"; // flag > profile
      REQUIRE(resolve_assertion_settings(settings, io, config, profile, false).has_value());
      CHECK(config.assertion.kid == "from-flag");
    }
    SUBCASE("a key that does not fit --alg, an unknown alg, a missing file") {
      settings.private_key = dir.key;
      settings.alg = "RS384";
      auto result = resolve_assertion_settings(settings, io, config, no_profile, false);
      REQUIRE_FALSE(result.has_value());
      CHECK(exit_code(result.error().kind) == k_exit_usage);
      CHECK(result.error().message.find(dir.key) != std::string::npos);
      settings.alg = "HS256";
      result = resolve_assertion_settings(settings, io, config, no_profile, false);
      REQUIRE_FALSE(result.has_value());
      CHECK(result.error().message.find("invalid --alg") != std::string::npos);
      settings.alg.clear();
      settings.private_key = dir.key + ".missing";
      result = resolve_assertion_settings(settings, io, config, no_profile, false);
      REQUIRE_FALSE(result.has_value());
      CHECK(exit_code(result.error().kind) == k_exit_usage);
    }
    SUBCASE("--assertion - reads stdin; --assertion-claims @FILE reads the file") {
      settings.assertion = "-";
      settings.assertion_key = dir.key;
      settings.assertion_claims = "@" + dir.claims;
      REQUIRE(resolve_assertion_settings(settings, io, config, no_profile, false).has_value());
      CHECK(config.assertion.assertion == "eyJ.from.stdin");
      CHECK(config.assertion.assertion_claims == R"({"sub":"demo"})");
      CHECK_FALSE(config.assertion.assertion_key_pem.empty());
      CHECK(config.auth_method ==
            oauth::AuthMethod::client_secret_basic); // the grant's key is not client auth
    }
    SUBCASE("--assertion-claims must be a JSON object") {
      settings.assertion_claims = "[1]";
      CHECK_FALSE(resolve_assertion_settings(settings, io, config, no_profile, false).has_value());
      settings.assertion_claims = "{";
      CHECK_FALSE(resolve_assertion_settings(settings, io, config, no_profile, false).has_value());
    }
  }
}
