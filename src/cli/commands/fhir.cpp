// SPDX-License-Identifier: MIT
// `oauthctl fhir TYPE[/ID][?query]|URL [-X METHOD] [-d BODY]`: an authorized FHIR request, like curl.
#include "cli/commands/client_session.hpp"
#include "cli/commands/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/fhir_output.hpp"
#include "cli/fhir_types_cache.hpp"
#include "cli/json_output.hpp"
#include "cli/output.hpp"
#include "cli/token_cache_use.hpp"

#include <oauthctl/http/url.hpp>
#include <oauthctl/oauth/fhir_client.hpp>
#include <oauthctl/oauth/fhir_request.hpp>
#include <oauthctl/oauth/smart_discovery.hpp>
#include <oauthctl/util/atomic_file.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <ostream>
#include <sstream>

namespace oauthctl::cli {

namespace {

struct FhirOptions {
  ClientSettings client;
  std::string path;
  std::string method; // -X; default GET, or POST with -d
  std::string data;   // -d: JSON, @FILE or -
  std::string output = "json";
  std::string grant = "client_credentials";
  std::string access_token;
  bool list_types = false; // --list-types: the server's resource types instead of a request
  EnvBindings env;
  JsonLayoutFlags layout;
};

// Whether the ambient OAUTHCTL_ACCESS_TOKEN (left by `token -o env`) gives way: explicit
// credentials or a grant on the command line say the user wants a token of their own, and
// an old token for another server must not win silently. Returns the flag that wins.
std::string flag_over_ambient_token(const FhirOptions& options) {
  if (options.env.origin(&options.access_token) != "OAUTHCTL_ACCESS_TOKEN") {
    return {};
  }
  const auto& client = options.client;
  for (const auto* field :
       {static_cast<const void*>(&client.client_id), static_cast<const void*>(&client.client_secret),
        static_cast<const void*>(&client.client_secret_file), static_cast<const void*>(&options.grant)}) {
    if (const auto origin = options.env.origin(field); origin.rfind("--", 0) == 0) {
      return origin;
    }
  }
  return {};
}

// The request body of `-d`: `@FILE`, `-` (all of standard input) or the text itself;
// it must be JSON (it is sent as application/fhir+json).
util::Result<std::string> read_body(const std::string& data, Io& io) {
  std::string body;
  if (data == "-") {
    std::ostringstream all;
    all << io.in.rdbuf();
    body = all.str();
  } else if (!data.empty() && data.front() == '@') {
    auto text = util::read_file(data.substr(1));
    if (!text) {
      return util::fail(util::ErrorKind::io, fmt::format("-d {}: cannot read {}", data, data.substr(1)));
    }
    body = std::move(*text);
  } else {
    body = data;
  }
  if (nlohmann::json::parse(body, nullptr, false).is_discarded()) {
    return util::fail(util::ErrorKind::usage,
                      fmt::format("-d {}: not JSON (the body is sent as application/fhir+json)",
                                  data.size() > 40 ? data.substr(0, 40) + "..." : data));
  }
  return body;
}

// Whether a failed FHIR response is about the token (RFC 6750 §3: 401, or an error in
// WWW-Authenticate) rather than about the FHIR interaction itself.
bool is_token_problem(const http::Response& response) {
  return response.status == 401 || response.headers.get("WWW-Authenticate").has_value();
}

// `--list-types`: the resource types the server's CapabilityStatement lists, one a line
// (what `oauthctl fhir <TAB>` offers). No token: the CapabilityStatement is public.
int list_resource_types(const FhirOptions& options, Io& io) {
  auto resolved = resolve_client(options.client, io, NeedCredentials::no);
  if (!resolved) {
    return report(io, resolved.error());
  }
  const auto fhir_base = oauth::default_fhir_base(resolved->config);
  if (fhir_base.empty() || !http::parse_url(fhir_base)) {
    return report_usage(io, "missing --fhir-url (or --server)");
  }
  // A shell waits on this for a TAB: never long.
  resolved->http.timeout = std::min(resolved->http.timeout, std::chrono::milliseconds(5'000));
  ClientSession session(*resolved, io, resolved->verbose ? Narration::trace : Narration::quiet,
                        ShowSecrets::no, io.err);
  const auto now =
    std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
  const auto types = cached_resource_types(session.client(), fhir_base, fhir_types_cache_file(io), now);
  if (!types) {
    return report(io, types.error());
  }
  for (const auto& type : *types) {
    io.out << type << '\n';
  }
  return k_exit_ok;
}

int run_fhir(FhirOptions& options, Io& io) {
  options.env.apply(io);
  if (options.list_types) {
    return list_resource_types(options, io);
  }
  if (options.path.empty()) {
    return report_usage(io,
                        "missing the request: TYPE, TYPE/ID, 'TYPE?query' or a full URL (or --list-types)");
  }
  std::string token_origin;
  if (const auto flag = flag_over_ambient_token(options); !flag.empty()) {
    token_origin = fmt::format("OAUTHCTL_ACCESS_TOKEN ignored: {} given, a token is obtained instead", flag);
    options.access_token.clear();
  } else if (!options.access_token.empty()) {
    token_origin = "access token from " + options.env.origin(&options.access_token);
  }
  const bool curl = options.output == "curl";
  if (!curl && options.output != "json" && options.output != "table") {
    return report_usage(io, fmt::format("invalid -o {} (valid: json, table, curl)", options.output));
  }
  oauth::FhirRequest request;
  if (!options.data.empty()) {
    auto body = read_body(options.data, io);
    if (!body) {
      return report(io, body.error());
    }
    request.body = std::move(*body);
  }
  // curl's rule: -d without -X is a POST.
  request.method = !options.method.empty() ? options.method : request.body.empty() ? "GET" : "POST";
  if (!std::all_of(request.method.begin(), request.method.end(),
                   [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return report_usage(io, fmt::format("invalid -X {} (GET, POST, PUT, PATCH or DELETE)", request.method));
  }
  auto client_settings = options.client;
  const bool full_url = options.path.rfind("http://", 0) == 0 || options.path.rfind("https://", 0) == 0;
  if (full_url && client_settings.fhir_url.empty() && client_settings.server.empty()) {
    // `fhir https://h/fhir/Patient/1` alone: the URL names its FHIR base.
    client_settings.fhir_url = oauth::fhir_base_of_url(options.path);
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
  auto resolved = resolve_client(client_settings, io, need);
  if (!resolved) {
    return report(io, resolved.error());
  }
  if (!token_origin.empty()) {
    resolved->origins.push_back(token_origin);
  }
  const auto fhir_base = oauth::default_fhir_base(resolved->config);
  if (fhir_base.empty() || !http::parse_url(fhir_base)) {
    return report_usage(io, fhir_base.empty()
                              ? "missing --fhir-url (or --server)"
                              : fmt::format("--fhir-url {} is not an http(s) URL", fhir_base));
  }
  auto url = oauth::fhir_request_url(fhir_base, options.path);
  if (!url) {
    return report(io, url.error());
  }
  request.url = std::move(*url);
  ClientSession session(*resolved, io, resolved->verbose ? Narration::trace : Narration::quiet,
                        ShowSecrets::no, io.err, curl ? &io.out : nullptr);
  std::string access_token = options.access_token;
  auto source = TokenSource::server;
  if (access_token.empty()) {
    auto token =
      obtain_token_cached(session, *resolved, *grant, curl ? CacheMode::off : CacheMode::use, io, &source);
    if (!token) {
      return report(io, token.error());
    }
    access_token = std::move(token->access_token);
  }
  auto response = oauth::fhir_send(session.client(), request, access_token);
  if (response && response->status == 401 && source == TokenSource::cache) {
    // A cached token the server no longer accepts (revoked, or signed by a restarted
    // `serve --ephemeral`): fetch a new one, once.
    session.observer().note("the cached token was refused (HTTP 401): fetching a new one");
    auto token = obtain_token_cached(session, *resolved, *grant, CacheMode::force, io);
    if (!token) {
      return report(io, token.error());
    }
    response = oauth::fhir_send(session.client(), request, token->access_token);
  }
  if (!response) {
    return report(io, response.error());
  }
  if (curl) {
    return k_exit_ok; // the requests are on stdout already
  }
  if (response->status >= 400 && is_token_problem(*response)) {
    auto error = oauth::parse_fhir_error(*response);
    if (error.oauth_error.empty()) {
      error.message += fmt::format(" for {}", request.url);
    }
    return report(io, error);
  }
  // As curl shows it: the body on stdout, whatever the status (indented on a terminal,
  // or as a table with -o table).
  const int printed = print_fhir_body(io, response->body, FhirOutput{options.output, options.layout});
  if (response->status >= 400) {
    auto error = oauth::parse_fhir_error(*response);
    io.err << fmt::format("oauthctl: FHIR server answered HTTP {} for {} {}{}\n", response->status,
                          request.method, request.url,
                          error.oauth_error.empty() ? std::string() : ": " + util::describe(error))
           << std::flush;
    return k_exit_fhir_error;
  }
  return printed;
}

} // namespace

Runner setup_fhir(CLI::App& app) {
  auto options = std::make_shared<FhirOptions>();
  app.footer(
    "Exit status 8 when the FHIR server answers 4xx/5xx to the request itself (its OperationOutcome\n"
    "is printed on stdout, as curl would); 4 when the token itself is refused (401, invalid_token).\n"
    "oauthctl help exit-codes lists them all.");
  app.add_option("path", options->path,
                 "TYPE, TYPE/ID, 'TYPE?query' (relative to the FHIR base) or a full URL under it");
  app.add_flag("--list-types", options->list_types,
               "print the resource types the server's CapabilityStatement lists, one a line, and exit "
               "(kept 5 minutes in the cache directory; what completion offers)");
  app.add_option("-X,--request", options->method,
                 "HTTP method: GET (default), POST (default with -d), PUT, "
                 "PATCH, DELETE");
  app.add_option("-d,--data", options->data,
                 "request body (FHIR JSON): the text, @FILE, or - for standard input; implies POST");
  // Not OAUTHCTL_OUTPUT: that holds token's formats (env, header), which fhir has not.
  app.add_option("-o,--output", options->output,
                 "json (default: the response body), table (a row per Bundle entry: type, id, name or "
                 "code) or curl (the HTTP requests as curl commands)");
  add_client_options(app, options->client, options->env);
  options->env.add(app, "--access-token", options->access_token, "OAUTHCTL_ACCESS_TOKEN",
                   "use this access token instead of obtaining one");
  options->env.add(app, "-g,--grant", options->grant, "OAUTHCTL_GRANT",
                   "grant used to obtain the token (default client_credentials)");
  add_json_layout_flags(app, options->layout);
  return [options](Io& io) { return run_fhir(*options, io); };
}

} // namespace oauthctl::cli
