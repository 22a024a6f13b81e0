// SPDX-License-Identifier: MIT
// `oauthctl logout`: forget the cached tokens of a server and client, revoking them first.
#include "cli/commands/client_session.hpp"
#include "cli/commands/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/token_cache_use.hpp"

#include <oauthctl/oauth/token_cache.hpp>
#include <oauthctl/oauth/token_endpoint.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>
#include <ostream>

namespace oauthctl::cli {

namespace {

struct LogoutOptions {
  ClientSettings client;
  bool all = false;
  EnvBindings env;
};

// RFC 7009 §2.1: a POST of `token` (with its type as a hint) to the revocation endpoint,
// authenticated as the client; true when the server answered 200.
bool revoke(ClientSession& session, const ResolvedClient& resolved, const oauth::ServerMetadata& metadata,
            const std::string& token, const char* hint) {
  auto endpoint = metadata;
  endpoint.token_endpoint = metadata.revocation_endpoint; // same form POST, same client auth
  auto request =
    oauth::build_token_request(resolved.config, endpoint, {{"token", token}, {"token_type_hint", hint}});
  if (!request) {
    return false;
  }
  const auto response = session.client().send(*request);
  return response && response->status == 200;
}

int run_logout(LogoutOptions& options, Io& io) {
  options.env.apply(io);
  const auto path = token_cache_file(io);
  if (path.empty()) {
    return report_usage(io, "no token cache location: set HOME or XDG_CACHE_HOME");
  }
  if (options.all) {
    std::size_t removed = 0;
    const auto done = oauth::update_token_cache(path, [&](oauth::TokenCache& cache) {
      removed = cache.remove_if([](const oauth::CachedToken&) { return true; }).size();
    });
    if (!done) {
      return report(io, done.error());
    }
    io.err << fmt::format("oauthctl: removed {} cached token{}; --all does not contact servers, so none was "
                          "revoked\n",
                          removed, removed == 1 ? "" : "s")
           << std::flush;
    return k_exit_ok;
  }
  const auto resolved = resolve_client(options.client, io, NeedCredentials::no);
  if (!resolved) {
    return report(io, resolved.error());
  }
  const auto& config = resolved->config;
  if (config.client_id.empty()) {
    return report_usage(io, "missing --client-id (or OAUTHCTL_CLIENT_ID, or a profile); or use --all");
  }
  std::vector<oauth::CachedToken> removed;
  const auto done = oauth::update_token_cache(path, [&](oauth::TokenCache& cache) {
    removed = cache.remove_if([&](const oauth::CachedToken& entry) {
      return entry.key.client_id == config.client_id && entry.key.server == config.server &&
             entry.key.token_url == config.token_url;
    });
  });
  if (!done) {
    return report(io, done.error());
  }
  io.err << fmt::format("oauthctl: removed {} cached token{}\n", removed.size(),
                        removed.size() == 1 ? "" : "s");
  if (removed.empty()) {
    io.err << std::flush;
    return k_exit_ok;
  }
  // Revocation is best effort: the tokens are gone locally whatever the server says.
  auto with_secret = resolve_client(options.client, io, NeedCredentials::yes);
  const auto& session_config = with_secret ? *with_secret : *resolved;
  ClientSession session(session_config, io, session_config.verbose ? Narration::trace : Narration::quiet,
                        ShowSecrets::no, io.err);
  const auto metadata = session.metadata(oauth::Discovery::always);
  if (!metadata || metadata->revocation_endpoint.empty()) {
    io.err << "oauthctl: not revoked: the server publishes no revocation_endpoint\n" << std::flush;
    return k_exit_ok;
  }
  int revoked = 0;
  int failed = 0;
  for (const auto& entry : removed) {
    // Revoking the refresh token first: RFC 7009 §2.1 lets the server drop its access tokens too.
    for (const auto& [token, hint] : {std::pair{entry.token.refresh_token, "refresh_token"},
                                      std::pair{entry.token.access_token, "access_token"}}) {
      if (!token.empty()) {
        (revoke(session, session_config, *metadata, token, hint) ? revoked : failed) += 1;
      }
    }
  }
  io.err << fmt::format("oauthctl: revoked {} token{} at {}{}\n", revoked, revoked == 1 ? "" : "s",
                        metadata->revocation_endpoint,
                        failed == 0 ? "" : fmt::format(" ({} not revoked: the server refused)", failed))
         << std::flush;
  return k_exit_ok;
}

} // namespace

Runner setup_logout(CLI::App& app) {
  auto options = std::make_shared<LogoutOptions>();
  add_client_options(app, options->client, options->env, ClientOptionSet::client_auth);
  app.add_flag("--all", options->all, "remove every cached token, of every server (no revocation)");
  return [options](Io& io) { return run_logout(*options, io); };
}

} // namespace oauthctl::cli
