// SPDX-License-Identifier: MIT
#include "cli/profile.hpp"
#include "cli/profile_binding.hpp"
#include "cli/profile_validation.hpp"
#include "cli/run.hpp"
#include "cli/settings.hpp"

#include <doctest/doctest.h>

#include <sstream>
#include <string>

using namespace oauthctl;
using namespace oauthctl::cli;

namespace {

std::string error_of(std::string_view text) {
  auto parsed = parse_config(text, "/etc/x/config.toml");
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error().kind == util::ErrorKind::config);
  return parsed.error().message;
}

struct FakeIo {
  std::istringstream in;
  std::ostringstream out, err;
  Io io{in, out, err, {}, false};
};

} // namespace

TEST_SUITE("cli.profile") {
  TEST_CASE("parse_config") {
    SUBCASE("profiles, comments, both string kinds, escapes") {
      const auto parsed = parse_config("# top comment\n"
                                       "[profile.default]\n"
                                       "server = \"http://127.0.0.1:8080\"  # trailing comment\n"
                                       "client_id = 'demo-client'\n"
                                       "\n"
                                       "[profile.\"staging-2\"]\n"
                                       "scope = \"a \\\"b\\\" \\u00e9\"\n"
                                       "timeout = 10\n",
                                       "/etc/x/config.toml");
      REQUIRE(parsed);
      REQUIRE(parsed->profiles.size() == 2);
      const auto* def = parsed->find("default");
      REQUIRE(def != nullptr);
      CHECK(def->get("server") == "http://127.0.0.1:8080");
      CHECK(def->get("client_id") == "demo-client");
      CHECK(def->lines.at("client_id") == 4);
      CHECK(def->directory == "/etc/x");
      const auto* staging = parsed->find("staging-2");
      REQUIRE(staging != nullptr);
      CHECK(staging->get("scope") == "a \"b\" \xc3\xa9");
      CHECK(staging->get("timeout") == "10");
    }
    SUBCASE("keys the browser grants read") {
      const auto parsed =
        parse_config("[profile.b]\nredirect_uri = \"http://127.0.0.1:9/cb\"\nbrowser = \"none\"\n"
                     "pkce = \"S256\"\nauthorize_url = \"http://a\"\nlogin_hint = \"demo\"\n"
                     "redirect_timeout = 5\n",
                     "c.toml");
      REQUIRE(parsed);
      CHECK(parsed->find("b")->values.size() == 6);
    }
    SUBCASE("an empty file has no profiles") {
      const auto parsed = parse_config("", "c.toml");
      REQUIRE(parsed);
      CHECK(parsed->profiles.empty());
    }
  }

  TEST_CASE("parse_config rejects hostile files with file:line") {
    CHECK(
      error_of("[profile.a]\nclient_secret = \"x\"\n").find("/etc/x/config.toml:2: inline client_secret") ==
      0);
    CHECK(error_of("[profile.a]\nsever = \"x\"\n").find(":2: unknown key sever") != std::string::npos);
    CHECK(error_of("server = \"x\"\n").find(":1: key server outside") != std::string::npos);
    CHECK(error_of("[profile.a]\nserver = \"x\nscope = \"y\"\n").find(":2: unterminated string") !=
          std::string::npos);
    CHECK(error_of("[profile.a]\nserver = \"x\" y\n").find(":2: unexpected text") != std::string::npos);
    CHECK(error_of("[profile.a]\n[profile.a]\n").find(":2: profile a is defined twice") != std::string::npos);
    CHECK(error_of("[profile.a]\nscope = \"1\"\nscope = \"2\"\n").find(":3: key scope is set twice") !=
          std::string::npos);
    CHECK(error_of("[other]\n").find("unknown table [other]") != std::string::npos);
    CHECK(error_of("[profile.a b]\n").find("bad profile name") != std::string::npos);
    CHECK(error_of("[[profile.a]]\n").find("arrays of tables") != std::string::npos);
    CHECK(error_of("[profile.a]\nserver = \"\\q\"\n").find("unknown escape") != std::string::npos);
    CHECK(error_of("[profile.a]\nserver = \"\\ud800\"\n").find("Unicode scalar") != std::string::npos);
    CHECK(error_of("[profile.a]\nserver = \"\"\"x\"\"\"\n").find("multi-line") != std::string::npos);
    CHECK(error_of("[profile.a]\nserver = [\"x\"]\n").find("must be a quoted string") != std::string::npos);
    CHECK(error_of("[profile.a]\n= \"x\"\n").find(":2: expected `key") != std::string::npos);
    CHECK(error_of(std::string("[profile.a]\nserver = \"a\x01\"\n")).find("control character") !=
          std::string::npos);
  }

  TEST_CASE("apply_profile gives flag > env > profile") {
    const auto parsed = parse_config("[profile.p]\nserver = \"from-profile\"\nscope = \"profile-scope\"\n"
                                     "client_id = \"profile-client\"\n",
                                     "c.toml");
    REQUIRE(parsed);
    ClientSettings settings;
    settings.scope = "from-flag-or-env"; // EnvBindings::apply ran before: non-empty means flag or env
    apply_profile(*parsed->find("p"), settings);
    CHECK(settings.server == "from-profile");
    CHECK(settings.scope == "from-flag-or-env");
    CHECK(settings.client_id == "profile-client");
  }

  TEST_CASE("config_path") {
    FakeIo fake;
    fake.io.env = {{"HOME", "/home/u"}};
    CHECK(config_path(fake.io, "") == "/home/u/.config/oauthctl/config.toml");
    fake.io.env["XDG_CONFIG_HOME"] = "/xdg";
    CHECK(config_path(fake.io, "") == "/xdg/oauthctl/config.toml");
    fake.io.env["XDG_CONFIG_HOME"] = "relative"; // invalid per the XDG spec: ignored
    CHECK(config_path(fake.io, "") == "/home/u/.config/oauthctl/config.toml");
    CHECK(config_path(fake.io, "/explicit.toml") == "/explicit.toml");
    fake.io.env.clear(); // no HOME, no XDG: no config file, rather than /.config
    CHECK(config_path(fake.io, "").empty());
    CHECK(load_config("", ConfigRequired::no).value().profiles.empty());
  }

  TEST_CASE("resolve_profile_secret") {
    FakeIo fake;
    Profile profile{"p", "/nonexistent", {}, {}};
    SUBCASE("none") {
      const auto secret = resolve_profile_secret(profile, fake.io);
      REQUIRE(secret);
      CHECK(secret->empty());
    }
    SUBCASE("env") {
      profile.values["client_secret_env"] = "MY_SECRET";
      CHECK_FALSE(resolve_profile_secret(profile, fake.io));
      fake.io.env["MY_SECRET"] = "s3cret";
      CHECK(resolve_profile_secret(profile, fake.io).value() == "s3cret");
    }
    SUBCASE("command, run without a shell, stdout trimmed") {
      profile.values["client_secret_command"] = "printf '  %s\\n' 'two words'";
      CHECK(resolve_profile_secret(profile, fake.io).value() == "two words");
      profile.values["client_secret_command"] = "echo $HOME";
      CHECK(resolve_profile_secret(profile, fake.io).value() == "$HOME"); // no shell, no expansion
    }
    SUBCASE("a failing or missing command is a config error") {
      profile.values["client_secret_command"] = "false";
      const auto failed = resolve_profile_secret(profile, fake.io);
      REQUIRE_FALSE(failed);
      CHECK(failed.error().kind == util::ErrorKind::config);
      profile.values["client_secret_command"] = "/nonexistent/secret-tool";
      CHECK_FALSE(resolve_profile_secret(profile, fake.io));
      profile.values["client_secret_command"] = "true"; // prints nothing
      CHECK_FALSE(resolve_profile_secret(profile, fake.io));
    }
    SUBCASE("a missing file and two references are config errors") {
      profile.values["client_secret_file"] = "secret.txt";
      CHECK_FALSE(resolve_profile_secret(profile, fake.io));
      profile.values["client_secret_env"] = "X";
      const auto both = resolve_profile_secret(profile, fake.io);
      REQUIRE_FALSE(both);
      CHECK(both.error().message.find("only one of") != std::string::npos);
    }
  }

  TEST_CASE("split_command") {
    CHECK(split_command("pass show 'a b'").value() == std::vector<std::string>{"pass", "show", "a b"});
    CHECK(split_command("  x  \"y z\"").value() == std::vector<std::string>{"x", "y z"});
    CHECK(split_command("''").value() == std::vector<std::string>{""});
    CHECK_FALSE(split_command("a 'b"));
    CHECK_FALSE(split_command("   "));
  }

  TEST_CASE("set_config_value keeps the rest of the file") {
    const std::string text = "# keep me\n[profile.a]\nserver = \"x\" # old\nscope = \"s\"\n\n[profile.b]\n"
                             "server = \"y\"\n";
    SUBCASE("replaces an existing key") {
      const auto out = set_config_value(text, "a", "server", "new");
      CHECK(out ==
            "# keep me\n[profile.a]\nserver = \"new\"\nscope = \"s\"\n\n[profile.b]\nserver = \"y\"\n");
    }
    SUBCASE("adds a key at the end of its table") {
      const auto out = set_config_value(text, "a", "client_id", "c");
      CHECK(out ==
            "# keep me\n[profile.a]\nserver = \"x\" # old\nscope = \"s\"\nclient_id = \"c\"\n\n[profile.b]\n"
            "server = \"y\"\n");
    }
    SUBCASE("appends a new table, and quotes what needs quoting") {
      const auto out = set_config_value(text, "c", "scope", "a \"b\"\\");
      CHECK(out.find("\n\n[profile.c]\nscope = \"a \\\"b\\\"\\\\\"\n") != std::string::npos);
      const auto reparsed = parse_config(out, "c.toml");
      REQUIRE(reparsed);
      CHECK(reparsed->find("c")->get("scope") == "a \"b\"\\");
    }
    SUBCASE("into an empty file") {
      CHECK(set_config_value("", "default", "server", "u") == "[profile.default]\nserver = \"u\"\n");
    }
  }

  TEST_CASE("unset_config_value and delete_config_profile keep the rest of the file") {
    const std::string text =
      "# keep me\n[profile.a]\nserver = \"x\"\nscope = \"s\"\n\n# about b\n[profile.b]\n"
      "server = \"y\"\n";
    CHECK(unset_config_value(text, "a", "scope") ==
          "# keep me\n[profile.a]\nserver = \"x\"\n\n# about b\n[profile.b]\nserver = \"y\"\n");
    CHECK_FALSE(unset_config_value(text, "a", "client_id"));
    CHECK_FALSE(unset_config_value(text, "c", "scope"));
    // The key of another table with the same name stays.
    CHECK(unset_config_value(text, "b", "server") ==
          "# keep me\n[profile.a]\nserver = \"x\"\nscope = \"s\"\n\n# about b\n[profile.b]\n");
    // Comments right above a table go with it; those above the next one stay.
    CHECK(delete_config_profile(text, "a") == "# about b\n[profile.b]\nserver = \"y\"\n");
    CHECK(delete_config_profile(text, "b") == "# keep me\n[profile.a]\nserver = \"x\"\nscope = \"s\"\n");
    CHECK_FALSE(delete_config_profile(text, "c"));
    REQUIRE(parse_config(*delete_config_profile(text, "a"), "x.toml"));
  }

  TEST_CASE("validate_profile_value uses the flags' rules and names the key") {
    const auto error = [](const std::string& key, const std::string& value) {
      const auto result = validate_profile_value(key, value);
      REQUIRE_FALSE(result);
      CHECK(result.error().kind == util::ErrorKind::config);
      return result.error().message;
    };
    CHECK(error("server", "localhost:8080") ==
          "server localhost:8080: not an http(s) URL (write http://localhost:8080)");
    CHECK(error("auth_method", "basic").rfind("auth_method basic: valid: client_secret_basic", 0) == 0);
    CHECK(error("auth_method", "client_secret_bsic").find("did you mean client_secret_basic?") !=
          std::string::npos);
    CHECK(error("timeout", "soon") == "timeout soon: expected seconds between 0 and 86400");
    CHECK(error("redirect_timeout", "-3") == "redirect_timeout -3: expected seconds between 0 and 86400");
    CHECK(error("pkce", "S512").find("valid: S256, plain, none") != std::string::npos);
    CHECK(error("alg", "HS256").find("valid: RS256") != std::string::npos);
    CHECK(error("client_id", "").find("config unset client_id") != std::string::npos);
    CHECK(validate_profile_value("server", "https://h/fhir"));
    CHECK(validate_profile_value("auth_method", "none"));
    CHECK(validate_profile_value("timeout", "2.5"));
    CHECK(validate_profile_value("description", ""));
  }

  TEST_CASE("the default profile is bound to its server") {
    Profile profile{"default", "", {{"server", "http://127.0.0.1:8080/"}}, {}};
    CHECK(bind_default_profile(profile, "", "", "").applies);
    CHECK(bind_default_profile(profile, "HTTP://127.0.0.1:8080", "", "").applies);
    CHECK(bind_default_profile(profile, "http://127.0.0.1:8080//", "", "").applies);
    CHECK_FALSE(bind_default_profile(profile, "http://127.0.0.1:8081", "", "").applies);
    CHECK_FALSE(bind_default_profile(profile, "http://127.0.0.1:8080/fhir", "", "").applies);
    CHECK_FALSE(bind_default_profile(profile, "https://127.0.0.1:8080", "", "").applies);
    CHECK(bind_default_profile(profile, "", "http://127.0.0.1:8080/auth/token", "").applies);
    CHECK_FALSE(bind_default_profile(profile, "", "http://127.0.0.1:8080evil/token", "").applies);
    CHECK_FALSE(bind_default_profile(profile, "", "http://other/token", "").applies);
    CHECK_FALSE(bind_default_profile(profile, "", "", "http://other/fhir").applies);
    const auto why = bind_default_profile(profile, "http://other", "", "");
    CHECK(why.reason ==
          "profile default not used: its server http://127.0.0.1:8080/ is not http://other (use "
          "--profile default to apply it anyway)");
    Profile serverless{"default", "", {{"client_id", "c"}}, {}};
    CHECK_FALSE(bind_default_profile(serverless, "http://h", "", "").applies);
    CHECK(normalise_server("https://H:443/a/") == "https://h:443/a");
    CHECK(normalise_server("http://[::1]:80") == "http://[::1]:80");
  }
}
