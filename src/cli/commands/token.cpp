// SPDX-License-Identifier: MIT
// `oauthctl token`: obtain a token and print it for a script.
#include "cli/commands/client_session.hpp"
#include "cli/commands/command.hpp"
#include "cli/json_output.hpp"
#include "cli/output.hpp"
#include "cli/token_cache_use.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>
#include <optional>
#include <ostream>

namespace oauthctl::cli {

namespace {

struct TokenOptions {
  ClientSettings client;
  std::string grant = "client_credentials";
  std::string output = "token";
  bool no_cache = false;
  bool force = false;
  bool quiet = false;
  JsonLayoutFlags layout;
  EnvBindings env;
};

int run_token(TokenOptions& options, Io& io) {
  options.env.apply(io);
  const auto grant = resolve_grant(options.grant);
  if (!grant) {
    return report(io, grant.error());
  }
  // `-o curl`: the result is the requests themselves, so every one must be made.
  const bool curl = options.output == "curl";
  const auto format =
    curl ? std::optional<TokenOutput>(TokenOutput::token) : parse_token_output(options.output);
  if (!format) {
    return report_usage(io,
                        fmt::format("invalid -o {} (valid: token, json, header, env, curl)", options.output));
  }
  auto resolved = resolve_client(options.client, io, NeedCredentials::yes);
  if (!resolved) {
    return report(io, resolved.error());
  }
  if (options.quiet) {
    resolved->config.password.prompt = nullptr; // decided before the inputs are checked
  }
  if (auto ready = check_grant_inputs((*grant)->grant, resolved->config); !ready) {
    return report(io, ready.error());
  }
  if (options.quiet) {
    // --quiet never opens a browser or menu: the authorize URL (the one line a
    // redirect grant needs the user to act on) is all it prints besides errors.
    resolved->config.redirect.browser = "none";
    resolved->config.password.prompt = nullptr; // and never asks for a password
  }
  const auto narration = options.quiet       ? Narration::silent
                         : resolved->verbose ? Narration::trace
                                             : Narration::quiet;
  ClientSession session(*resolved, io, narration, ShowSecrets::no, io.err, curl ? &io.out : nullptr);
  const auto mode = cache_mode(options.no_cache, options.force);
  if (!mode) {
    return report(io, mode.error());
  }
  // Scripts call `token` in loops: a cached token costs no request at all.
  const auto token = obtain_token_cached(session, *resolved, **grant, curl ? CacheMode::off : *mode, io);
  if (!token) {
    return report(io, token.error());
  }
  if (curl) {
    return 0; // the requests are on stdout already
  }
  io.out << format_token(*token, *format, json_rendering(io, options.layout)) << std::flush;
  return 0;
}

} // namespace

Runner setup_token(CLI::App& app) {
  auto options = std::make_shared<TokenOptions>();
  add_client_options(app, options->client, options->env);
  options->env.add(app, "-g,--grant", options->grant, "OAUTHCTL_GRANT",
                   fmt::format("grant to run (default client_credentials; one of {})", oauth::grant_names()));
  options->env.add(app, "-o,--output", options->output, "OAUTHCTL_OUTPUT",
                   "token (default), json, header, env, or curl (the HTTP requests as curl commands)");
  options->env.add_flag(app, "--no-cache", options->no_cache, "OAUTHCTL_NO_CACHE",
                        "neither reuse nor store a cached token");
  options->env.add_flag(
    app, "--force", options->force, "",
    "fetch a new token and replace the cached one (after a server restart, a revocation)");
  options->env.add_flag(app, "-q,--quiet", options->quiet, "OAUTHCTL_QUIET",
                        "no browser, no narration, no warnings: errors and the authorize URL only");
  add_json_layout_flags(app, options->layout);
  return [options](Io& io) { return run_token(*options, io); };
}

} // namespace oauthctl::cli
