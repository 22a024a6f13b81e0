// SPDX-License-Identifier: MIT
#pragma once

#include "server/app.hpp"
#include "server/exchange.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string_view>

namespace oauthctl::server {

// The claims of `token` when it is one of our access tokens and still good: a JWT signed
// by our key, `iss` ours, not expired at `context.now()`, its `jti` not revoked.
[[nodiscard]] std::optional<nlohmann::json> live_access_token(const AppContext& context,
                                                              std::string_view token);

// `POST /auth/introspect` (RFC 7662). The caller must authenticate as a confidential
// client (as at the token endpoint); otherwise 401 invalid_client. Access tokens of any
// client can be introspected (a resource server introspects the tokens presented to it,
// as SMART and Aidbox expect); refresh tokens only by the client they were issued to.
// Anything not valid for the caller answers exactly {"active":false}.
ServerResponse handle_introspect(const AppContext& context, const ServerRequest& request);

} // namespace oauthctl::server
