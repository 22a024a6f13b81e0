// SPDX-License-Identifier: MIT
#pragma once

#include "server/app.hpp"
#include "server/exchange.hpp"

#include <string_view>

namespace oauthctl::server {

struct TokenRequest;

// The path of the page where the user enters the user code (RFC 8628 §3.3).
inline constexpr std::string_view k_device_verification_path = "/auth/device/verify";

// `POST /auth/device`, the device authorization endpoint (RFC 8628 §3.1–3.2): the client
// authenticates as at the token endpoint and must list the device_code grant; `scope` is
// checked as for a user's authorization request. Answers device_code, user_code,
// verification_uri(_complete), expires_in and interval; errors as RFC 6749 §5.2 JSON.
ServerResponse handle_device_authorization(const AppContext& context, const ServerRequest& request);

// The token endpoint's `urn:ietf:params:oauth:grant-type:device_code` grant (RFC 8628
// §3.4–3.5): authorization_pending, slow_down, access_denied, expired_token, invalid_grant,
// or, once the user approved, the same tokens as the authorization code grant (once).
ServerResponse device_code_grant(const TokenRequest& request);

} // namespace oauthctl::server
