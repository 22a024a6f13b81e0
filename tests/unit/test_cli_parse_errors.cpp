// SPDX-License-Identifier: MIT
#include "cli/parse_errors.hpp"
#include "cli/run.hpp"

#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

using namespace oauthctl;
using namespace oauthctl::cli;

namespace {

struct RunResult {
  int code;
  std::string out;
  std::string err;
};

RunResult run_cli(const std::vector<std::string>& args) {
  std::istringstream in;
  std::ostringstream out;
  std::ostringstream err;
  Io io{in, out, err, {}, false};
  const int code = run(args, io);
  return {code, out.str(), err.str()};
}

} // namespace

TEST_SUITE("cli") {
  TEST_CASE("edit_distance and nearest") {
    CHECK(edit_distance("tokn", "token") == 1);
    CHECK(edit_distance("", "abc") == 3);
    CHECK(edit_distance("--verison", "--version") == 1);
    CHECK(edit_distance("flwo", "flow") == 1);
    const std::vector<std::string> commands{"token", "fhir", "flow", "serve"};
    CHECK(nearest("tokn", commands) == "token");
    CHECK(nearest("flwo", commands) == "flow");
    CHECK(nearest("x", commands).empty());
    CHECK(nearest("completely-different", commands).empty());
  }

  TEST_CASE("typos get one line naming the word and the nearest command or option, exit 2") {
    const auto command = run_cli({"tokn"});
    CHECK(command.code == 2);
    CHECK(command.err == "oauthctl: unknown command tokn; did you mean `token`?\n");
    CHECK(command.out.empty());

    const auto version = run_cli({"--verison"});
    CHECK(version.code == 2);
    CHECK(version.err == "oauthctl: unknown option --verison; did you mean `--version`?\n");

    const auto scopes = run_cli({"token", "--scopes", "openid", "--server", "http://h"});
    CHECK(scopes.code == 2);
    CHECK(scopes.err == "oauthctl: unknown option --scopes for token; did you mean `--scope`?\n");

    // Option values are skipped: "unset" is not a value of --server.
    const auto nested = run_cli({"config", "--profile", "p", "unsett", "scope"});
    CHECK(nested.code == 2);
    CHECK(nested.err == "oauthctl: unknown command config unsett; did you mean `unset`?\n");

    const auto far = run_cli({"frobnicate"});
    CHECK(far.err == "oauthctl: unknown command frobnicate\n");

    // Other parse errors keep CLI11's message, on one line with the prefix.
    const auto missing = run_cli({"fhir"});
    CHECK(missing.code == 2);
    CHECK(missing.err.rfind("oauthctl: ", 0) == 0);
    CHECK(missing.err.find('\n') == missing.err.size() - 1);
  }

  TEST_CASE("help COMMAND is COMMAND --help") {
    const auto help = run_cli({"help", "token"});
    CHECK(help.code == 0);
    CHECK(help.out == run_cli({"token", "--help"}).out);
    // `help config` stays the topic about the config file.
    CHECK(run_cli({"help", "config"}).out.find("[profile.default]") != std::string::npos);
  }
}
