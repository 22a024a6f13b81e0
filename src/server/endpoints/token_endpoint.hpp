// SPDX-License-Identifier: MIT
#pragma once

#include "server/app.hpp"
#include "server/exchange.hpp"

#include <string>
#include <vector>

namespace oauthctl::server {

// The default access token lifetime when a client sets none (Aidbox's default too).
inline constexpr std::int64_t k_default_token_lifetime = 3600;

// `POST /auth/token` (RFC 6749 §3.2): reads the parameters, authenticates the client and
// runs the grant. Every failure is an RFC 6749 §5.2 error response.
ServerResponse handle_token(const AppContext& context, const ServerRequest& request);

// The grant types this server serves, for discovery (RFC 8414 §2 grant_types_supported):
// each grant of the token endpoint's table that has a handler, by its grant_type value
// (the URN for the extension grants), and "implicit", which the authorize endpoint serves.
std::vector<std::string> served_grant_types();

} // namespace oauthctl::server
