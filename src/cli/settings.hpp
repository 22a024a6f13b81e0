// SPDX-License-Identifier: MIT
#pragma once

#include "cli/assertion_settings.hpp"
#include "cli/grant_settings.hpp"
#include "cli/password_settings.hpp"
#include "cli/run.hpp"
#include "cli/token_exchange_settings.hpp"

#include <oauthctl/http/client.hpp>
#include <oauthctl/oauth/client_config.hpp>
#include <oauthctl/util/error.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
class Option;
} // namespace CLI

namespace oauthctl::cli {

// Fills string options from OAUTHCTL_* variables after parsing, so the order is
// flag > environment > default. (CLI11's envname() reads the real environment; ours
// comes from Io so that tests can run in-process.)
class EnvBindings {
public:
  // Adds option `flags` bound to `target`, also read from `env` when the flag is absent.
  CLI::Option* add(CLI::App& app, const std::string& flags, std::string& target, const std::string& env,
                   const std::string& description);
  // Adds a flag bound to `target`, also set by `env` = 1/true/yes.
  CLI::Option* add_flag(CLI::App& app, const std::string& flags, bool& target, const std::string& env,
                        const std::string& description);
  // Applies the environment to every option not given on the command line, and records
  // where each value came from.
  void apply(const Io& io);
  // Where the value of the option bound to `target` came from: its flag (`--server`), its
  // environment variable (`OAUTHCTL_SERVER`), or "" when neither set it. After apply().
  [[nodiscard]] std::string origin(const void* target) const;

private:
  struct Binding {
    CLI::Option* option;
    std::string* text;
    bool* flag;
    std::string env;
  };
  std::vector<Binding> m_bindings;
  std::map<const void*, std::string> m_origins;
};

// The options every client command shares (token, fhir, flow), as given.
struct ClientSettings {
  std::string server, token_url, fhir_url, issuer, client_id, client_secret, client_secret_file, auth_method,
    scope, audience, resource, cacert, timeout;
  std::string client_cert, client_key; // mutual TLS (RFC 8705)
  // --profile, --config-file and --no-profile (profile.hpp).
  std::string profile, config_file;
  bool no_profile = false;
  GrantSettings grant;            // authorization_code, implicit, refresh_token (grant_settings.hpp)
  PasswordSettings password;      // --grant password (password_settings.hpp)
  TokenExchangeSettings exchange; // --grant token_exchange (token_exchange_settings.hpp)
  AssertionSettings assertion;    // private_key_jwt and jwt_bearer (assertion_settings.hpp)
  bool insecure = false;
  bool verbose = false;
  CLI::Option* client_secret_option = nullptr;
  CLI::Option* client_secret_file_option = nullptr;
  // The bindings that filled these fields and the struct they are bound to (a command may
  // resolve a modified copy), to say where a value came from (-v).
  const EnvBindings* bindings = nullptr;
  const ClientSettings* bound = nullptr;

  // The flag (`--server`) or variable (`OAUTHCTL_SERVER`) that set `member`, "" if none.
  [[nodiscard]] std::string origin(std::string ClientSettings::*member) const;
};

// Which of the client options a command shows in --help and accepts: only those it uses.
enum class ClientOptionSet {
  full,        // token, fhir, flow: every grant's options
  client_auth, // introspect, revoke, logout: the client's credentials, no grant options
  server,      // discover, decode: where the server is and how to reach it
};

// Binds the shared client options of `set` to `app`, the common ones (server, client,
// secret) first, recording their environment variables.
void add_client_options(CLI::App& app, ClientSettings& settings, EnvBindings& env,
                        ClientOptionSet set = ClientOptionSet::full);

// One line of standard input without its line end, for `OPTION -` (a secret or token that
// must not show in `ps`); `usage` error naming `option` and `what` when there is none.
util::Result<std::string> read_stdin_line(Io& io, std::string_view option, std::string_view what);

// What a client command runs with once flags, environment and defaults are resolved.
struct ResolvedClient {
  oauth::ClientConfig config;
  http::ClientOptions http;
  bool verbose = false;
  std::string profile;                               // the profile applied, "" when none
  std::map<std::string, std::string> profile_values; // its keys, for options only some commands read
  // Where the server and each credential came from (flag, environment, profile P), and
  // why a profile was not used: one line each, printed by -v.
  std::vector<std::string> origins;
  // Warnings to print once the command has an observer (a comma-separated scope, ...).
  std::vector<std::string> warnings;
  // An invalid profile key only the browser and device grants read (redirect_timeout,
  // pkce, redirect_uri, authorize_url): it fails those grants, not the others.
  std::optional<util::Error> redirect_profile_error;
};

enum class NeedCredentials { yes, no };

// Resolves `settings` (after EnvBindings::apply): reads the secret from stdin
// (`--client-secret -`), a file or the environment, checks the timeout and auth method,
// and, when `need` is yes, that a client id is there. A profile applies when it is named,
// or (the default profile) when it is bound to the server the command uses
// (profile_binding.hpp); its secret only for its own client id, and no secret at all with
// --auth-method none or private_key_jwt. `usage` or `io` errors.
[[nodiscard]] util::Result<ResolvedClient> resolve_client(const ClientSettings& settings, Io& io,
                                                          NeedCredentials need);

} // namespace oauthctl::cli
