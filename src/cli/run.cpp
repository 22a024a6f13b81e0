// SPDX-License-Identifier: MIT
#include "cli/run.hpp"

#include "cli/build_info.hpp"
#include "cli/commands/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/parse_errors.hpp"

#include <oauthctl/http/client.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <exception>
#include <iostream>
#include <string_view>

extern char** environ; // POSIX: the process environment, for run_main only

namespace oauthctl::cli {

namespace {

constexpr std::array k_commands{
  Command{"token", "obtain a token and print it (for scripts)", setup_token},
  Command{"fhir", "an authorized FHIR request: TYPE, TYPE/ID or 'TYPE?query'", setup_fhir},
  Command{"flow", "run a grant step by step, showing every exchange, then call FHIR", setup_flow},
  Command{"serve", "run the local authorization server and FHIR server", setup_serve},
  Command{"discover", "print the server's metadata and what the Security BCP warns about", setup_discover},
  Command{"check", "run the conformance and smoke checks against a server (CI: --junit)", setup_check},
  Command{"config", "read and edit profiles in the client config file", setup_config},
  Command{"cache", "manage the token cache (clear, path, list)", setup_cache},
  Command{"logout", "remove (and revoke) the cached tokens of this server and client", setup_logout},
  Command{"introspect", "ask the server whether a token is active (RFC 7662)", setup_introspect},
  Command{"revoke", "revoke a token at the server (RFC 7009)", setup_revoke},
  Command{"decode", "show a JWT's header and claims; verify it with --server or --jwks", setup_decode},
  Command{"help", "help on a topic: grants, exit-codes, config, environment", setup_help},
  Command{"keygen", "generate a key pair and JWK Set for private_key_jwt (SMART Backend Services)",
          setup_keygen},
};

// Whether `args` hold, before any `--`, a word that starts with '-' and is no option of
// `app` or of the subcommand being parsed: a value (a token, a secret) CLI11 read as an option.
bool has_dash_value(const CLI::App& app, const std::vector<std::string>& args) {
  for (const auto& arg : args) {
    if (arg == "--") {
      break;
    }
    if (arg.size() < 2 || arg.front() != '-') {
      continue;
    }
    const auto name = arg.substr(0, arg.find('='));
    bool known = app.get_option_no_throw(name) != nullptr;
    for (const auto* sub : app.get_subcommands()) {
      known = known || sub->get_option_no_throw(name) != nullptr;
    }
    if (!known) {
      return true;
    }
  }
  return false;
}

// CLI11's message on one line: it may span lines, and `app.exit` adds "Run with --help".
std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  while (!text.empty() && text.back() == ' ') {
    text.pop_back();
  }
  return text;
}

// A CLI11 parse error as the one `oauthctl:` line of every usage error. CLI11 takes any word
// starting with '-' for an option, so a token or secret like "-abc" shows up as a missing
// value or an unexpected argument: the line then says how to pass it (DESIGN.md: --opt=VALUE,
// or after --).
std::string parse_error_line(const CLI::App& app, const CLI::ParseError& error,
                             const std::vector<std::string>& args) {
  std::string line = fmt::format("oauthctl: {}", one_line(error.what()));
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&error) != nullptr) {
    // "--client-secret: 1 required TEXT missing"
    const std::string_view what = error.what();
    const auto option = what.substr(0, what.find(':'));
    if (option.rfind("--", 0) == 0) {
      line += fmt::format(" (a value that starts with '-' goes as {}=VALUE)", option);
    }
  } else if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr && has_dash_value(app, args)) {
    line += " (an argument that starts with '-' goes after --, an option's value as --option=VALUE)";
  }
  return line;
}

std::string version_text() {
  // The first line is the interface (`oauthctl 0.1.0`); the rest is for bug reports.
  return "oauthctl " OAUTHCTL_VERSION "\n" + http::backend_version() + "\n" + build_info();
}

// `oauthctl help COMMAND` is `oauthctl COMMAND --help` (git, cargo and go do the same);
// `help config` stays the topic about the config file, which names `config --help`.
std::vector<std::string> with_help_rewritten(const std::vector<std::string>& args) {
  if (args.size() == 2 && args[0] == "help" && args[1] != "config") {
    for (const auto& command : k_commands) {
      if (command.name == args[1]) {
        return {args[1], "--help"};
      }
    }
  }
  return args;
}

// The command `args` run: their first word that is no option (the top level has only
// --help and --version, which take no value); empty when there is none.
std::string_view command_word(const std::vector<std::string>& args) {
  for (const auto& arg : args) {
    if (arg == "--") {
      break;
    }
    if (!arg.empty() && arg.front() != '-') {
      return arg;
    }
  }
  return {};
}

int run_app(const std::vector<std::string>& given, Io& io) {
  const auto args = with_help_rewritten(given);
  CLI::App app{"oauthctl: OAuth 2.0 client, flow tester and authorization server", "oauthctl"};
  app.set_version_flag("--version", version_text);
  app.require_subcommand(1);
  // Only the command being run gets its options: building all fourteen option sets cost
  // every invocation a few milliseconds (measured with perf, bench/startup.sh) for parsers
  // that never run. The others are listed by name (top-level help, unknown-command errors).
  const auto named = command_word(args);
  std::vector<std::pair<CLI::App*, Runner>> runners;
  for (const auto& command : k_commands) {
    auto* sub = app.add_subcommand(std::string(command.name), std::string(command.description));
    if (command.name == named) {
      runners.emplace_back(sub, command.setup(*sub));
    }
  }
  try {
    // CLI11 2.1.2 parses a reversed vector.
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    // Help and version exit 0; every other parse error is a usage error (CLI11's own
    // codes are 100 and up, DESIGN.md promises 2) on one line, naming the unknown word.
    if (e.get_exit_code() == 0) {
      app.exit(e, io.out, io.err);
      io.out << std::flush;
      return k_exit_ok;
    }
    // An unknown word is named as such; other errors (a missing value, an unexpected
    // argument that starts with '-') say how to pass such a value.
    auto explained = explain_unknown_word(app, args);
    if (explained.rfind("unknown option -", 0) == 0 && explained.compare(0, 17, "unknown option --") != 0 &&
        has_dash_value(app, args)) {
      // "-abc" read as short flags: more likely a token or secret than a typo.
      explained += " (a value that starts with '-' goes after --, or as --option=VALUE)";
    }
    io.err << (explained.empty() ? parse_error_line(app, e, args) : "oauthctl: " + explained) << '\n'
           << std::flush;
    return k_exit_usage;
  }
  for (auto& [sub, runner] : runners) {
    if (sub->parsed()) {
      return runner(io);
    }
  }
  return k_exit_usage; // unreachable: require_subcommand(1)
}

} // namespace

std::span<const Command> command_table() {
  return k_commands;
}

int run(const std::vector<std::string>& args, Io& io) {
  // The last resort (ccache_main): anything thrown this far is a bug, reported on one line.
  try {
    return run_app(args, io);
  } catch (const std::exception& e) {
    io.err << "oauthctl: internal error: " << e.what() << '\n' << std::flush;
  } catch (...) {
    io.err << "oauthctl: internal error: unknown exception\n" << std::flush;
  }
  return k_exit_internal;
}

int run_main(int argc, char** argv) {
  Io io{std::cin,
        std::cout,
        std::cerr,
        {},
        isatty(STDOUT_FILENO) == 1,
        isatty(STDERR_FILENO) == 1,
        isatty(STDIN_FILENO) == 1};
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const auto eq = text.find('=');
    if (eq != std::string_view::npos) {
      io.env.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
    }
  }
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  return run(args, io);
}

} // namespace oauthctl::cli
