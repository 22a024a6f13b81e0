// SPDX-License-Identifier: MIT
#include "server/endpoints/device_verification.hpp"

#include "server/auth/browser_session.hpp"
#include "server/auth/device_pages.hpp"
#include "server/auth/login_pages.hpp"
#include "server/endpoints/authorization_flow.hpp"
#include "server/endpoints/device_endpoint.hpp"

#include <oauthctl/util/form.hpp>

#include <fmt/format.h>

namespace oauthctl::server {

namespace {

// Longer input is not a user code; it is not echoed back either.
constexpr std::size_t k_max_code_input = 32;

std::string code_input(const util::FormFields& fields) {
  auto code = util::form_get(fields, "user_code").value_or("");
  if (code.size() > k_max_code_input) {
    code.clear();
  }
  return code;
}

std::string user_name(const Directory& directory, const Session& session) {
  const auto* user = directory.users.find(session.user_id);
  return user == nullptr ? std::string() : UserDirectory::display_name(user->spec);
}

bool is_secure(const AppContext& context) {
  return context.issuer.rfind("https://", 0) == 0;
}

std::string wait_text(std::int64_t seconds) {
  return fmt::format("{} second{}", seconds, seconds == 1 ? "" : "s");
}

ServerResponse show_page(const AppContext& context, const ServerRequest& request) {
  const auto now = context.now();
  const auto query = util::form_decode(request.query);
  if (!query) {
    return error_page(400, "Bad request", "The address is malformed.");
  }
  const auto user_code = code_input(*query);
  auto session_id = read_session_cookie(request.headers).value_or("");
  auto session = context.auth->session(session_id, now);
  bool fresh = false;
  if (!session) {
    session_id = context.auth->create_session(now + k_session_lifetime);
    session = context.auth->session(session_id, now);
    fresh = true;
  }
  if (!session) {
    return error_page(500, "Server error", "The sign-in session could not be created.");
  }
  auto response =
    session->user_id.empty()
      ? device_login_page(200, {session->csrf_token, user_code, {}, {}})
      : device_code_page(
          200, {session->csrf_token, user_code, user_name(*context.directory.current(), *session), {}});
  if (fresh) {
    response.headers.set("Set-Cookie", session_set_cookie(session_id, is_secure(context)));
  }
  return response;
}

ServerResponse sign_in(const AppContext& context, const util::FormFields& fields,
                       const std::string& session_id, const Session& session, std::string_view address,
                       std::int64_t now) {
  const auto user_code = code_input(fields);
  const auto username = util::form_get(fields, "username").value_or("");
  const auto password = util::form_get(fields, "password").value_or("");
  const auto again = [&](int status, std::string message) {
    return device_login_page(status, {session.csrf_token, user_code, username, std::move(message)});
  };
  if (username.empty() || password.empty()) {
    return again(400, "Enter your username and password.");
  }
  // The same slow-down as /auth/login, per username, client address and browser session.
  if (const auto wait = context.auth->login_wait(username, address, now); wait > 0) {
    auto response =
      again(429, fmt::format("Too many failed sign-in attempts. Wait {} and try again.", wait_text(wait)));
    response.headers.set("Retry-After", std::to_string(wait));
    return response;
  }
  const auto directory = context.directory.current(); // one snapshot for the request
  const auto check = directory->users.authenticate(username, password);
  if (check.overloaded) {
    auto response = again(503, "The server is busy. Try again in a moment.");
    response.headers.set("Retry-After", "1");
    return response;
  }
  const auto* user = check.user;
  if (user == nullptr) {
    // The failure counts from when it is known: a slow hash on a loaded machine must not
    // use up the wait that follows it.
    context.auth->record_login(username, address, true, context.now());
    return again(401, "The username or password is incorrect.");
  }
  context.auth->record_login(username, address, false, now);
  // A new session id and CSRF token after login, as /auth/login does (session fixation).
  const auto signed_in_id = context.auth->sign_in(session_id, user->spec.id, now);
  const auto signed_in = context.auth->session(signed_in_id, now);
  if (!signed_in) {
    return error_page(500, "Server error", "The sign-in session could not be kept.");
  }
  auto response =
    device_code_page(200, {signed_in->csrf_token, user_code, user_name(*directory, *signed_in), {}});
  response.headers.set("Set-Cookie", session_set_cookie(signed_in_id, is_secure(context)));
  return response;
}

ServerResponse enter_code(const AppContext& context, const util::FormFields& fields, const Session& session,
                          std::int64_t now) {
  const auto typed = code_input(fields);
  const auto name = user_name(*context.directory.current(), session);
  auto& device = *context.device;
  if (const auto wait = device.entry_wait(session.user_id, now); wait > 0) {
    auto response =
      device_code_page(429, {session.csrf_token, typed, name,
                             fmt::format("Too many wrong codes. Wait {} and try again.", wait_text(wait))});
    response.headers.set("Retry-After", std::to_string(wait));
    return response;
  }
  const auto code = normalise_user_code(typed);
  const auto pending = code ? device.find_pending(*code, now) : std::nullopt;
  if (!pending) {
    device.record_entry(session.user_id, true, now);
    return device_code_page(400, {session.csrf_token, typed, name,
                                  "That code is not valid or has expired. Check the code on your device."});
  }
  device.record_entry(session.user_id, false, now);
  return device_confirm_page(
    {session.csrf_token, format_user_code(*code), pending->client_id, name, pending->scopes});
}

ServerResponse decide(const AppContext& context, const util::FormFields& fields, const Session& session,
                      std::int64_t now) {
  const auto decision = util::form_get(fields, "decision").value_or("");
  if (decision != "allow" && decision != "deny") {
    return error_page(400, "Bad request", "Choose Allow or Deny.");
  }
  // RFC 8628 §5.1: the user-code throttle holds on every step that takes a code; a decision
  // posted straight away with a guessed code must not skip it.
  auto& device = *context.device;
  if (const auto wait = device.entry_wait(session.user_id, now); wait > 0) {
    auto response =
      device_code_page(429, {session.csrf_token,
                             {},
                             user_name(*context.directory.current(), session),
                             fmt::format("Too many wrong codes. Wait {} and try again.", wait_text(wait))});
    response.headers.set("Retry-After", std::to_string(wait));
    return response;
  }
  const auto code = normalise_user_code(code_input(fields));
  const auto pending = code ? device.find_pending(*code, now) : std::nullopt;
  if (!pending || !device.decide(*code, decision == "allow", session.user_id, session.auth_time, now)) {
    device.record_entry(session.user_id, true, now);
    return device_code_page(400, {session.csrf_token,
                                  {},
                                  user_name(*context.directory.current(), session),
                                  "That code is no longer waiting (expired or already answered)."});
  }
  return device_done_page(decision == "allow", pending->client_id);
}

} // namespace

ServerResponse handle_device_verification(const AppContext& context, const ServerRequest& request) {
  if (request.method != "POST") {
    return show_page(context, request);
  }
  auto fields = read_ui_form(request);
  if (!fields) {
    return std::move(fields.error());
  }
  const auto now = context.now();
  const auto session_id = read_session_cookie(request.headers).value_or("");
  const auto session = context.auth->session(session_id, now);
  if (!session) {
    // No session (expired, or cookies off): start over on the page, which makes one.
    return redirect_to(std::string(k_device_verification_path), 303);
  }
  if (!form_csrf_matches(*fields, session->csrf_token)) {
    return error_page(403, "Forbidden",
                      "The form could not be verified (missing or wrong CSRF token). Reload the page and try "
                      "again.");
  }
  const auto step = util::form_get(*fields, "step").value_or("");
  if (step == "login") {
    return sign_in(context, *fields, session_id, *session, guess_source(request.client_address, session_id),
                   now);
  }
  if (session->user_id.empty()) {
    return device_login_page(401, {session->csrf_token, code_input(*fields), {}, "Sign in first."});
  }
  if (step == "code") {
    return enter_code(context, *fields, *session, now);
  }
  if (step == "decide") {
    return decide(context, *fields, *session, now);
  }
  return error_page(400, "Bad request", "The form is not one of this page's.");
}

} // namespace oauthctl::server
