// SPDX-License-Identifier: MIT
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/run.hpp"

#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

using namespace oauthctl;
using namespace oauthctl::cli;

namespace {

// One in-process run of oauthctl: argv, stdin and environment in; exit code and streams out.
struct RunResult {
  int code;
  std::string out;
  std::string err;
};

RunResult run_cli(const std::vector<std::string>& args, std::map<std::string, std::string> env = {},
                  const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out;
  std::ostringstream err;
  Io io{in, out, err, std::move(env), false};
  const int code = run(args, io);
  return {code, out.str(), err.str()};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

TEST_SUITE("cli") {
  TEST_CASE("exit_code") {
    CHECK(exit_code(util::ErrorKind::usage) == 2);
    CHECK(exit_code(util::ErrorKind::config) == 2);
    CHECK(exit_code(util::ErrorKind::io) == 2);
    CHECK(exit_code(util::ErrorKind::network) == 3);
    CHECK(exit_code(util::ErrorKind::tls) == 3);
    CHECK(exit_code(util::ErrorKind::oauth) == 4);
    CHECK(exit_code(util::ErrorKind::bad_response) == 4);
    CHECK(exit_code(util::ErrorKind::timeout) == 5);
    CHECK(exit_code(util::ErrorKind::internal) == 1);
    CHECK(k_exit_check_failed == 6);
    CHECK(k_exit_interrupted == 130);
  }

  TEST_CASE("version and help") {
    const auto version = run_cli({"--version"});
    CHECK(version.code == 0);
    CHECK(version.out.rfind("oauthctl " OAUTHCTL_VERSION "\n", 0) == 0);
    const auto help = run_cli({"--help"});
    CHECK(help.code == 0);
    CHECK(contains(help.out, "token"));
    CHECK(contains(help.out, "serve"));
    const auto token_help = run_cli({"token", "--help"});
    CHECK(token_help.code == 0);
    CHECK(contains(token_help.out, "--client-secret-file"));
    CHECK(contains(token_help.out, "OAUTHCTL_SERVER"));
  }

  TEST_CASE("a value that starts with '-': the error says how to pass it") {
    // An option left without its value: name the --opt=VALUE form.
    const auto hint = run_cli({"introspect", "--token-type-hint"});
    CHECK(hint.code == 2);
    CHECK(hint.err ==
          "oauthctl: --token-type-hint: 1 required TEXT missing (a value that starts with '-' goes as "
          "--token-type-hint=VALUE)\n");
    // A positional argument read as an option: name -- too.
    const auto token = run_cli({"introspect", "-abc"});
    CHECK(token.code == 2);
    CHECK(token.err.rfind("oauthctl: ", 0) == 0);
    CHECK(contains(token.err, "unknown option -a"));
    CHECK(contains(token.err, "goes after --"));
    CHECK(token.err.find('\n') == token.err.size() - 1);
    // Both forms work: parsing gets past the value to the next check (no --server).
    CHECK(run_cli({"token", "--client-id", "c", "--client-secret=-abc"}).err ==
          "oauthctl: missing --server (or OAUTHCTL_SERVER)\n");
    CHECK(contains(run_cli({"introspect", "--", "-abc"}).err, "missing --server"));
    // An extra word that does not start with '-' gets no such advice.
    CHECK(!contains(run_cli({"token", "extra"}).err, "goes after --"));
  }

  TEST_CASE("usage errors exit 2") {
    const auto unknown_option = run_cli({"--no-such-option"});
    CHECK(unknown_option.code == 2);
    CHECK(unknown_option.err == "oauthctl: unknown option --no-such-option\n");
    CHECK(unknown_option.out.empty());
    CHECK(run_cli({}).code == 2);
    CHECK(run_cli({"nope"}).code == 2);
    CHECK(run_cli({"fhir"}).code == 2);

    const auto no_server = run_cli({"token", "--client-id", "c", "--client-secret", "s"});
    CHECK(no_server.code == 2);
    CHECK(no_server.err == "oauthctl: missing --server (or OAUTHCTL_SERVER)\n");
    CHECK(no_server.out.empty());

    const auto no_client = run_cli({"token", "--server", "http://127.0.0.1:9"});
    CHECK(no_client.code == 2);
    CHECK(no_client.err == "oauthctl: missing --client-id (or OAUTHCTL_CLIENT_ID)\n");

    const auto unknown_grant = run_cli({"token", "--grant", "magic", "--server", "http://127.0.0.1:9"});
    CHECK(unknown_grant.code == 2);
    CHECK(
      contains(unknown_grant.err, "unknown grant \"magic\" (valid: client_credentials, authorization_code"));

    const auto bad_output = run_cli({"token", "-o", "yaml", "--server", "http://127.0.0.1:9"});
    CHECK(bad_output.code == 2);
    CHECK(contains(bad_output.err, "invalid -o yaml"));

    CHECK(run_cli({"token", "--auth-method", "magic", "--server", "http://h", "--client-id", "c"}).code == 2);
    CHECK(run_cli({"token", "--timeout", "-1", "--server", "http://h", "--client-id", "c"}).code == 2);
    CHECK(run_cli({"token", "--timeout", "abc", "--server", "http://h", "--client-id", "c"}).code == 2);
    CHECK(run_cli({"token", "--server", "http://h", "--client-id", "c", "--client-secret", "s",
                   "--client-secret-file", "/nonexistent"})
            .code == 2);
    CHECK(run_cli({"token", "--server", "http://h", "--client-id", "c", "--client-secret-file",
                   "/nonexistent/secret"})
            .code == 2);
    CHECK(
      run_cli({"token", "--server", "http://h", "--client-id", "c", "--client-secret", "-"}, {}, "").code ==
      2);
    CHECK(run_cli({"serve", "--port", "70000"}).code == 2);
    CHECK(run_cli({"flow"}).code == 2);
    CHECK(run_cli({"flow", "magic", "--server", "http://h"}).code == 2);
  }

  TEST_CASE("environment fills what flags leave out") {
    // A bad server URL from the environment proves the value was read (and fails before I/O).
    const auto from_env =
      run_cli({"token"},
              {{"OAUTHCTL_SERVER", "notaurl"}, {"OAUTHCTL_CLIENT_ID", "c"}, {"OAUTHCTL_CLIENT_SECRET", "s"}});
    CHECK(from_env.code == 2);
    CHECK(from_env.err == "oauthctl: --server notaurl is not an http(s) URL\n");
    // The flag wins over the environment.
    const auto flag_wins =
      run_cli({"token", "--server", "alsonotaurl"},
              {{"OAUTHCTL_SERVER", "notaurl"}, {"OAUTHCTL_CLIENT_ID", "c"}, {"OAUTHCTL_CLIENT_SECRET", "s"}});
    CHECK(flag_wins.err == "oauthctl: --server alsonotaurl is not an http(s) URL\n");
    const auto grant_env = run_cli({"token"}, {{"OAUTHCTL_GRANT", "nope"}, {"OAUTHCTL_SERVER", "http://h"}});
    CHECK(grant_env.err.rfind("oauthctl: unknown grant \"nope\"", 0) == 0);
  }

  TEST_CASE("--client-secret on the command line is warned about, like --password") {
    const auto flag = run_cli({"token", "--server", "notaurl", "--client-id", "c", "--client-secret", "s"});
    CHECK(
      contains(flag.err, "oauthctl: warning: --client-secret on the command line is visible to other users"));
    const auto env =
      run_cli({"token", "--server", "notaurl", "--client-id", "c"}, {{"OAUTHCTL_CLIENT_SECRET", "s"}});
    CHECK_FALSE(contains(env.err, "warning"));
  }

  TEST_CASE("fhir path checks come first") {
    const auto bad = run_cli({"fhir", "../admin", "--server", "http://127.0.0.1:9", "--access-token", "t"});
    CHECK(bad.code == 2);
    CHECK(contains(bad.err, "invalid FHIR path"));
    CHECK(run_cli({"fhir", "http://evil/Patient", "--access-token", "t", "--server", "http://h"}).code == 2);
    CHECK(run_cli({"fhir", "Patient name", "--access-token", "t", "--server", "http://h"}).code == 2);
    const auto no_base = run_cli({"fhir", "Patient", "--access-token", "t", "--token-url", "http://h/t"});
    CHECK(no_base.code == 2);
    CHECK(contains(no_base.err, "--fhir-url"));
  }

  TEST_CASE("format_token") {
    oauth::TokenResponse token;
    token.access_token = "abc.def";
    token.token_type = "bearer";
    token.raw = {{"access_token", "abc.def"}, {"token_type", "bearer"}};
    CHECK(format_token(token, TokenOutput::token) == "abc.def\n");
    CHECK(format_token(token, TokenOutput::header) == "Authorization: Bearer abc.def\n");
    CHECK(format_token(token, TokenOutput::env) == "export OAUTHCTL_ACCESS_TOKEN='abc.def'\n");
    CHECK(contains(format_token(token, TokenOutput::json), "\"token_type\": \"bearer\""));
    CHECK(parse_token_output("json") == TokenOutput::json);
    CHECK_FALSE(parse_token_output("JSON").has_value());
  }

  TEST_CASE("shell_quote") {
    CHECK(shell_quote("abc") == "'abc'");
    CHECK(shell_quote("") == "''");
    CHECK(shell_quote("it's $(rm -rf /)") == "'it'\\''s $(rm -rf /)'");
  }

  TEST_CASE("Style") {
    std::istringstream in;
    std::ostringstream out;
    Io io{in, out, out, {}, true};
    CHECK(Style::for_stdout(io).bold("x") == "\x1b[1mx\x1b[0m");
    io.env["NO_COLOR"] = "1";
    CHECK(Style::for_stdout(io).bold("x") == "x");
    io.env.clear();
    io.out_is_tty = false;
    CHECK(Style::for_stdout(io).bold("x") == "x");
  }

  TEST_CASE("format_utc") {
    CHECK(format_utc(0) == "1970-01-01T00:00:00Z");
    CHECK(format_utc(1700000000) == "2023-11-14T22:13:20Z");
  }
}
