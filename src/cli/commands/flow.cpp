// SPDX-License-Identifier: MIT
// `oauthctl flow GRANT`: the grant step by step, as the sequence diagrams draw it.
#include "cli/commands/client_session.hpp"
#include "cli/commands/command.hpp"
#include "cli/commands/token_argument.hpp"
#include "cli/output.hpp"

#include <oauthctl/http/url.hpp>
#include <oauthctl/oauth/fhir_client.hpp>
#include <oauthctl/oauth/smart_discovery.hpp>
#include <oauthctl/oauth/token_inspection.hpp>
#include <oauthctl/util/redact.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>
#include <ostream>

namespace oauthctl::cli {

namespace {

struct FlowOptions {
  ClientSettings client;
  std::string grant;
  std::string fhir_path = "Patient";
  bool show_secrets = false;
  bool brief = false;
  bool full = false;
  std::string output;
  EnvBindings env;
};

std::string claim_text(const std::string& name, const nlohmann::json& value, std::int64_t now) {
  // RFC 7519 §2 NumericDate claims are easier to read as times.
  if ((name == "exp" || name == "iat" || name == "nbf" || name == "auth_time") && value.is_number_integer()) {
    const auto seconds = value.get<std::int64_t>();
    if (name == "exp") {
      const auto remaining = seconds - now;
      return fmt::format("{} ({}, {})", seconds, format_utc(seconds),
                         remaining >= 0 ? fmt::format("expires in {} s", remaining)
                                        : fmt::format("expired {} s ago", -remaining));
    }
    return fmt::format("{} ({})", seconds, format_utc(seconds));
  }
  return value.is_string() ? value.get<std::string>() : value.dump();
}

void show_token(TerminalObserver& observer, const oauth::TokenResponse& token,
                const oauth::TokenInspection& inspection) {
  const auto& style = observer.style();
  observer.note(fmt::format("access_token: {}", observer.shows_secrets()
                                                  ? token.access_token
                                                  : util::redact_value(token.access_token)));
  if (!inspection.jwt) {
    observer.note(fmt::format("not a JWT ({}); the server must be asked about it (introspection)",
                              inspection.decode_error));
    return;
  }
  const auto now = now_epoch_seconds();
  observer.note(fmt::format("header: {}", inspection.jwt->header.dump()));
  observer.note("claims:");
  for (const auto& [name, value] : inspection.jwt->claims.items()) {
    observer.note(fmt::format("  {}: {}", name, claim_text(name, value, now)));
  }
  using Signature = oauth::TokenInspection::Signature;
  switch (inspection.signature) {
    case Signature::valid:
      observer.note(fmt::format("signature: {} ({})", style.green("valid"), inspection.signature_detail));
      break;
    case Signature::invalid:
      observer.note(fmt::format("signature: {} ({})", style.red("INVALID"), inspection.signature_detail));
      break;
    case Signature::unchecked:
      observer.note(fmt::format("signature: {}", style.yellow(inspection.signature_detail)));
      break;
  }
  if (!inspection.claims_problem.empty()) {
    observer.note(fmt::format("claims: {}", style.red(inspection.claims_problem)));
  }
}

// The id_token's claims, once the grant verified it (OIDC Core §3.1.3.7), and whether a
// refresh token came too: what the user asked `openid` and `offline_access` for.
void show_other_tokens(TerminalObserver& observer, const oauth::TokenResponse& token,
                       oauth::GrantType grant) {
  if (!token.refresh_token.empty()) {
    observer.note(fmt::format("refresh_token: {}", observer.shows_secrets()
                                                     ? token.refresh_token
                                                     : util::redact_value(token.refresh_token)));
  }
  if (token.id_token.empty()) {
    return;
  }
  const auto jwt = oauth::decode_jwt(token.id_token);
  if (!jwt) {
    return;
  }
  // Only the redirect grants send a nonce (OIDC Core §3.1.2.1); claiming a check of one
  // for the password or device grant would be false.
  const bool nonce = grant == oauth::GrantType::authorization_code || grant == oauth::GrantType::implicit;
  observer.on_step("ID token claims",
                   fmt::format("verified: signature through JWKS, iss, aud, exp{}", nonce ? ", nonce" : ""));
  const auto now = now_epoch_seconds();
  for (const auto& [name, value] : jwt->claims.items()) {
    observer.note(fmt::format("  {}: {}", name, claim_text(name, value, now)));
  }
}

int run_flow(FlowOptions& options, Io& io) {
  options.env.apply(io);
  const auto grant = resolve_grant(options.grant);
  if (!grant) {
    return report(io, grant.error());
  }
  const auto fhir_path = oauth::check_fhir_path(options.fhir_path);
  if (!fhir_path) {
    return report(io, fhir_path.error());
  }
  if (!options.output.empty() && options.output != "curl") {
    return report_usage(io, fmt::format("invalid -o {} (valid: curl)", options.output));
  }
  if (options.brief && options.full) {
    return report_usage(io, "give --brief or --full, not both");
  }
  const auto resolved = resolve_client(options.client, io, NeedCredentials::yes);
  if (!resolved) {
    return report(io, resolved.error());
  }
  // What the grant cannot run without, before the first request: not after discovery.
  if (auto ready = check_grant_inputs((*grant)->grant, resolved->config); !ready) {
    return report(io, ready.error());
  }
  // `-o curl`: stdout holds only the requests as curl commands; the narrative moves to stderr.
  const bool curl = options.output == "curl";
  ClientSession session(*resolved, io, Narration::narrative,
                        options.show_secrets ? ShowSecrets::yes : ShowSecrets::no, curl ? io.err : io.out,
                        curl ? &io.out : nullptr);
  auto& observer = session.observer();
  observer.set_brief(options.brief);
  // On a terminal the metadata and JWKS bodies are folded (a client_credentials run was
  // 165 lines); off a terminal (a log, a bug report) everything is kept.
  observer.set_collapse_documents(!options.full && !curl && io.out_is_tty);

  observer.on_step("Discovery",
                   resolved->config.server.empty()
                     ? "no --server: using --token-url as is"
                     : fmt::format("asking {} where its endpoints are", resolved->config.server));
  const auto metadata = session.metadata(oauth::Discovery::always);
  if (!metadata) {
    return report(io, metadata.error());
  }
  observer.note(metadata->source == "defaults"
                  ? std::string("no discovery document: using Aidbox's default paths")
                  : fmt::format("metadata from {}", metadata->source));
  observer.note(fmt::format("issuer: {}", metadata->issuer));
  observer.note(fmt::format("token_endpoint: {}", metadata->token_endpoint));
  observer.note(fmt::format("jwks_uri: {}", metadata->jwks_uri.empty() ? "(none)" : metadata->jwks_uri));

  // The grant announces its own steps ("Token request") through the observer.
  const auto token = session.obtain_token(*metadata, **grant);
  if (!token) {
    return report(io, token.error());
  }

  observer.on_step("Access token", "decoded, and its signature checked through the server's JWKS");
  const auto inspection =
    oauth::inspect_access_token(session.client(), *metadata, token->access_token, now_epoch_seconds());
  show_token(observer, *token, inspection);
  show_other_tokens(observer, *token, (*grant)->grant);

  const auto fhir_base = oauth::default_fhir_base(resolved->config);
  if (fhir_base.empty()) {
    observer.note("no --server or --fhir-url: skipping the FHIR call");
    return 0;
  }
  observer.on_step("FHIR request",
                   fmt::format("GET {} with the access token", http::join_url(fhir_base, *fhir_path)));
  const auto response = oauth::fhir_get(session.client(), fhir_base, *fhir_path, token->access_token);
  if (!response) {
    return report(io, response.error());
  }
  const auto summary = oauth::summarize_bundle(response->body);
  if (!summary) {
    observer.note(fmt::format("{} bytes, not a Bundle", response->body.size()));
  } else {
    std::string ids;
    for (const auto& id : summary->first_ids) {
      ids += (ids.empty() ? "" : ", ") + id;
    }
    observer.note(fmt::format("Bundle ({}): total {}, {} entries{}{}",
                              summary->type.empty() ? "?" : summary->type,
                              summary->total ? std::to_string(*summary->total) : std::string("not given"),
                              summary->entries, ids.empty() ? "" : ": ", ids));
  }
  io.out << std::flush;
  return 0;
}

} // namespace

Runner setup_flow(CLI::App& app) {
  auto options = std::make_shared<FlowOptions>();
  app.add_option("grant", options->grant, "grant to run, e.g. client_credentials")->required();
  add_client_options(app, options->client, options->env);
  options->env.add(app, "--fhir-path", options->fhir_path, "OAUTHCTL_FHIR_PATH",
                   "FHIR request to make with the token (default Patient)");
  app.add_flag("--show-secrets", options->show_secrets, "show secrets and tokens instead of redacting them");
  app.add_flag("--brief", options->brief, "the steps and each exchange's request and status line only");
  app.add_flag("--full", options->full,
               "show every body, also the metadata and JWKS ones folded on a terminal");
  app.add_option(
    "-o,--output", options->output,
    "curl: print each HTTP request as a replayable curl command on stdout (narrative on stderr)");
  return [options](Io& io) { return run_flow(*options, io); };
}

} // namespace oauthctl::cli
