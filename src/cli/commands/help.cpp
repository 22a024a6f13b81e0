// SPDX-License-Identifier: MIT
// `oauthctl help [TOPIC]`: what does not fit in --help (grants, exit codes, config, environment).
#include "cli/commands/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/profile.hpp"

#include <oauthctl/oauth/grants.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <array>
#include <memory>
#include <ostream>

namespace oauthctl::cli {

namespace {

std::string grants_topic() {
  std::string out = "Grants (oauthctl token --grant NAME, oauthctl flow NAME):\n\n";
  for (const auto& grant : oauth::grant_table()) {
    out += fmt::format("  {:<20} {}{}\n", grant.name, grant.description,
                       grant.run == nullptr ? " (not implemented yet)" : "");
  }
  out += "\nThe default is client_credentials. RFC grant_type URNs are accepted as names too.\n";
  return out;
}

std::string exit_codes_topic() {
  return "Exit status (part of the interface; scripts may branch on it):\n\n"
         "  0    success\n"
         "  1    internal error (a bug: please report it)\n"
         "  2    usage or configuration error (bad option, bad config file, unknown profile)\n"
         "  3    network or TLS error (server unreachable, certificate rejected)\n"
         "  4    the server answered with an OAuth error or a malformed response\n"
         "  5    timed out waiting for the user or the redirect\n"
         "  6    `oauthctl check` found failures\n"
         "  7    the token is not valid: `introspect` got active:false, `decode` could not verify it\n"
         "  8    `fhir`: the FHIR server answered 4xx/5xx to the request itself (its OperationOutcome\n"
         "       is on stdout); a refused token is 4\n"
         "  130  interrupted (Ctrl-C)\n";
}

std::string config_topic() {
  std::string out =
    "Client config file: $XDG_CONFIG_HOME/oauthctl/config.toml (else ~/.config/oauthctl/config.toml);\n"
    "--config-file FILE or OAUTHCTL_CONFIG names another. It holds profiles as TOML tables:\n\n"
    "  [profile.default]\n"
    "  server = \"http://127.0.0.1:8080\"\n"
    "  client_id = \"demo-client\"\n"
    "  client_secret_env = \"DEMO_SECRET\"\n\n"
    "  [profile.staging]\n"
    "  server = \"https://staging.example.com\"\n"
    "  client_id = \"ci\"\n"
    "  client_secret_command = \"pass show oauth/staging\"\n\n"
    "--profile NAME or OAUTHCTL_PROFILE selects a profile; without one, the profile named\n"
    "default applies when it exists. Precedence: flag > environment > profile > default.\n\n"
    "Keys:\n";
  for (const auto& key : profile_keys()) {
    out += fmt::format("  {:<22} {}\n", key.name, key.description);
  }
  out +=
    "\nSecrets are referenced, never written inline: an inline client_secret is an error.\n"
    "client_secret_command runs without a shell; its trimmed standard output is the secret, and a\n"
    "non-zero exit is a config error. Relative paths are relative to the config file's directory.\n"
    "Strings use TOML quoting (\"...\" with escapes, or '...'); numbers and booleans are read as text.\n"
    "An invalid file is reported as FILE:LINE: what is wrong, with exit status 2.\n\n"
    "Manage it with: oauthctl config list|get KEY|set KEY VALUE|unset KEY|delete-profile NAME|path|profiles\n"
    "[--profile NAME] (oauthctl config --help).\n";
  return out;
}

std::string environment_topic() {
  return "Environment (a flag wins over its variable, a variable over a profile):\n\n"
         "Client options (token, fhir, flow, discover, introspect, revoke, logout, decode):\n"
         "  OAUTHCTL_SERVER, OAUTHCTL_TOKEN_URL, OAUTHCTL_FHIR_URL, OAUTHCTL_CLIENT_ID,\n"
         "  OAUTHCTL_CLIENT_SECRET, OAUTHCTL_CLIENT_SECRET_FILE, OAUTHCTL_AUTH_METHOD, OAUTHCTL_SCOPE,\n"
         "  OAUTHCTL_AUDIENCE, OAUTHCTL_RESOURCE, OAUTHCTL_CACERT, OAUTHCTL_INSECURE, OAUTHCTL_TIMEOUT,\n"
         "  OAUTHCTL_VERBOSE, OAUTHCTL_ISSUER (the issuer expected; also serve's --issuer),\n"
         "  OAUTHCTL_CLIENT_CERT, OAUTHCTL_CLIENT_KEY\n"
         "Grants: OAUTHCTL_GRANT, OAUTHCTL_AUTHORIZE_URL, OAUTHCTL_REDIRECT_URI, OAUTHCTL_BROWSER,\n"
         "  OAUTHCTL_PKCE, OAUTHCTL_REDIRECT_TIMEOUT, OAUTHCTL_LOGIN_HINT, OAUTHCTL_LAUNCH,\n"
         "  OAUTHCTL_REFRESH_TOKEN, OAUTHCTL_USERNAME, OAUTHCTL_PASSWORD, OAUTHCTL_SUBJECT_TOKEN,\n"
         "  OAUTHCTL_SUBJECT_TOKEN_TYPE, OAUTHCTL_ACTOR_TOKEN, OAUTHCTL_ACTOR_TOKEN_TYPE,\n"
         "  OAUTHCTL_REQUESTED_TOKEN_TYPE, OAUTHCTL_PRIVATE_KEY, OAUTHCTL_KID, OAUTHCTL_ALG,\n"
         "  OAUTHCTL_ASSERTION, OAUTHCTL_ASSERTION_KEY, OAUTHCTL_ASSERTION_CLAIMS\n"
         "Output and cache: OAUTHCTL_OUTPUT, OAUTHCTL_NO_CACHE, OAUTHCTL_QUIET, OAUTHCTL_FHIR_PATH\n"
         "serve: OAUTHCTL_ISSUER, OAUTHCTL_SERVE_HOST, OAUTHCTL_SERVE_PORT, OAUTHCTL_SERVE_DATA, "
         "OAUTHCTL_SERVE_CONFIG,\n"
         "  OAUTHCTL_SERVE_DEVICE_INTERVAL, OAUTHCTL_SERVE_DEVICE_LIFETIME, OAUTHCTL_SERVE_LOGIN_BACKOFF,\n"
         "  OAUTHCTL_SERVE_CONSENT_LIFETIME, OAUTHCTL_SERVE_WORKERS, OAUTHCTL_SERVE_HEADER_TIMEOUT,\n"
         "  OAUTHCTL_SERVE_BODY_TIMEOUT,\n"
         "  OAUTHCTL_SERVE_IDLE_TIMEOUT, OAUTHCTL_SERVE_MAX_HEADER_BYTES, OAUTHCTL_SERVE_MAX_HEADER_COUNT,\n"
         "  OAUTHCTL_SERVE_MAX_TOKEN_BODY_BYTES, OAUTHCTL_SERVE_MAX_BODY_BYTES,\n"
         "  OAUTHCTL_SERVE_MAX_CONNECTIONS, OAUTHCTL_SERVE_MAX_CONNECTIONS_PER_ADDRESS,\n"
         "  OAUTHCTL_SERVE_SHUTDOWN_GRACE, OAUTHCTL_SERVE_TLS_CERT, OAUTHCTL_SERVE_TLS_KEY,\n"
         "  OAUTHCTL_SERVE_TLS_CLIENT_CA, OAUTHCTL_SERVE_TLS_DIR, OAUTHCTL_SERVE_MTLS_PORT,\n"
         "  OAUTHCTL_STORE, OAUTHCTL_STORE_POOL\n"
         "                        each the same as the option of that name\n\n"
         "  OAUTHCTL_ACCESS_TOKEN  fhir's --access-token; `token -o env` prints it. An explicit\n"
         "                        --client-id, --client-secret(-file) or --grant wins over it, and\n"
         "                        -v says when it is used\n"
         "  OAUTHCTL_PROFILE      the profile to use (--profile)\n"
         "  OAUTHCTL_NO_PROFILE   use no profile (--no-profile)\n"
         "  OAUTHCTL_CONFIG       the client config file (--config-file)\n"
         "  XDG_CONFIG_HOME       where the config file lives (default ~/.config)\n"
         "  XDG_CACHE_HOME        where the token cache lives (default ~/.cache)\n"
         "  XDG_DATA_HOME         where serve keeps its store (default ~/.local/share)\n"
         "  BROWSER               the browser command when --browser is not given\n"
         "  NO_COLOR              no colour even on a terminal\n";
}

struct Topic {
  std::string_view name;
  std::string_view description;
  std::string (*text)();
};

constexpr std::array<Topic, 4> k_topics{{
  {"grants", "the grants oauthctl runs", grants_topic},
  {"exit-codes", "what each exit status means", exit_codes_topic},
  {"config", "the config file, profiles and secret references", config_topic},
  {"environment", "the environment variables oauthctl reads", environment_topic},
}};

int run_help(const std::string& topic, Io& io) {
  if (topic.empty()) {
    io.out << "Help topics (oauthctl help TOPIC):\n\n";
    for (const auto& t : k_topics) {
      io.out << fmt::format("  {:<12} {}\n", t.name, t.description);
    }
    io.out << "\nEvery command also has --help (or: oauthctl help COMMAND); the manual is oauthctl(1).\n"
           << std::flush;
    return k_exit_ok;
  }
  for (const auto& t : k_topics) {
    if (t.name == topic || (topic == "exit-status" && t.name == "exit-codes") ||
        (topic == "env" && t.name == "environment")) {
      io.out << t.text() << std::flush;
      return k_exit_ok;
    }
  }
  return report_usage(
    io, fmt::format("no help topic {} (topics: grants, exit-codes, config, environment)", topic));
}

} // namespace

Runner setup_help(CLI::App& app) {
  auto topic = std::make_shared<std::string>();
  app.add_option("topic", *topic, "grants, exit-codes, config or environment");
  return [topic](Io& io) { return run_help(*topic, io); };
}

} // namespace oauthctl::cli
