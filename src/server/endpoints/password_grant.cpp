// SPDX-License-Identifier: MIT
#include "server/endpoints/token_request.hpp"
#include "server/endpoints/user_scopes.hpp"

#include <fmt/format.h>

namespace oauthctl::server {

ServerResponse password_grant(const TokenRequest& request) {
  // RFC 6749 §4.3.2: username and password are REQUIRED.
  const auto username = util::form_get(request.params, "username");
  const auto password = util::form_get(request.params, "password");
  if (!username || username->empty() || !password || password->empty()) {
    return oauth_error(400, "invalid_request", "username and password are required");
  }
  auto scopes = pick_user_scopes(request.client, util::form_get(request.params, "scope").value_or(""));
  if (!scopes) {
    return oauth_error(400, scopes.error().error, scopes.error().description);
  }
  auto& auth = *request.context.auth;
  const auto now = request.context.now();
  // RFC 6749 §4.3.2: "protect this endpoint against brute force attacks". While the
  // username's backoff runs (from this address, or the softer one from anywhere) the
  // password is not even checked, so guessing gains nothing.
  if (const auto wait = auth.login_wait(*username, request.client_address, now); wait > 0) {
    auto response = oauth_error(400, "invalid_grant",
                                fmt::format("too many failed attempts for this user; retry in {} second{}",
                                            wait, wait == 1 ? "" : "s"));
    response.headers.set("Retry-After", std::to_string(wait));
    return response;
  }
  const auto check = request.directory.users.authenticate(*username, *password);
  if (check.overloaded) {
    // Not a failed attempt: nothing was checked, so the backoff does not count it.
    return overloaded_error();
  }
  const auto* user = check.user;
  if (user == nullptr) {
    // The failure counts from when it is known: a slow hash on a loaded machine must not
    // use up the wait that follows it.
    auth.record_login(*username, request.client_address, true, request.context.now());
    // One answer for an unknown user and a wrong password: no user enumeration.
    return oauth_error(400, "invalid_grant", "wrong username or password");
  }
  auth.record_login(*username, request.client_address, false, now);
  const UserGrant grant{request.client, *user, std::move(*scopes), now, {}, "password"};
  return std::move(respond_with_user_tokens(request, grant, {}).response);
}

} // namespace oauthctl::server
