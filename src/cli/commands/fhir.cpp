// SPDX-License-Identifier: MIT
// `oauthctl fhir TYPE[/ID][?query]`: an authorized FHIR read or search.
#include "cli/commands/client_session.hpp"
#include "cli/commands/command.hpp"
#include "cli/output.hpp"
#include "cli/token_cache_use.hpp"

#include <oauthctl/http/url.hpp>
#include <oauthctl/oauth/fhir_client.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>
#include <ostream>

namespace oauthctl::cli {

namespace {

struct FhirOptions {
  ClientSettings client;
  std::string path;
  std::string grant = "client_credentials";
  std::string access_token;
  EnvBindings env;
};

int run_fhir(FhirOptions& options, Io& io) {
  options.env.apply(io);
  const auto path = oauth::check_fhir_path(options.path);
  if (!path) {
    return report(io, path.error());
  }
  const auto need = options.access_token.empty() ? NeedCredentials::yes : NeedCredentials::no;
  const oauth::GrantInfo* grant = nullptr;
  if (need == NeedCredentials::yes) {
    auto found = resolve_grant(options.grant);
    if (!found) {
      return report(io, found.error());
    }
    grant = *found;
  }
  const auto resolved = resolve_client(options.client, io, need);
  if (!resolved) {
    return report(io, resolved.error());
  }
  const auto fhir_base = !resolved->config.fhir_url.empty() ? resolved->config.fhir_url
                         : !resolved->config.server.empty() ? http::join_url(resolved->config.server, "fhir")
                                                            : std::string();
  if (fhir_base.empty() || !http::parse_url(fhir_base)) {
    return report_usage(io, fhir_base.empty()
                              ? "missing --fhir-url (or --server)"
                              : fmt::format("--fhir-url {} is not an http(s) URL", fhir_base));
  }
  ClientSession session(*resolved, io, resolved->verbose ? Narration::trace : Narration::quiet,
                        ShowSecrets::no, io.err);
  std::string access_token = options.access_token;
  auto source = TokenSource::server;
  if (access_token.empty()) {
    auto token = obtain_token_cached(session, *resolved, *grant, CacheMode::use, io, &source);
    if (!token) {
      return report(io, token.error());
    }
    access_token = std::move(token->access_token);
  }
  auto response = oauth::fhir_get(session.client(), fhir_base, *path, access_token);
  if (!response && response.error().http_status == 401 && source == TokenSource::cache) {
    // A cached token the server no longer accepts (revoked, or signed by a restarted
    // `serve --ephemeral`): fetch a new one, once.
    auto token = obtain_token_cached(session, *resolved, *grant, CacheMode::force, io);
    if (!token) {
      return report(io, token.error());
    }
    response = oauth::fhir_get(session.client(), fhir_base, *path, token->access_token);
  }
  if (!response) {
    return report(io, response.error());
  }
  io.out << response->body;
  if (!response->body.empty() && response->body.back() != '\n') {
    io.out << '\n';
  }
  io.out << std::flush;
  return 0;
}

} // namespace

Runner setup_fhir(CLI::App& app) {
  auto options = std::make_shared<FhirOptions>();
  app.add_option("path", options->path, "TYPE, TYPE/ID or 'TYPE?query', relative to the FHIR base")
    ->required();
  add_client_options(app, options->client, options->env);
  options->env.add(app, "--access-token", options->access_token, "OAUTHCTL_ACCESS_TOKEN",
                   "use this access token instead of obtaining one");
  options->env.add(app, "-g,--grant", options->grant, "OAUTHCTL_GRANT",
                   "grant used to obtain the token (default client_credentials)");
  return [options](Io& io) { return run_fhir(*options, io); };
}

} // namespace oauthctl::cli
