// SPDX-License-Identifier: MIT
// `oauthctl decode TOKEN`: a JWT's header and claims, and with --server or --jwks a plain
// verdict on its signature and times (RFC 7515, RFC 7519, RFC 8725).
#include "cli/commands/client_session.hpp"
#include "cli/commands/command.hpp"
#include "cli/commands/token_argument.hpp"
#include "cli/exit_codes.hpp"
#include "cli/json_output.hpp"
#include "cli/output.hpp"
#include "cli/profile_binding.hpp"

#include <oauthctl/http/url.hpp>
#include <oauthctl/oauth/jwt.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <memory>
#include <optional>
#include <ostream>

namespace oauthctl::cli {

namespace {

using Json = nlohmann::json;

struct DecodeOptions {
  ClientSettings client;
  std::string token;
  std::string jwks;
  std::string output = "text";
  JsonLayoutFlags layout;
  EnvBindings env;
};

// The largest JWK Set file we read; real ones are a few kilobytes.
constexpr std::streamsize k_max_jwks_file = 1024 * 1024;

struct Verdict {
  bool valid = false;
  std::string reason; // why not, or what was checked
};

std::string dump(const Json& value, util::JsonRendering rendering) {
  return util::render_json(value, rendering);
}

std::optional<std::int64_t> time_claim(const Json& claims, const char* name) {
  const auto it = claims.find(name);
  if (it == claims.end() || !it->is_number()) {
    return std::nullopt;
  }
  return it->is_number_integer() ? it->get<std::int64_t>() : static_cast<std::int64_t>(it->get<double>());
}

util::Result<Json> read_jwks_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return util::fail(util::ErrorKind::io, fmt::format("--jwks {}: cannot read the file", path));
  }
  std::string text(static_cast<std::size_t>(k_max_jwks_file) + 1, '\0');
  file.read(text.data(), k_max_jwks_file + 1);
  text.resize(static_cast<std::size_t>(file.gcount()));
  if (text.size() > static_cast<std::size_t>(k_max_jwks_file)) {
    return util::fail(util::ErrorKind::config, fmt::format("--jwks {}: larger than 1 MiB", path));
  }
  auto document = Json::parse(text, nullptr, false);
  if (document.is_discarded()) {
    return util::fail(util::ErrorKind::config, fmt::format("--jwks {}: not JSON", path));
  }
  return document;
}

util::Result<Json> fetch_jwks(http::Client& client, const std::string& url) {
  http::Request request;
  request.url = url;
  request.headers.add("Accept", "application/json");
  const auto response = client.send(request);
  if (!response) {
    return tl::unexpected(response.error());
  }
  if (response->status != 200) {
    return util::fail(util::ErrorKind::bad_response,
                      fmt::format("{} answered HTTP {}", url, response->status));
  }
  auto document = Json::parse(response->body, nullptr, false);
  if (document.is_discarded()) {
    return util::fail(util::ErrorKind::bad_response, fmt::format("{} is not JSON", url));
  }
  return document;
}

// Where the keys come from and which issuer to expect: --jwks (a file or an http(s)
// URL) or the server's discovered jwks_uri and issuer.
struct KeySource {
  Json jwks;
  std::string where;
  std::string issuer; // enforced when not empty
  std::string server; // the server whose jwks_uri it is, "" for --jwks
};

// "jwks_uri of http://h (--server)", "... (from profile default)": which keys, and why
// those — a default profile can point decode at another server than the token's.
std::string describe_keys(const KeySource& source, const ResolvedClient& resolved) {
  if (source.server.empty()) {
    return source.where;
  }
  return fmt::format("{} (jwks_uri of {}{})", source.where, source.server,
                     resolved.profile.empty() ? "" : ", from profile " + resolved.profile);
}

// `token` without an `Authorization: Bearer ` prefix or a bare `Bearer ` (RFC 6750 §2.1),
// as copied from a request.
std::string without_bearer_prefix(std::string token) {
  for (const std::string_view prefix : {"Authorization:", "Bearer "}) {
    if (token.size() >= prefix.size() &&
        std::equal(prefix.begin(), prefix.end(), token.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      token.erase(0, prefix.size());
      token.erase(0, token.find_first_not_of(" \t"));
    }
  }
  return token;
}

util::Result<KeySource> load_keys(ClientSession& session, const ResolvedClient& resolved,
                                  const std::string& jwks) {
  KeySource source;
  if (!jwks.empty()) {
    const bool url = jwks.rfind("http://", 0) == 0 || jwks.rfind("https://", 0) == 0;
    if (url && !http::parse_url(jwks)) {
      return util::fail(util::ErrorKind::usage, fmt::format("--jwks {} is not a valid URL", jwks));
    }
    auto document = url ? fetch_jwks(session.client(), jwks) : read_jwks_file(jwks);
    if (!document) {
      return tl::unexpected(document.error());
    }
    source.jwks = std::move(*document);
    source.where = jwks;
    return source;
  }
  const auto metadata = session.metadata(oauth::Discovery::always);
  if (!metadata) {
    return tl::unexpected(metadata.error());
  }
  if (metadata->jwks_uri.empty()) {
    return util::fail(util::ErrorKind::bad_response,
                      fmt::format("{} publishes no jwks_uri to verify with", resolved.config.server));
  }
  auto document = fetch_jwks(session.client(), metadata->jwks_uri);
  if (!document) {
    return tl::unexpected(document.error());
  }
  source.jwks = std::move(*document);
  source.where = metadata->jwks_uri;
  source.server = resolved.config.server;
  // Aidbox defaults only guess the issuer; a discovered one is the server's word.
  if (metadata->source != "defaults") {
    source.issuer = metadata->issuer;
  }
  return source;
}

// When the token names another issuer than the server whose keys are used, say so: the
// usual cause of a failed check is decoding one server's token against another's keys.
std::string issuer_hint(const oauth::Jwt& jwt, const KeySource& source) {
  const auto iss = jwt.claims.contains("iss") && jwt.claims["iss"].is_string()
                     ? jwt.claims["iss"].get<std::string>()
                     : std::string();
  const auto expected = !source.issuer.empty() ? source.issuer : source.server;
  if (iss.empty() || expected.empty() || normalise_server(iss) == normalise_server(expected)) {
    return {};
  }
  return fmt::format("; the token's iss {} is not {} (give --server {})", iss, expected, iss);
}

Verdict verify(const oauth::Jwt& jwt, const oauth::JwksVerifier& verifier, const KeySource& source,
               std::int64_t now) {
  const auto& header = jwt.header;
  const auto alg =
    header.contains("alg") && header["alg"].is_string() ? header["alg"].get<std::string>() : "";
  const auto kid =
    header.contains("kid") && header["kid"].is_string() ? header["kid"].get<std::string>() : "";
  if (auto ok = verifier.verify_signature(jwt); !ok) {
    // RFC 8725 §3.1: "none" and HMAC are refused outright, whatever the keys say.
    return {false, ok.error().message + issuer_hint(jwt, source)};
  }
  const oauth::ClaimChecks checks{source.issuer, {}, now, 0, false};
  if (auto ok = oauth::check_claims(jwt.claims, checks); !ok) {
    auto reason = ok.error().message;
    if (const auto exp = time_claim(jwt.claims, "exp"); exp && *exp <= now) {
      reason += fmt::format(" ({})", *exp == now ? "just now" : relative_time(*exp, now));
    } else if (const auto nbf = time_claim(jwt.claims, "nbf"); nbf && *nbf > now) {
      reason += fmt::format(" (valid {})", relative_time(*nbf, now));
    } else if (!source.issuer.empty()) {
      reason += fmt::format(" (expected {})", source.issuer);
    }
    return {false, reason};
  }
  auto detail =
    fmt::format("{} signature by key {} from {}", alg, kid.empty() ? "(no kid)" : kid, source.where);
  if (!source.server.empty() && source.issuer.empty()) {
    detail += issuer_hint(jwt, source); // Aidbox defaults: the issuer was not enforced
  }
  if (const auto exp = time_claim(jwt.claims, "exp")) {
    detail += fmt::format(", expires {}", relative_time(*exp, now));
  }
  return {true, detail};
}

int run_decode(DecodeOptions& options, Io& io) {
  options.env.apply(io);
  if (options.output != "text" && options.output != "json") {
    return report_usage(io, fmt::format("invalid -o {} (valid: text, json)", options.output));
  }
  if (options.token == "-" && options.client.client_secret == "-") {
    return report_usage(io, "TOKEN - and --client-secret - cannot both read standard input");
  }
  const auto token = read_token_argument(io, options.token);
  if (!token) {
    return report(io, token.error());
  }
  const auto jwt = oauth::decode_jwt(without_bearer_prefix(*token));
  if (!jwt) {
    // Opaque tokens are legitimate (RFC 6749 §1.4) but there is nothing to decode.
    return report_usage(io, fmt::format("not a JWT: {}", jwt.error().message));
  }
  auto settings = options.client;
  if (!options.jwks.empty() && settings.server.empty()) {
    // With --jwks no server is contacted; resolve_client insists on one, so name the
    // loopback (never used) to get the HTTP options (--cacert, --timeout) resolved.
    settings.server = "http://127.0.0.1";
  }
  const auto resolved = resolve_client(settings, io, NeedCredentials::no);
  // Without --jwks and without a server (flag, environment or profile) there is nothing to
  // verify with: decoding alone is what was asked for.
  const bool no_server = !resolved && options.jwks.empty() && settings.server.empty() &&
                         resolved.error().kind == util::ErrorKind::usage &&
                         resolved.error().message.rfind("missing --server", 0) == 0;
  if (!resolved && !no_server) {
    return report(io, resolved.error());
  }
  const auto now = now_epoch_seconds();
  std::optional<Verdict> verdict;
  if (resolved && (!options.jwks.empty() || !resolved->config.server.empty())) {
    ClientSession session(*resolved, io, resolved->verbose ? Narration::trace : Narration::quiet,
                          ShowSecrets::no, io.err);
    const auto keys = load_keys(session, *resolved, options.jwks);
    if (!keys) {
      return report(io, keys.error());
    }
    const auto verifier = oauth::JwksVerifier::from_jwks(keys->jwks);
    if (!verifier) {
      return report(
        io, util::Error{options.jwks.empty() ? util::ErrorKind::bad_response : util::ErrorKind::config,
                        fmt::format("{}: {}", keys->where, verifier.error().message),
                        {},
                        {},
                        0});
    }
    verdict = verify(*jwt, *verifier, *keys, now);
    // Which keys, and where they came from (the profile, a flag): on a failure above all.
    if (!verdict->valid) {
      verdict->reason += fmt::format(" (checked against {})", describe_keys(*keys, *resolved));
    } else if (!resolved->profile.empty() && options.jwks.empty()) {
      verdict->reason += fmt::format(" (server from profile {})", resolved->profile);
    }
  }

  if (options.output == "json") {
    Json out{{"header", jwt->header}, {"claims", jwt->claims}};
    if (verdict) {
      out["verification"] = {{"valid", verdict->valid}, {"reason", verdict->reason}};
    }
    io.out << dump(out, json_rendering(io, options.layout)) << '\n';
  } else {
    const auto style = Style::for_stdout(io);
    // The text form is for people: always indented, coloured like the JSON of -o json.
    const util::JsonRendering rendering{.indent = true, .colour = style.enabled()};
    io.out << style.bold("Header") << '\n' << dump(jwt->header, rendering) << '\n';
    io.out << style.bold("Claims") << '\n' << dump(jwt->claims, rendering) << '\n';
    bool any_time = false;
    for (const char* name : {"iat", "nbf", "auth_time", "exp"}) {
      if (const auto when = time_claim(jwt->claims, name)) {
        if (!any_time) {
          io.out << style.bold("Times") << '\n';
          any_time = true;
        }
        const bool expired = std::string_view(name) == "exp" && *when <= now;
        const auto relative = relative_time(*when, now);
        io.out << fmt::format("  {:<9} {} ({}{})\n", name, format_utc(*when), expired ? "expired " : "",
                              expired && relative == "now" ? "just now" : relative);
      }
    }
    if (verdict) {
      io.out << (verdict->valid ? style.green("valid: ") : style.red("NOT VALID: ")) << verdict->reason
             << '\n';
    } else {
      io.out << style.dim("signature not checked: no --server, --jwks or profile to verify with") << '\n';
    }
  }
  io.out << std::flush;
  if (verdict && !verdict->valid) {
    return k_exit_token_invalid;
  }
  return k_exit_ok;
}

} // namespace

Runner setup_decode(CLI::App& app) {
  auto options = std::make_shared<DecodeOptions>();
  app.add_option("token", options->token, "the JWT to decode, or - to read it from standard input");
  add_client_options(app, options->client, options->env, ClientOptionSet::server);
  app.add_option("--jwks", options->jwks, "verify with this JWK Set: a file or an http(s) URL");
  app.add_option("-o,--output", options->output, "text (default) or json ({header, claims, verification})");
  add_json_layout_flags(app, options->layout);
  return [options](Io& io) { return run_decode(*options, io); };
}

} // namespace oauthctl::cli
