// SPDX-License-Identifier: MIT
// `oauthctl introspect TOKEN`: ask the server whether a token is active (RFC 7662).
#include "cli/commands/client_session.hpp"
#include "cli/commands/command.hpp"
#include "cli/commands/token_argument.hpp"
#include "cli/exit_codes.hpp"
#include "cli/json_output.hpp"
#include "cli/output.hpp"

#include <oauthctl/oauth/token_management.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>
#include <ostream>

namespace oauthctl::cli {

namespace {

struct IntrospectOptions {
  ClientSettings client;
  std::string token;
  std::string hint;
  JsonLayoutFlags layout;
  EnvBindings env;
};

std::string text_member(const nlohmann::json& body, const char* name) {
  const auto it = body.find(name);
  if (it == body.end()) {
    return {};
  }
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// The one line for people on stderr: what the answer means, without the token.
std::string summary(const oauth::Introspection& result) {
  if (!result.active) {
    return "inactive: the server does not accept this token (expired, revoked, unknown, or not "
           "yours to see)";
  }
  std::string line = "active";
  for (const auto& [label, name] :
       {std::pair{"client", "client_id"}, std::pair{"sub", "sub"}, std::pair{"scope", "scope"}}) {
    const auto value = text_member(result.raw, name);
    if (!value.empty()) {
      line += fmt::format("{} {} {}", line == "active" ? ":" : ",", label, value);
    }
  }
  const auto exp = result.raw.find("exp");
  if (exp != result.raw.end() && exp->is_number_integer()) {
    const auto when = exp->get<std::int64_t>();
    line += fmt::format("{} expires {} ({})", line == "active" ? ":" : ",", format_utc(when),
                        relative_time(when, now_epoch_seconds()));
  }
  return line;
}

int run_introspect(IntrospectOptions& options, Io& io) {
  options.env.apply(io);
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
  const auto endpoint = oauth::introspection_endpoint(*metadata, resolved->config);
  if (endpoint.empty()) {
    return report_usage(io, "the server publishes no introspection_endpoint; give --server");
  }
  const auto result =
    oauth::introspect_token(session.client(), resolved->config, endpoint, *token, options.hint);
  if (!result) {
    return report(io, result.error());
  }
  io.out << util::render_json(result->raw, json_rendering(io, options.layout)) << '\n' << std::flush;
  io.err << "oauthctl: " << summary(*result) << '\n' << std::flush;
  // Scripts test the exit code: an inactive token is an answer, not a failure to ask.
  return result->active ? k_exit_ok : k_exit_token_invalid;
}

} // namespace

Runner setup_introspect(CLI::App& app) {
  auto options = std::make_shared<IntrospectOptions>();
  app.add_option("token", options->token, "the token to introspect, or - to read it from standard input");
  add_client_options(app, options->client, options->env, ClientOptionSet::client_auth);
  app.add_option("--token-type-hint", options->hint, "access_token or refresh_token (RFC 7662 §2.1)");
  add_json_layout_flags(app, options->layout);
  return [options](Io& io) { return run_introspect(*options, io); };
}

} // namespace oauthctl::cli
