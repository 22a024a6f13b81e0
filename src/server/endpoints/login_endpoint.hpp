// SPDX-License-Identifier: MIT
#pragma once

#include "server/app.hpp"
#include "server/exchange.hpp"

namespace oauthctl::server {

// `GET /auth/login?request=ID` shows the login form for a pending authorization request;
// `POST /auth/login` checks the CSRF token and the credentials, then continues the
// authorization. A wrong password shows the form again with a message (401), repeated
// failures for one username are slowed down (429 with Retry-After), never locked out.
ServerResponse handle_login(const AppContext& context, const ServerRequest& request);

// `GET /auth/grant?request=ID` shows the consent page; `POST /auth/grant` with
// `decision=allow` answers the client, `decision=deny` redirects with access_denied.
ServerResponse handle_consent(const AppContext& context, const ServerRequest& request);

} // namespace oauthctl::server
