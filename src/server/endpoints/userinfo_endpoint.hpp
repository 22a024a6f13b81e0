// SPDX-License-Identifier: MIT
#pragma once

#include "server/app.hpp"
#include "server/exchange.hpp"

namespace oauthctl::server {

// `GET|POST /auth/userinfo` (OIDC Core §5.3): the signed-in user's claims for the bearer
// token's scopes (sub always; name, email, fhirUser per scope). 401 with
// WWW-Authenticate for a missing, bad or revoked token; 403 insufficient_scope without
// `openid`.
ServerResponse handle_userinfo(const AppContext& context, const ServerRequest& request);

} // namespace oauthctl::server
