// SPDX-License-Identifier: MIT
// `oauthctl revoke TOKEN`: ask the server to revoke a token (RFC 7009).
#include "cli/commands/client_session.hpp"
#include "cli/commands/command.hpp"
#include "cli/commands/token_argument.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"

#include <oauthctl/oauth/token_management.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>
#include <ostream>

namespace oauthctl::cli {

namespace {

struct RevokeOptions {
  ClientSettings client;
  std::string token;
  std::string hint;
  EnvBindings env;
};

int run_revoke(RevokeOptions& options, Io& io) {
  options.env.apply(io);
  if (options.token.empty()) {
    return report_usage(io, "missing TOKEN (or - to read it from standard input); `oauthctl logout` revokes "
                            "and forgets the cached tokens");
  }
  const auto token = read_managed_token(io, options.token, options.hint, options.client.client_secret);
  if (!token) {
    return report(io, token.error());
  }
  const auto resolved = resolve_client(options.client, io, NeedCredentials::yes);
  if (!resolved) {
    return report(io, resolved.error());
  }
  ClientSession session(*resolved, io, resolved->verbose ? Narration::trace : Narration::quiet,
                        ShowSecrets::no, io.err);
  const auto metadata = session.metadata(oauth::Discovery::always);
  if (!metadata) {
    return report(io, metadata.error());
  }
  const auto endpoint = oauth::revocation_endpoint(*metadata, resolved->config);
  if (endpoint.empty()) {
    return report_usage(io, "the server publishes no revocation_endpoint; give --server");
  }
  if (auto done = oauth::revoke_token(session.client(), resolved->config, endpoint, *token, options.hint);
      !done) {
    return report(io, done.error());
  }
  // RFC 7009 §2.2: the server answers 200 for tokens it never knew too, so "revoked" is
  // all a client can say.
  io.err << fmt::format("oauthctl: revoked at {} (the token no longer works, if it ever did)\n", endpoint)
         << std::flush;
  return k_exit_ok;
}

} // namespace

Runner setup_revoke(CLI::App& app) {
  auto options = std::make_shared<RevokeOptions>();
  app.add_option("token", options->token, "the token to revoke, or - to read it from standard input");
  add_client_options(app, options->client, options->env, ClientOptionSet::client_auth);
  app.add_option("--token-type-hint", options->hint, "access_token or refresh_token (RFC 7009 §2.1)");
  return [options](Io& io) { return run_revoke(*options, io); };
}

} // namespace oauthctl::cli
