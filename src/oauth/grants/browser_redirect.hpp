// SPDX-License-Identifier: MIT
// Private to the grants: what authorization_code and implicit share (the browser trip),
// and the id_token check the code and refresh grants share.
#pragma once

#include <oauthctl/oauth/authorize_request.hpp>
#include <oauthctl/oauth/flow.hpp>
#include <oauthctl/oauth/pkce.hpp>
#include <oauthctl/util/error.hpp>

#include <optional>
#include <string>

namespace oauthctl::oauth {

// What one trip through the browser brought back, and what the request sent that the
// rest of the grant needs (the redirect URI to repeat, the nonce, the PKCE verifier).
struct BrowserAuthorization {
  AuthorizationResponse response;
  std::string redirect_uri;
  std::string nonce;
  std::optional<Pkce> pkce;
};

// Starts the loopback listener, sends the user's browser to the authorization endpoint
// for `response_type`, waits for the redirect and checks state and iss. `timeout`,
// `interrupted`, `oauth` (error redirect, state/issuer mismatch) or `bad_response`.
[[nodiscard]] util::Result<BrowserAuthorization> authorize_in_browser(const FlowContext& context,
                                                                      ResponseType response_type);

// Verifies `token.id_token` through the server's JWKS (OIDC Core §3.1.3.7) with `nonce`
// (empty: not checked) and reports it as a step. `required` makes a missing id_token an
// error. `bad_response` naming the failed check.
enum class IdTokenRequired { yes, no };
[[nodiscard]] util::Result<void> check_id_token(const FlowContext& context, const TokenResponse& token,
                                                const std::string& nonce, IdTokenRequired required);

} // namespace oauthctl::oauth
