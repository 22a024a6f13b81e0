// SPDX-License-Identifier: MIT
#pragma once

#include "server/app.hpp"
#include "server/exchange.hpp"

namespace oauthctl::server {

// `POST /auth/revoke` (RFC 7009). A confidential client authenticates, a public one names
// itself with client_id. Revoking a refresh token ends its whole family and the access
// tokens issued in it; revoking an access token ends that token (its `jti`). Unknown,
// malformed, expired or foreign tokens answer 200 and change nothing (§2.2); a valid token
// issued to another client is refused with 400 invalid_grant and stays valid (§2.1).
ServerResponse handle_revoke(const AppContext& context, const ServerRequest& request);

// Aidbox's `DELETE /Session` with `Authorization: Bearer <access token>`: ends that token's
// session, revoking the token and the refresh family it was issued in. 204 on success;
// 401 with a Bearer challenge for a missing, bad or already revoked token.
ServerResponse handle_delete_session(const AppContext& context, const ServerRequest& request);

} // namespace oauthctl::server
