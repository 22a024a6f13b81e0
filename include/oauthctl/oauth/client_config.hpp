// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/oauth/grant_type.hpp>

#include <string>

namespace oauthctl::oauth {

// Everything a grant needs to know about the client and the server, resolved by the
// CLI from flags, environment and profile.
struct ClientConfig {
  std::string server;        // base URL (Aidbox base), discovery starts here
  std::string token_url;     // overrides discovery when set
  std::string authorize_url; // overrides discovery when set
  std::string fhir_url;      // FHIR base; defaults to <server>/fhir
  std::string client_id;
  std::string client_secret; // never printed; redacted in every trace
  AuthMethod auth_method = AuthMethod::client_secret_basic;
  std::string scope;
  std::string audience; // RFC 8693 / Aidbox `audience`
  std::string resource; // RFC 8707 resource indicator
};

} // namespace oauthctl::oauth
