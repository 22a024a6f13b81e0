// SPDX-License-Identifier: MIT
#pragma once

#include "server/app.hpp"
#include "server/exchange.hpp"

namespace oauthctl::server {

// `GET /auth/authorize` (RFC 6749 §4.1.1 and §4.2.1): validates the request, keeps it
// server-side and sends the browser on to login, consent or straight back to the
// client. An unknown client or unregistered redirect_uri gets an error page and never a
// redirect (RFC 6749 §4.1.2.1); other errors go back to the client.
ServerResponse handle_authorize(const AppContext& context, const ServerRequest& request);

} // namespace oauthctl::server
