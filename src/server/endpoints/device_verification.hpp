// SPDX-License-Identifier: MIT
#pragma once

#include "server/app.hpp"
#include "server/exchange.hpp"

namespace oauthctl::server {

// The device verification page (RFC 8628 §3.3), `GET|POST /auth/device/verify`: the user
// signs in (the login UI's browser session, CSRF token and per-username backoff), enters
// the user code (pre-filled from `?user_code=` of verification_uri_complete; case and
// dashes do not matter), sees which client asks for which scopes, and allows or denies.
// Wrong codes are rate-limited per user (RFC 8628 §5.1): 429 with Retry-After.
ServerResponse handle_device_verification(const AppContext& context, const ServerRequest& request);

} // namespace oauthctl::server
