// SPDX-License-Identifier: MIT
#pragma once

#include "server/app.hpp"
#include "server/exchange.hpp"

namespace oauthctl::server {

// `GET /auth/consents`: the signed-in user's consents (consent_list_page.hpp), from the
// browser session's cookie; a page saying how to sign in when the session has no user.
// `POST /auth/consents` with `csrf_token` (the session's, compared in constant time: 403
// otherwise) and `client_id`: withdraws that client's consent and ends its refresh tokens
// for the user (AuthState::withdraw_consent), then 303 back to the list.
ServerResponse handle_consents(const AppContext& context, const ServerRequest& request);

} // namespace oauthctl::server
