// SPDX-License-Identifier: MIT
#include "server/endpoints/login_endpoint.hpp"

#include "server/auth/browser_session.hpp"
#include "server/auth/login_pages.hpp"
#include "server/auth/redirect_uri.hpp"
#include "server/endpoints/authorization_flow.hpp"

#include <fmt/format.h>

namespace oauthctl::server {

namespace {

LoginPage login_form(const UiPost& ui, std::string username, std::string message) {
  return {ui.pending_id,       ui.session.csrf_token, ui.pending.client_id,
          std::move(username), std::move(message),    uri_origin(ui.pending.redirect_uri)};
}

} // namespace

ServerResponse handle_login(const AppContext& context, const ServerRequest& request) {
  auto ui = read_ui_request(context, request);
  if (!ui) {
    return std::move(ui.error());
  }
  if (request.method != "POST") {
    return login_page(200, login_form(*ui, ui->pending.login_hint, {}));
  }
  const auto username = util::form_get(ui->fields, "username").value_or("");
  const auto password = util::form_get(ui->fields, "password").value_or("");
  if (username.empty() || password.empty()) {
    return login_page(400, login_form(*ui, username, "Enter your username and password."));
  }
  const auto now = context.now();
  // A slow-down rather than a lockout, keyed by username, client address and browser
  // session (and softer per username alone): a lockout, or a per-username wait alone, would
  // let anyone keep a user out by guessing wrong on purpose (RFC 6749 §10.10 asks for
  // guessing to be hard, not for a denial of service).
  const auto source = guess_source(request.client_address, ui->session_id);
  if (const auto wait = context.auth->login_wait(username, source, now); wait > 0) {
    auto response = login_page(
      429, login_form(*ui, username,
                      fmt::format("Too many failed sign-in attempts. Wait {} second{} and try again.", wait,
                                  wait == 1 ? "" : "s")));
    response.headers.set("Retry-After", std::to_string(wait));
    return response;
  }
  const auto directory = context.directory.current(); // one snapshot for the request
  const auto check = directory->users.authenticate(username, password);
  if (check.overloaded) {
    auto response = login_page(503, login_form(*ui, username, "The server is busy. Try again in a moment."));
    response.headers.set("Retry-After", "1");
    return response;
  }
  const auto* user = check.user;
  if (user == nullptr) {
    // The failure counts from when it is known: a slow hash on a loaded machine must not
    // use up the wait that follows it.
    context.auth->record_login(username, source, true, context.now());
    return login_page(401, login_form(*ui, username, "The username or password is incorrect."));
  }
  context.auth->record_login(username, source, false, now);
  const auto session_id = context.auth->sign_in(ui->session_id, user->spec.id, now);
  context.auth->login_done(ui->pending_id);
  auto pending = ui->pending;
  pending.prompt_login = false;
  pending.session_id = session_id;
  auto response = continue_authorization(context, *directory, ui->pending_id, pending, session_id, 303);
  response.headers.set("Set-Cookie",
                       session_set_cookie(session_id, context.issuer.rfind("https://", 0) == 0));
  return response;
}

ServerResponse handle_consent(const AppContext& context, const ServerRequest& request) {
  auto ui = read_ui_request(context, request);
  if (!ui) {
    return std::move(ui.error());
  }
  if (ui->session.user_id.empty()) {
    return redirect_to("/auth/login?request=" + util::percent_encode(ui->pending_id),
                       request.method == "POST" ? 303 : 302);
  }
  const auto directory = context.directory.current(); // one snapshot for the request
  if (request.method != "POST") {
    const auto* user = directory->users.find(ui->session.user_id);
    // Only what the user has not allowed this client yet is asked (and listed).
    auto question = consent_question(context, *directory, ui->pending, ui->session.user_id);
    return consent_page({ui->pending_id, ui->session.csrf_token, ui->pending.client_id,
                         user != nullptr ? UserDirectory::display_name(user->spec) : std::string(),
                         std::move(question.scopes), std::move(question.already),
                         uri_origin(ui->pending.redirect_uri)});
  }
  const auto decision = util::form_get(ui->fields, "decision").value_or("");
  if (decision == "deny") {
    // RFC 6749 §4.1.2.1: the resource owner denied the request.
    context.auth->drop_pending(ui->pending_id);
    return redirect_error(context, ui->pending, "access_denied", "the user denied access", 303);
  }
  if (decision != "allow") {
    return error_page(400, "Bad request", "Choose Allow or Deny.");
  }
  // Recorded for the user, not the session: it lasts, and every replica sees it.
  context.auth->remember_consent(ui->session.user_id, ui->pending.client_id, ui->pending.scopes,
                                 context.now());
  return continue_authorization(context, *directory, ui->pending_id, ui->pending, ui->session_id, 303,
                                ConsentStep::given);
}

} // namespace oauthctl::server
