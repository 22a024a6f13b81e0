// SPDX-License-Identifier: MIT
#include "server/endpoints/consents_endpoint.hpp"

#include "server/auth/browser_session.hpp"
#include "server/auth/consent_list_page.hpp"
#include "server/auth/login_pages.hpp"
#include "server/endpoints/authorization_flow.hpp"

#include <oauthctl/util/form.hpp>

namespace oauthctl::server {

ServerResponse handle_consents(const AppContext& context, const ServerRequest& request) {
  const auto now = context.now();
  const auto session_id = read_session_cookie(request.headers).value_or("");
  const auto session = context.auth->session(session_id, now);
  if (!session || session->user_id.empty()) {
    // The page belongs to a signed-in browser session: it has no sign-in form of its own.
    return error_page(401, "Not signed in",
                      "This browser is not signed in here. Sign in through an application (its "
                      "sign-in page on this server), then come back to this page.");
  }
  if (request.method == "POST") {
    auto fields = read_ui_form(request);
    if (!fields) {
      return std::move(fields.error());
    }
    // RFC 6749 §10.12 asks login forms to resist CSRF; withdrawing is as much the user's
    // own act, and revokes tokens, so a page elsewhere must not post it for them.
    if (!form_csrf_matches(*fields, session->csrf_token)) {
      return error_page(403, "Forbidden",
                        "The form could not be verified (missing or wrong CSRF token). Reload the page and "
                        "try again.");
    }
    const auto client_id = util::form_get(*fields, "client_id").value_or("");
    if (client_id.empty()) {
      return error_page(400, "Bad request", "The form names no application.");
    }
    // Withdrawing what was never allowed (or an unknown id) changes nothing and is no error:
    // the list the user comes back to shows the outcome either way.
    (void)context.auth->withdraw_consent(session->user_id, client_id);
    return redirect_to(std::string(k_consents_path), 303);
  }
  const auto directory = context.directory.current(); // holds `user` for the request
  const auto* user = directory->users.find(session->user_id);
  return consent_list_page({session->csrf_token,
                            user != nullptr ? UserDirectory::display_name(user->spec) : session->user_id,
                            context.auth->consents(session->user_id, now)});
}

} // namespace oauthctl::server
