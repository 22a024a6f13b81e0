// SPDX-License-Identifier: MIT
#pragma once

#include "cli/run.hpp"

#include <oauthctl/oauth/client_config.hpp>
#include <oauthctl/util/error.hpp>

#include <map>
#include <string>

namespace CLI {
class App;
} // namespace CLI

namespace oauthctl::cli {

class EnvBindings;

// The options of signed-JWT client authentication (private_key_jwt) and of the
// jwt_bearer grant (RFC 7523), as given.
struct AssertionSettings {
  std::string private_key, kid, alg, assertion, assertion_key, assertion_claims;
};

// Binds --private-key, --kid and --alg (private_key_jwt) and, when `jwt_bearer`,
// --assertion, --assertion-key and --assertion-claims to `app`, recording their
// environment variables.
void add_assertion_options(CLI::App& app, AssertionSettings& settings, EnvBindings& env,
                           bool jwt_bearer = true);

// Copies `settings` (after EnvBindings::apply) into `config`, falling back to the profile's
// private_key, kid and alg: reads the key files, `--assertion -` from stdin and
// `--assertion-claims @FILE`, and checks that the key fits --alg. `auth_method_given`
// false lets --private-key select private_key_jwt. `usage`, `config` or `io` errors.
[[nodiscard]] util::Result<void>
resolve_assertion_settings(const AssertionSettings& settings, Io& io, oauth::ClientConfig& config,
                           const std::map<std::string, std::string>& profile_values, bool auth_method_given);

} // namespace oauthctl::cli
