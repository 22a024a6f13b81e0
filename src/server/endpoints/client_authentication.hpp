// SPDX-License-Identifier: MIT
#pragma once

#include "server/exchange.hpp"

#include <oauthctl/util/form.hpp>

#include <tl/expected.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauthctl::server {

// How a client presented itself at the token endpoint (RFC 6749 §2.3).
enum class PresentedMethod { none, client_secret_basic, client_secret_post };

// The client credentials of a token request, not verified yet.
struct PresentedClient {
  PresentedMethod method = PresentedMethod::none;
  std::string client_id; // empty when the request names no client
  std::optional<std::string> secret;
};

// Reads the client's credentials from the Authorization header (HTTP Basic, RFC 6749
// §2.3.1) or the `client_id`/`client_secret` parameters. On failure, the error response:
// 400 invalid_request for malformed Basic credentials or two methods at once, 401
// invalid_client with a Basic challenge for another Authorization scheme.
[[nodiscard]] tl::expected<PresentedClient, ServerResponse>
read_client_credentials(const ServerRequest& request, const util::FormFields& params);

// The 401 invalid_client response, with `WWW-Authenticate: Basic` when the client tried
// HTTP Basic (RFC 6749 §5.2).
ServerResponse invalid_client(PresentedMethod method, std::string_view description);

// The token_endpoint_auth_method name of `method` (RFC 8414 §2, RFC 7591 §2).
std::string_view to_string(PresentedMethod method);

// Every method read_client_credentials accepts, by name, for discovery
// (token_endpoint_auth_methods_supported).
std::vector<std::string> token_endpoint_auth_methods();

} // namespace oauthctl::server
