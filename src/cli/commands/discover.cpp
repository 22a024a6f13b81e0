// SPDX-License-Identifier: MIT
// `oauthctl discover`: the server's metadata as a table (or raw JSON), with the OAuth 2.0
// Security Best Current Practice (RFC 9700) checked against it.
#include "cli/commands/client_session.hpp"
#include "cli/commands/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/json_output.hpp"
#include "cli/output.hpp"

#include <oauthctl/oauth/metadata_audit.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <ostream>

namespace oauthctl::cli {

namespace {

using nlohmann::json;

struct DiscoverOptions {
  ClientSettings client;
  std::string output = "table";
  JsonLayoutFlags layout;
  EnvBindings env;
};

std::string cell(const json& value) {
  if (value.is_string()) {
    return value.get<std::string>();
  }
  if (value.is_array()) {
    std::string out;
    for (const auto& item : value) {
      out += out.empty() ? "" : " ";
      out += item.is_string() ? item.get<std::string>() : item.dump();
    }
    return out;
  }
  return value.dump();
}

int run_discover(DiscoverOptions& options, Io& io) {
  options.env.apply(io);
  if (options.output != "table" && options.output != "json") {
    return report_usage(io, fmt::format("invalid -o {} (valid: table, json)", options.output));
  }
  const auto resolved = resolve_client(options.client, io, NeedCredentials::no);
  if (!resolved) {
    return report(io, resolved.error());
  }
  if (resolved->config.server.empty() && resolved->config.fhir_url.empty()) {
    return report_usage(io, "missing --server or --fhir-url (or OAUTHCTL_SERVER, or a profile)");
  }
  ClientSession session(*resolved, io, resolved->verbose ? Narration::trace : Narration::quiet,
                        ShowSecrets::no, io.err);
  const auto metadata = session.metadata(oauth::Discovery::always);
  if (!metadata) {
    return report(io, metadata.error());
  }
  if (metadata->raw.is_null()) {
    return report(
      io,
      util::Error{util::ErrorKind::bad_response,
                  fmt::format("{} publishes no metadata (tried {}, {}/.well-known/smart-configuration and "
                              "{}/metadata)",
                              resolved->config.server,
                              fmt::join(oauth::discovery_urls(resolved->config.server), ", "),
                              resolved->config.server, resolved->config.server),
                  {},
                  {},
                  0});
  }
  const auto& document = metadata->raw;
  if (options.output == "json") {
    io.out << util::render_json(document, json_rendering(io, options.layout)) << '\n';
  } else {
    std::size_t width = 0;
    for (const auto& [name, value] : document.items()) {
      width = std::max(width, name.size());
    }
    const auto style = Style::for_stdout(io);
    io.out << style.dim(fmt::format("# {}", metadata->source)) << '\n';
    for (const auto& [name, value] : document.items()) {
      io.out << style.bold(fmt::format("{:<{}}", name, width)) << "  " << cell(value) << '\n';
    }
  }
  io.out << std::flush;
  for (const auto& warning : oauth::audit_metadata(document)) {
    io.err << "oauthctl: warning: " << warning << '\n';
  }
  io.err << std::flush;
  return k_exit_ok;
}

} // namespace

Runner setup_discover(CLI::App& app) {
  auto options = std::make_shared<DiscoverOptions>();
  add_client_options(app, options->client, options->env, ClientOptionSet::server);
  app.add_option("-o,--output", options->output, "table (default) or json (the document as published)");
  add_json_layout_flags(app, options->layout);
  return [options](Io& io) { return run_discover(*options, io); };
}

} // namespace oauthctl::cli
