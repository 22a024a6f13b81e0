// SPDX-License-Identifier: MIT
#pragma once

#include "server/app.hpp"
#include "server/exchange.hpp"

namespace oauthctl::server {

// The default access token lifetime when a client sets none (Aidbox's default too).
inline constexpr std::int64_t k_default_token_lifetime = 3600;

// `POST /auth/token` (RFC 6749 §3.2): reads the parameters, authenticates the client and
// runs the grant. Every failure is an RFC 6749 §5.2 error response.
ServerResponse handle_token(const AppContext& context, const ServerRequest& request);

} // namespace oauthctl::server
