// SPDX-License-Identifier: MIT
#pragma once

#include "server/app.hpp"
#include "server/exchange.hpp"

#include <oauthctl/util/form.hpp>

#include <tl/expected.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauthctl::server {

// How a client presented itself at the token endpoint (RFC 6749 §2.3, RFC 7523 §2.2,
// RFC 8705 §2: the two mutual TLS methods, known once the client's registration is).
enum class PresentedMethod {
  none,
  client_secret_basic,
  client_secret_post,
  private_key_jwt,
  tls_client_auth,
  self_signed_tls_client_auth,
};

// The client credentials of a token request, not verified yet.
struct PresentedClient {
  PresentedMethod method = PresentedMethod::none;
  std::string client_id; // empty when the request names no client
  std::optional<std::string> secret;
  std::string assertion; // the client_assertion JWT of private_key_jwt
};

// Reads the client's credentials from the Authorization header (HTTP Basic, RFC 6749
// §2.3.1), the `client_id`/`client_secret` parameters, or `client_assertion_type` and
// `client_assertion` (RFC 7521 §4.2; the client id then defaults to the assertion's sub).
// On failure, the error response: 400 invalid_request for malformed Basic credentials, a
// half-sent assertion or two methods at once, 401 invalid_client with a Basic challenge
// for another Authorization scheme or for an assertion type other than JWT bearer.
[[nodiscard]] tl::expected<PresentedClient, ServerResponse>
read_client_credentials(const ServerRequest& request, const util::FormFields& params);

// The 401 invalid_client response, with `WWW-Authenticate: Basic` when the client tried
// HTTP Basic (RFC 6749 §5.2).
ServerResponse invalid_client(PresentedMethod method, std::string_view description);

// RFC 8705 §2: authenticates `client`, registered for tls_client_auth or
// self_signed_tls_client_auth, by the TLS client certificate of `request`; it must have
// presented no other credentials. A self-signed client's keys come from `jwks` or its
// `jwks_uri` (context.assertions: cached, one fetch per URL at a time). Returns the method
// it used, or the 401 invalid_client.
[[nodiscard]] tl::expected<PresentedMethod, ServerResponse>
authenticate_with_certificate(const AppContext& context, const RegisteredClient& client,
                              const PresentedClient& presented, const ServerRequest& request);

// Whether a public client (no secret, client_id alone) counts as identified.
enum class PublicClients { refused, allowed };

// A client that proved who it is (or, for a public client where allowed, named itself).
struct AuthenticatedClient {
  const RegisteredClient* client = nullptr; // never null on success
  PresentedMethod method = PresentedMethod::none;
};

// Authenticates the caller of an endpoint other than the token endpoint (introspection,
// RFC 7662 §2.1; revocation, RFC 7009 §2.1) the way the token endpoint does: a
// confidential client must prove its secret; a public client passes only when `public_clients`
// is allowed. `client` points into `directory`, the request's snapshot. On failure, the
// 400/401 error response.
[[nodiscard]] tl::expected<AuthenticatedClient, ServerResponse>
authenticate_client(const AppContext& context, const Directory& directory, const ServerRequest& request,
                    const util::FormFields& params, PublicClients public_clients);

// The token_endpoint_auth_method name of `method` (RFC 8414 §2, RFC 7591 §2).
std::string_view to_string(PresentedMethod method);

// Every client authentication method the server accepts, by name, for discovery
// (token_endpoint_auth_methods_supported); the mutual TLS ones only when `mutual_tls`
// (the server speaks TLS).
std::vector<std::string> token_endpoint_auth_methods(bool mutual_tls);

} // namespace oauthctl::server
