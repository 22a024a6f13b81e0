// SPDX-License-Identifier: MIT
#include "oauth/grants/browser_redirect.hpp"

#include <oauthctl/oauth/grants.hpp>

namespace oauthctl::oauth {

util::Result<TokenResponse> run_implicit(const FlowContext& context) {
  // RFC 9700 §2.1.2 and OAuth 2.1 drop the implicit grant: the token travels in a URL, where
  // history, referrers and injection can reach it. Kept for old servers, with a warning.
  context.observer.on_warning("the implicit grant is deprecated (OAuth 2.0 Security BCP, OAuth 2.1); use "
                              "authorization_code with PKCE");
  auto authorization = authorize_in_browser(context, ResponseType::token);
  if (!authorization) {
    return tl::unexpected(authorization.error());
  }
  const auto& response = authorization->response;
  TokenResponse token;
  token.access_token = response.access_token;
  token.token_type = response.token_type;
  token.expires_in = response.expires_in;
  token.scope = response.scope;
  token.id_token = response.id_token;
  // `-o json` shows the response as the server sent it: every fragment parameter but the
  // state, which was ours (RFC 6749 §4.2.2).
  token.raw = nlohmann::json::object();
  for (const auto& [name, value] : response.fields) {
    if (name == "state") {
      continue;
    }
    if (name == "expires_in" && response.expires_in) {
      token.raw[name] = *response.expires_in;
    } else {
      token.raw[name] = value;
    }
  }
  // OIDC Core §3.2.2.11: an id_token in the fragment is verified like one from the code flow.
  if (auto ok = check_id_token(context, token, authorization->nonce, IdTokenRequired::no); !ok) {
    return tl::unexpected(ok.error());
  }
  return token;
}

} // namespace oauthctl::oauth
