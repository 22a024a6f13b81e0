// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/oauth/grant_type.hpp>
#include <oauthctl/oauth/pkce.hpp>
#include <oauthctl/oauth/token_type.hpp>
#include <oauthctl/util/error.hpp>
#include <oauthctl/util/form.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace oauthctl::oauth {

// How the browser-redirect grants (authorization_code, implicit) reach the user and
// catch the redirect (RFC 6749 §4.1 / §4.2, RFC 8252).
struct RedirectOptions {
  std::string redirect_uri; // empty: http://127.0.0.1:<free port>/callback (RFC 8252 §7.3)
  std::string browser;      // "none", a command run with the URL as its last argument, or "" (default)
  std::optional<PkceMethod> pkce = PkceMethod::s256; // nullopt: send no PKCE (--pkce none)
  std::chrono::milliseconds timeout{120'000};        // how long to wait for the redirect
  std::string login_hint;                            // OIDC Core §3.1.2.1
  std::string launch;                                // SMART EHR launch context
  util::FormFields extra;                            // more authorization request parameters
};

// The resource owner's credentials for the password grant (RFC 6749 §4.3.2).
struct PasswordCredentials {
  std::string username;
  std::string password; // never printed; redacted in every trace
  // Asks the user for the password when `password` is empty (a no-echo terminal
  // prompt); empty when nobody can be asked.
  std::function<util::Result<std::string>(const std::string& username)> prompt;
};

// The token exchange request's tokens (RFC 8693 §2.1); audience, resource and scope
// come from ClientConfig.
struct TokenExchangeInput {
  std::string subject_token; // never printed
  std::optional<TokenType> subject_token_type;
  std::string actor_token; // never printed; empty when none
  std::optional<TokenType> actor_token_type;
  std::optional<TokenType> requested_token_type;
};

// Signed JWTs the client sends (RFC 7523): a client assertion for private_key_jwt (§2.2)
// and the jwt_bearer grant's assertion (§2.1). PEM texts and assertions are never printed.
struct AssertionOptions {
  std::string private_key_pem;   // --private-key's content, for private_key_jwt
  std::string kid;               // --kid: the key id to send; empty = the key's RFC 7638 thumbprint
  std::string alg;               // --alg: RS256, RS384, ES256, ES384; empty = from the key
  std::string assertion;         // --assertion: a ready-made JWT for the jwt_bearer grant
  std::string assertion_key_pem; // --assertion-key's content: sign the grant assertion with it
  std::string assertion_claims;  // --assertion-claims: a JSON object of claims to sign
};

// Everything a grant needs to know about the client and the server, resolved by the
// CLI from flags, environment and profile.
struct ClientConfig {
  std::string server;        // base URL (Aidbox base), discovery starts here
  std::string token_url;     // overrides discovery when set
  std::string authorize_url; // overrides discovery when set
  std::string fhir_url;      // FHIR base; defaults to <server>/fhir
  std::string issuer;        // --issuer: the issuer discovery must find; empty = the --server URL
  std::string client_id;
  std::string client_secret; // never printed; redacted in every trace
  AuthMethod auth_method = AuthMethod::client_secret_basic;
  // A TLS client certificate is configured (--client-cert): the endpoints a server lists
  // in `mtls_endpoint_aliases` are used instead of the plain ones (RFC 8705 §5).
  bool mutual_tls = false;
  std::string scope;
  std::string audience; // RFC 8693 / Aidbox `audience`
  std::string resource; // RFC 8707 resource indicator
  RedirectOptions redirect;
  std::string refresh_token;    // the refresh_token grant's input (RFC 6749 §6); never printed
  PasswordCredentials password; // the password grant's input (RFC 6749 §4.3)
  TokenExchangeInput exchange;  // the token_exchange grant's input (RFC 8693 §2.1)
  AssertionOptions assertion;   // private_key_jwt and the jwt_bearer grant (RFC 7523)
};

} // namespace oauthctl::oauth
