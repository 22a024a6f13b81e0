// SPDX-License-Identifier: MIT
#include "cli/settings.hpp"

#include "cli/profile.hpp"

#include <oauthctl/oauth/grant_type.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <istream>
#include <sstream>

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

util::Result<std::string> resolve_secret(const ClientSettings& settings, Io& io) {
  const bool flag_secret =
    settings.client_secret_option != nullptr && settings.client_secret_option->count() > 0;
  const bool flag_file =
    settings.client_secret_file_option != nullptr && settings.client_secret_file_option->count() > 0;
  if (flag_secret && flag_file) {
    return util::fail(ErrorKind::usage, "give --client-secret or --client-secret-file, not both");
  }
  std::string secret;
  std::string file;
  if (flag_secret) {
    secret = settings.client_secret;
  } else if (flag_file) {
    file = settings.client_secret_file;
  } else if (!io.getenv("OAUTHCTL_CLIENT_SECRET").empty()) {
    secret = io.getenv("OAUTHCTL_CLIENT_SECRET");
  } else {
    file = io.getenv("OAUTHCTL_CLIENT_SECRET_FILE");
  }
  if (!file.empty()) {
    return read_secret_file(file);
  }
  if (secret == "-") {
    return read_stdin_line(io, "--client-secret", "secret");
  }
  return secret;
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

void EnvBindings::apply(const Io& io) const {
  for (const auto& binding : m_bindings) {
    if (binding.env.empty() || binding.option->count() > 0) {
      continue;
    }
    const auto value = io.getenv(binding.env);
    if (value.empty()) {
      continue;
    }
    if (binding.text != nullptr) {
      *binding.text = value;
    } else if (binding.flag != nullptr) {
      *binding.flag = truthy(value);
    }
  }
}

void add_client_options(CLI::App& app, ClientSettings& settings, EnvBindings& env) {
  env.add(app, "--server", settings.server, "OAUTHCTL_SERVER",
          "server base URL (Aidbox base); discovery starts here");
  env.add(app, "--token-url", settings.token_url, "OAUTHCTL_TOKEN_URL",
          "token endpoint, instead of discovery");
  env.add(app, "--fhir-url", settings.fhir_url, "OAUTHCTL_FHIR_URL",
          "FHIR base URL (default: <server>/fhir)");
  env.add(app, "--client-id", settings.client_id, "OAUTHCTL_CLIENT_ID", "client id");
  // The secret's sources are resolved as a group in resolve_secret.
  settings.client_secret_option =
    env.add(app, "--client-secret", settings.client_secret, "",
            "client secret; '-' reads one line from stdin [env: OAUTHCTL_CLIENT_SECRET]");
  settings.client_secret_file_option =
    env.add(app, "--client-secret-file", settings.client_secret_file, "",
            "read the client secret from this file [env: OAUTHCTL_CLIENT_SECRET_FILE]");
  env.add(app, "--auth-method", settings.auth_method, "OAUTHCTL_AUTH_METHOD",
          "client_secret_basic (default), client_secret_post, private_key_jwt or none");
  env.add(app, "--scope", settings.scope, "OAUTHCTL_SCOPE", "space-separated scopes to request");
  env.add(app, "--audience", settings.audience, "OAUTHCTL_AUDIENCE", "audience to request");
  env.add(app, "--resource", settings.resource, "OAUTHCTL_RESOURCE", "resource indicator (RFC 8707)");
  env.add(app, "--cacert", settings.cacert, "OAUTHCTL_CACERT", "PEM file of CA certificates to trust");
  env.add_flag(app, "--insecure", settings.insecure, "OAUTHCTL_INSECURE",
               "do not verify TLS certificates (unsafe)");
  env.add(app, "--timeout", settings.timeout, "OAUTHCTL_TIMEOUT",
          "per-request timeout in seconds (default 30)");
  env.add_flag(app, "-v,--verbose", settings.verbose, "OAUTHCTL_VERBOSE",
               "trace every HTTP exchange to stderr (secrets redacted)");
  add_profile_options(app, settings, env);
  add_grant_options(app, settings.grant, env);
  add_password_options(app, settings.password, env);
  add_token_exchange_options(app, settings.exchange, env);
  add_assertion_options(app, settings.assertion, env);
}

util::Result<ResolvedClient> resolve_client(const ClientSettings& given, Io& io, NeedCredentials need) {
  // flag > env > profile > default: EnvBindings::apply has run, the profile fills the rest.
  ClientSettings settings = given;
  const auto profile = select_profile(settings, io);
  if (!profile) {
    return tl::unexpected(profile.error());
  }
  ResolvedClient resolved;
  if (*profile) {
    apply_profile(**profile, settings);
    resolved.profile = (*profile)->name;
    resolved.profile_values = (*profile)->values;
  }
  auto& config = resolved.config;
  config.server = settings.server;
  config.token_url = settings.token_url;
  config.fhir_url = settings.fhir_url;
  config.client_id = settings.client_id;
  config.scope = settings.scope;
  config.audience = settings.audience;
  config.resource = settings.resource;
  if (!settings.auth_method.empty()) {
    const auto method = oauth::parse_auth_method(settings.auth_method);
    if (!method) {
      return util::fail(ErrorKind::usage, fmt::format("invalid --auth-method {} (valid: client_secret_basic, "
                                                      "client_secret_post, private_key_jwt, none)",
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
  resolved.http.verify_tls = settings.insecure ? http::VerifyTls::no : http::VerifyTls::yes;
  resolved.http.user_agent = "oauthctl/" OAUTHCTL_VERSION;
  resolved.verbose = settings.verbose;
  if (settings.server.empty() && settings.token_url.empty() && settings.fhir_url.empty()) {
    return util::fail(ErrorKind::usage, "missing --server (or OAUTHCTL_SERVER)");
  }
  if (need == NeedCredentials::yes) {
    if (settings.server.empty() && settings.token_url.empty()) {
      return util::fail(ErrorKind::usage, "missing --server (or OAUTHCTL_SERVER)");
    }
    if (config.client_id.empty()) {
      return util::fail(ErrorKind::usage, "missing --client-id (or OAUTHCTL_CLIENT_ID)");
    }
    auto secret = resolve_secret(settings, io);
    if (!secret) {
      return tl::unexpected(secret.error());
    }
    if (secret->empty() && *profile) {
      secret = resolve_profile_secret(**profile, io);
      if (!secret) {
        return tl::unexpected(secret.error());
      }
    }
    config.client_secret = std::move(*secret);
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
  if (auto ok = resolve_grant_settings(settings.grant, io, config, resolved.profile_values); !ok) {
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
