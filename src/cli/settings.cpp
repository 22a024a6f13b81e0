// SPDX-License-Identifier: MIT
#include "cli/settings.hpp"

#include "cli/profile.hpp"
#include "cli/profile_binding.hpp"
#include "cli/profile_validation.hpp"

#include <oauthctl/oauth/grant_type.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <istream>
#include <sstream>
#include <tuple>

namespace oauthctl::cli {

namespace {

using util::ErrorKind;

bool truthy(const std::string& value) {
  return value == "1" || value == "true" || value == "yes" || value == "on";
}

std::string strip_line_end(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.pop_back();
  }
  return text;
}

util::Result<std::string> read_secret_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return util::fail(ErrorKind::io, fmt::format("cannot read client secret file {}", path));
  }
  std::ostringstream content;
  content << file.rdbuf();
  // A file written by `echo` ends in a newline that is not part of the secret.
  auto secret = strip_line_end(content.str());
  if (secret.empty()) {
    return util::fail(ErrorKind::config, fmt::format("client secret file {} is empty", path));
  }
  return secret;
}

// A secret and where it came from (for -v: never the secret itself).
struct SourcedSecret {
  std::string value;
  std::string origin;
};

util::Result<SourcedSecret> resolve_secret(const ClientSettings& settings, Io& io) {
  const bool flag_secret =
    settings.client_secret_option != nullptr && settings.client_secret_option->count() > 0;
  const bool flag_file =
    settings.client_secret_file_option != nullptr && settings.client_secret_file_option->count() > 0;
  if (flag_secret && flag_file) {
    return util::fail(ErrorKind::usage, "give --client-secret or --client-secret-file, not both");
  }
  std::string secret;
  std::string file;
  std::string origin;
  if (flag_secret) {
    secret = settings.client_secret;
    origin = secret == "-" ? "--client-secret - (standard input)" : "--client-secret";
    if (secret != "-" && !secret.empty()) {
      io.err << "oauthctl: warning: --client-secret on the command line is visible to other users (ps); "
                "use OAUTHCTL_CLIENT_SECRET, --client-secret-file or --client-secret -\n"
             << std::flush;
    }
  } else if (flag_file) {
    file = settings.client_secret_file;
    origin = "--client-secret-file " + file;
  } else if (!io.getenv("OAUTHCTL_CLIENT_SECRET").empty()) {
    secret = io.getenv("OAUTHCTL_CLIENT_SECRET");
    origin = "OAUTHCTL_CLIENT_SECRET";
  } else {
    file = io.getenv("OAUTHCTL_CLIENT_SECRET_FILE");
    origin = "OAUTHCTL_CLIENT_SECRET_FILE " + file;
  }
  if (!file.empty()) {
    auto read = read_secret_file(file);
    if (!read) {
      return tl::unexpected(read.error());
    }
    return SourcedSecret{std::move(*read), origin};
  }
  if (secret == "-") {
    auto line = read_stdin_line(io, "--client-secret", "secret");
    if (!line) {
      return tl::unexpected(line.error());
    }
    return SourcedSecret{std::move(*line), origin};
  }
  return SourcedSecret{secret, secret.empty() ? std::string() : origin};
}

// RFC 6749 §3.3: scopes are space-separated. "a,b" (the oauth2l and gcloud habit) would be
// one unknown scope and an invalid_scope that does not say why. Commas are legal inside a
// scope token, though (SMART v2 query parameters: "patient/Observation.rs?code=a,b"), so
// only a list without spaces and without '?' is read as comma-separated.
bool comma_separated_scopes(const std::string& scope) {
  return scope.find(',') != std::string::npos && scope.find(' ') == std::string::npos &&
         scope.find('?') == std::string::npos;
}

std::string comma_scopes_to_spaces(const std::string& scope) {
  std::string out;
  std::size_t start = 0;
  while (start <= scope.size()) {
    const auto end = std::min(scope.find(',', start), scope.size());
    if (end > start) {
      out += (out.empty() ? "" : " ") + scope.substr(start, end - start);
    }
    start = end + 1;
  }
  return out;
}

std::string scope_note(const std::string& scope) {
  if (!comma_separated_scopes(scope)) {
    return {};
  }
  return fmt::format("scopes are space-separated (RFC 6749 §3.3): requesting \"{}\" for \"{}\"",
                     comma_scopes_to_spaces(scope), scope);
}

// Where `member` of `given` came from, as -v says it: "--server", "OAUTHCTL_SERVER",
// "profile P", "the arguments" (a command derived it), or "" when it is unset.
std::string origin_of(const ClientSettings& given, const std::string& value,
                      std::string ClientSettings::*member, const std::string& profile) {
  if (value.empty()) {
    return {};
  }
  if (auto origin = given.origin(member); !origin.empty()) {
    return origin;
  }
  if (!(given.*member).empty()) {
    return "the arguments";
  }
  return profile.empty() ? std::string("default") : "profile " + profile;
}

// The profile a command uses: the named one always, the default one only when bound to
// the command's server (profile_binding.hpp); none with --no-profile or --profile ''.
util::Result<std::optional<Profile>> choose_profile(const ClientSettings& settings, const Io& io,
                                                    std::vector<std::string>& origins) {
  const bool empty_named = settings.profile.empty() && !settings.origin(&ClientSettings::profile).empty();
  if (settings.no_profile && !settings.profile.empty()) {
    return util::fail(ErrorKind::usage, "give --profile or --no-profile, not both");
  }
  if (settings.no_profile || empty_named) {
    origins.emplace_back("no profile (--no-profile)");
    return std::optional<Profile>();
  }
  auto profile = select_profile(settings, io);
  if (!profile || !*profile || !settings.profile.empty()) {
    return profile;
  }
  const auto binding =
    bind_default_profile(**profile, settings.server, settings.token_url, settings.fhir_url);
  if (!binding.applies) {
    origins.push_back(binding.reason);
    return std::optional<Profile>();
  }
  return profile;
}

util::Result<std::chrono::milliseconds> parse_timeout(const std::string& text) {
  if (text.empty()) {
    return std::chrono::milliseconds(30'000);
  }
  double seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(seconds) || seconds <= 0 ||
      seconds > 86'400) {
    return util::fail(ErrorKind::usage,
                      fmt::format("invalid --timeout {}: expected seconds between 0 and 86400", text));
  }
  return std::chrono::milliseconds(std::max<long long>(1, std::llround(seconds * 1000)));
}

} // namespace

util::Result<std::string> read_stdin_line(Io& io, std::string_view option, std::string_view what) {
  std::string line;
  if (!std::getline(io.in, line) || strip_line_end(line).empty()) {
    return util::fail(ErrorKind::usage, fmt::format("{} -: no {} on standard input", option, what));
  }
  return strip_line_end(line);
}

CLI::Option* EnvBindings::add(CLI::App& app, const std::string& flags, std::string& target,
                              const std::string& env, const std::string& description) {
  auto* option =
    app.add_option(flags, target, env.empty() ? description : fmt::format("{} [env: {}]", description, env));
  m_bindings.push_back(Binding{option, &target, nullptr, env});
  return option;
}

CLI::Option* EnvBindings::add_flag(CLI::App& app, const std::string& flags, bool& target,
                                   const std::string& env, const std::string& description) {
  auto* option =
    app.add_flag(flags, target, env.empty() ? description : fmt::format("{} [env: {}]", description, env));
  m_bindings.push_back(Binding{option, nullptr, &target, env});
  return option;
}

void EnvBindings::apply(const Io& io) {
  for (const auto& binding : m_bindings) {
    const void* target = binding.text != nullptr ? static_cast<const void*>(binding.text) : binding.flag;
    if (binding.option->count() > 0) {
      m_origins[target] = binding.option->get_name();
      continue;
    }
    if (binding.env.empty()) {
      continue;
    }
    const auto value = io.getenv(binding.env);
    if (value.empty()) {
      continue;
    }
    m_origins[target] = binding.env;
    if (binding.text != nullptr) {
      *binding.text = value;
    } else if (binding.flag != nullptr) {
      *binding.flag = truthy(value);
    }
  }
}

std::string EnvBindings::origin(const void* target) const {
  const auto it = m_origins.find(target);
  return it == m_origins.end() ? std::string() : it->second;
}

std::string ClientSettings::origin(std::string ClientSettings::*member) const {
  return bindings == nullptr || bound == nullptr ? std::string() : bindings->origin(&(bound->*member));
}

void add_client_options(CLI::App& app, ClientSettings& settings, EnvBindings& env, ClientOptionSet set) {
  settings.bindings = &env;
  settings.bound = &settings;
  const bool client = set != ClientOptionSet::server;
  const bool grants = set == ClientOptionSet::full;
  env.add(app, "--server", settings.server, "OAUTHCTL_SERVER",
          "server base URL (Aidbox base), or a FHIR base (SMART discovery); discovery starts here");
  if (client) {
    env.add(app, "--client-id", settings.client_id, "OAUTHCTL_CLIENT_ID", "client id");
    // The secret's sources are resolved as a group in resolve_secret.
    settings.client_secret_option =
      env.add(app, "--client-secret", settings.client_secret, "",
              "client secret; '-' reads one line from stdin (on the command line it shows in ps) [env: "
              "OAUTHCTL_CLIENT_SECRET]");
    settings.client_secret_file_option =
      env.add(app, "--client-secret-file", settings.client_secret_file, "",
              "read the client secret from this file [env: OAUTHCTL_CLIENT_SECRET_FILE]");
  }
  if (grants) {
    env.add(app, "--scope", settings.scope, "OAUTHCTL_SCOPE",
            "space-separated scopes to request ('a,b' is read as 'a b', with a warning)");
  }
  add_profile_options(app, settings, env);
  add_no_profile_option(app, settings, env);
  env.add_flag(app, "-v,--verbose", settings.verbose, "OAUTHCTL_VERBOSE",
               "trace every HTTP exchange to stderr (secrets redacted), and where each credential came from");
  env.add(app, "--token-url", settings.token_url, "OAUTHCTL_TOKEN_URL",
          "token endpoint, instead of discovery");
  env.add(
    app, "--issuer", settings.issuer, "OAUTHCTL_ISSUER",
    "the issuer discovery must find (default: the --server URL); for a server behind a proxy or gateway");
  env.add(
    app, "--fhir-url", settings.fhir_url, "OAUTHCTL_FHIR_URL",
    "FHIR base URL (default: --server when it ends in /fhir, else <server>/fhir); alone, SMART discovery "
    "starts here");
  if (client) {
    env.add(app, "--auth-method", settings.auth_method, "OAUTHCTL_AUTH_METHOD",
            "client_secret_basic (default), client_secret_post, private_key_jwt or none (no secret)");
  }
  if (grants) {
    env.add(app, "--audience", settings.audience, "OAUTHCTL_AUDIENCE", "audience to request");
    env.add(app, "--resource", settings.resource, "OAUTHCTL_RESOURCE", "resource indicator (RFC 8707)");
  }
  env.add(app, "--cacert", settings.cacert, "OAUTHCTL_CACERT", "PEM file of CA certificates to trust");
  env.add(app, "--client-cert", settings.client_cert, "OAUTHCTL_CLIENT_CERT",
          "mutual TLS (RFC 8705): PEM client certificate to present (with --auth-method tls_client_auth or "
          "self_signed_tls_client_auth it is the credential; tokens may be bound to it)");
  env.add(app, "--client-key", settings.client_key, "OAUTHCTL_CLIENT_KEY",
          "PEM private key of --client-cert (default: in the certificate file)");
  env.add_flag(app, "--insecure", settings.insecure, "OAUTHCTL_INSECURE",
               "do not verify TLS certificates (unsafe)");
  env.add(app, "--timeout", settings.timeout, "OAUTHCTL_TIMEOUT",
          "per-request timeout in seconds (default 30)");
  if (grants) {
    add_grant_options(app, settings.grant, env);
    add_password_options(app, settings.password, env);
    add_token_exchange_options(app, settings.exchange, env);
  }
  if (client) {
    add_assertion_options(app, settings.assertion, env, grants);
  }
}

util::Result<ResolvedClient> resolve_client(const ClientSettings& given, Io& io, NeedCredentials need) {
  // flag > env > profile > default: EnvBindings::apply has run, the profile fills the rest.
  ClientSettings settings = given;
  ResolvedClient resolved;
  const auto profile = choose_profile(given, io, resolved.origins);
  if (!profile) {
    return tl::unexpected(profile.error());
  }
  if (*profile) {
    apply_profile(**profile, settings);
    resolved.profile = (*profile)->name;
    resolved.profile_values = (*profile)->values;
  }
  auto& config = resolved.config;
  config.server = settings.server;
  config.token_url = settings.token_url;
  config.fhir_url = settings.fhir_url;
  config.issuer = settings.issuer;
  config.client_id = settings.client_id;
  config.scope = settings.scope;
  config.audience = settings.audience;
  config.resource = settings.resource;
  for (const auto& [name, member] :
       {std::pair{"server", &ClientSettings::server}, std::pair{"token_url", &ClientSettings::token_url},
        std::pair{"fhir_url", &ClientSettings::fhir_url},
        std::pair{"client_id", &ClientSettings::client_id}}) {
    const auto& value = settings.*member;
    if (const auto origin = origin_of(given, value, member, resolved.profile); !origin.empty()) {
      resolved.origins.push_back(fmt::format("{} {} from {}", name, value, origin));
    }
  }
  // A value from the profile is checked as `config set` checks it, and its error names the
  // profile key rather than a flag the user never typed.
  for (const auto& [key, value, field] :
       {std::tuple{"server", &settings.server, &given.server},
        std::tuple{"token_url", &settings.token_url, &given.token_url},
        std::tuple{"fhir_url", &settings.fhir_url, &given.fhir_url},
        std::tuple{"issuer", &settings.issuer, &given.issuer},
        std::tuple{"auth_method", &settings.auth_method, &given.auth_method},
        std::tuple{"timeout", &settings.timeout, &given.timeout}}) {
    if (!value->empty() && field->empty() && *profile) {
      if (auto valid = validate_profile_value(key, *value); !valid) {
        auto error = valid.error();
        error.message = fmt::format("profile {}: {}", (*profile)->name, error.message);
        return tl::unexpected(error);
      }
    }
  }
  if (auto note = scope_note(settings.scope); !note.empty()) {
    resolved.warnings.push_back(note);
    config.scope = comma_scopes_to_spaces(settings.scope);
  }
  if (!settings.auth_method.empty()) {
    const auto method = oauth::parse_auth_method(settings.auth_method);
    if (!method) {
      return util::fail(
        ErrorKind::usage,
        fmt::format("invalid --auth-method {} (valid: client_secret_basic, client_secret_post, "
                    "private_key_jwt, none, tls_client_auth, self_signed_tls_client_auth)",
                    settings.auth_method));
    }
    config.auth_method = *method;
  }
  auto timeout = parse_timeout(settings.timeout);
  if (!timeout) {
    return tl::unexpected(timeout.error());
  }
  resolved.http.timeout = *timeout;
  resolved.http.cacert = settings.cacert;
  if (settings.client_cert.empty() && !settings.client_key.empty()) {
    return util::fail(ErrorKind::usage, "--client-key goes with --client-cert");
  }
  resolved.http.client_cert = settings.client_cert;
  config.mutual_tls = !settings.client_cert.empty();
  resolved.http.client_key = settings.client_key;
  resolved.http.verify_tls = settings.insecure ? http::VerifyTls::no : http::VerifyTls::yes;
  resolved.http.user_agent = "oauthctl/" OAUTHCTL_VERSION;
  resolved.verbose = settings.verbose;
  if (settings.server.empty() && settings.token_url.empty() && settings.fhir_url.empty()) {
    return util::fail(ErrorKind::usage, "missing --server (or OAUTHCTL_SERVER)");
  }
  // A public client (none) and private_key_jwt send no secret: none is read, so a
  // profile's unset client_secret_env cannot stop them.
  const bool mutual_tls = config.auth_method == oauth::AuthMethod::tls_client_auth ||
                          config.auth_method == oauth::AuthMethod::self_signed_tls_client_auth;
  const bool uses_secret =
    settings.auth_method.empty() || (config.auth_method != oauth::AuthMethod::none &&
                                     config.auth_method != oauth::AuthMethod::private_key_jwt && !mutual_tls);
  if (need == NeedCredentials::yes && mutual_tls && settings.client_cert.empty()) {
    return util::fail(ErrorKind::usage,
                      fmt::format("--auth-method {} needs --client-cert FILE (and --client-key "
                                  "FILE unless the key is in it)",
                                  settings.auth_method));
  }
  if (need == NeedCredentials::yes) {
    if (config.client_id.empty()) {
      return util::fail(ErrorKind::usage, "missing --client-id (or OAUTHCTL_CLIENT_ID)");
    }
  }
  if (need == NeedCredentials::yes && uses_secret) {
    auto secret = resolve_secret(settings, io);
    if (!secret) {
      return tl::unexpected(secret.error());
    }
    if (secret->value.empty() && *profile) {
      // A profile's secret belongs to the profile's client: never send it for another id.
      const auto own_id = (*profile)->get("client_id");
      if (!own_id.empty() && own_id != config.client_id) {
        resolved.origins.push_back(
          fmt::format("client secret of profile {} not used: it is for client {}", (*profile)->name, own_id));
      } else {
        auto from_profile = resolve_profile_secret(**profile, io);
        if (!from_profile) {
          return tl::unexpected(from_profile.error());
        }
        secret->value = std::move(*from_profile);
        secret->origin = secret->value.empty() ? std::string() : "profile " + (*profile)->name;
      }
    }
    resolved.origins.push_back(secret->value.empty() ? std::string("no client secret")
                                                     : "client secret from " + secret->origin);
    config.client_secret = std::move(secret->value);
  } else if (need == NeedCredentials::yes) {
    resolved.origins.push_back(fmt::format("no client secret (--auth-method {})", settings.auth_method));
  }
  if (auto ok = resolve_assertion_settings(settings.assertion, io, config, resolved.profile_values,
                                           !settings.auth_method.empty());
      !ok) {
    return tl::unexpected(ok.error());
  }
  if (need == NeedCredentials::yes && config.auth_method == oauth::AuthMethod::private_key_jwt &&
      config.assertion.private_key_pem.empty()) {
    return util::fail(ErrorKind::usage,
                      "--auth-method private_key_jwt needs --private-key FILE (or OAUTHCTL_PRIVATE_KEY)");
  }
  auto grant_values = resolved.profile_values;
  for (const char* key : {"redirect_timeout", "pkce", "redirect_uri", "authorize_url"}) {
    const auto it = grant_values.find(key);
    if (it == grant_values.end()) {
      continue;
    }
    if (auto valid = validate_profile_value(key, it->second); !valid) {
      auto error = valid.error();
      error.message = fmt::format("profile {}: {}", resolved.profile, error.message);
      if (!resolved.redirect_profile_error) {
        resolved.redirect_profile_error = error;
      }
      grant_values.erase(it);
    }
  }
  if (auto ok = resolve_grant_settings(settings.grant, io, config, grant_values); !ok) {
    return tl::unexpected(ok.error());
  }
  if (auto ok = resolve_password_settings(settings.password, io, config); !ok) {
    return tl::unexpected(ok.error());
  }
  if (auto ok = resolve_token_exchange_settings(settings.exchange, io, config); !ok) {
    return tl::unexpected(ok.error());
  }
  return resolved;
}

std::string Io::getenv(const std::string& name) const {
  const auto it = env.find(name);
  return it == env.end() ? std::string() : it->second;
}

} // namespace oauthctl::cli
