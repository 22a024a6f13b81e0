// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string_view>

namespace oauthctl::oauth {

// The grants of DESIGN.md, by their CLI names.
enum class GrantType {
  client_credentials,
  authorization_code,
  password,
  implicit,
  refresh_token,
  token_exchange,
  device_code,
  jwt_bearer,
};

// The CLI name of `grant` ("client_credentials", ...).
std::string_view to_string(GrantType grant);

// The grant a CLI name (or its RFC `grant_type` URN) stands for.
std::optional<GrantType> parse_grant_type(std::string_view name);

// The `grant_type` value a token request carries for `grant`: its name, or the RFC's URN
// for the extension grants (token exchange, device code, JWT bearer). Empty for implicit,
// which makes no token request.
std::string_view grant_type_parameter(GrantType grant);

// How the client authenticates at the token endpoint (RFC 6749 §2.3, RFC 7523 §2.2).
// RFC 8705 §2: tls_client_auth and self_signed_tls_client_auth send client_id alone; the
// TLS client certificate (http::ClientOptions::client_cert) is the credential.
enum class AuthMethod {
  client_secret_basic,
  client_secret_post,
  private_key_jwt,
  none,
  tls_client_auth,
  self_signed_tls_client_auth,
};

std::string_view to_string(AuthMethod method);
std::optional<AuthMethod> parse_auth_method(std::string_view name);

} // namespace oauthctl::oauth
