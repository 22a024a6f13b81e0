// SPDX-License-Identifier: MIT
#include "server/endpoints/authorize_endpoint.hpp"

#include "server/auth/browser_session.hpp"
#include "server/auth/login_pages.hpp"
#include "server/auth/redirect_uri.hpp"
#include "server/endpoints/authorization_flow.hpp"
#include "server/endpoints/token_request.hpp"
#include "server/endpoints/user_scopes.hpp"

#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/oauth/pkce.hpp>
#include <oauthctl/util/form.hpp>

#include <fmt/format.h>

#include <charconv>

namespace oauthctl::server {

namespace {

// The grant whose settings hold the redirect URIs for `response_type`.
std::string_view grant_of(std::string_view response_type) {
  return response_type == "token" ? "implicit" : "authorization_code";
}

// The redirect URIs registered for `response_type`; for an unknown one, or one whose grant
// the client may not use, all of them, so the unsupported_response_type or
// unauthorized_client error can still go back to a registered URI.
std::vector<std::string> registered_uris(const RegisteredClient& client, std::string_view response_type) {
  if ((response_type == "code" || response_type == "token") &&
      client.spec.allows_grant(grant_of(response_type))) {
    return client.spec.settings(grant_of(response_type)).redirect_uris;
  }
  auto all = client.spec.settings("authorization_code").redirect_uris;
  const auto& implicit = client.spec.settings("implicit").redirect_uris;
  all.insert(all.end(), implicit.begin(), implicit.end());
  return all;
}

// RFC 7636 §4.1: a S256 challenge is 43 base64url characters; allow the verifier's range.
bool is_valid_challenge(std::string_view challenge) {
  return challenge.size() >= 43 && challenge.size() <= 128 && oauth::is_valid_code_verifier(challenge);
}

std::string strip_slash(std::string_view uri) {
  if (uri.size() > 1 && uri.back() == '/') {
    uri.remove_suffix(1);
  }
  return std::string(uri);
}

struct Rejection {
  const char* error;
  std::string description;
};

// response_mode (OAuth 2.0 Multiple Response Type Encoding Practices §2.1, Form Post
// Response Mode): query, fragment or form_post. Read first, so later errors go back the
// way the client asked.
std::optional<Rejection> read_response_mode(const util::FormFields& query, PendingAuthorization& out) {
  const auto mode = util::form_get(query, "response_mode");
  if (!mode) {
    return std::nullopt;
  }
  if (*mode != "query" && *mode != "fragment" && *mode != "form_post") {
    return Rejection{"invalid_request", "response_mode must be query, fragment or form_post"};
  }
  if (*mode == "query" && out.response_type == "token") {
    // §2.1: tokens must never travel in the query string.
    return Rejection{"invalid_request", "response_mode=query cannot carry a token"};
  }
  out.response_mode = *mode;
  return std::nullopt;
}

// OIDC Core §3.1.2.1 prompt: none alone, or any of login, consent, select_account (one
// account per browser session here, so choosing one means signing in again).
std::optional<Rejection> read_prompt(const util::FormFields& query, PendingAuthorization& out) {
  const auto values = oauth::split_scopes(util::form_get(query, "prompt").value_or(""));
  for (const auto& value : values) {
    if (value == "none") {
      if (values.size() > 1) {
        return Rejection{"invalid_request", "prompt=none cannot be combined with other values"};
      }
      out.prompt_none = true;
    } else if (value == "login" || value == "select_account") {
      out.prompt_login = true;
    } else if (value == "consent") {
      out.prompt_consent = true;
    } else {
      return Rejection{"invalid_request", "prompt must be none, or login, consent and select_account"};
    }
  }
  return std::nullopt;
}

// OIDC Core §3.1.2.1 id_token_hint: an id_token this server issued (signature and issuer
// checked; an expired one is accepted, as the spec asks); its `sub` goes to `hint_sub`.
std::optional<Rejection> read_id_token_hint(const AppContext& context, const util::FormFields& query,
                                            std::string& hint_sub) {
  const auto hint = util::form_get(query, "id_token_hint");
  if (!hint) {
    return std::nullopt;
  }
  const auto jwt = oauth::decode_jwt(*hint);
  if (!jwt || !context.keys.current()->verifier.verify_signature(*jwt) || !jwt->claims.contains("iss") ||
      jwt->claims["iss"] != context.issuer || !jwt->claims.contains("sub") ||
      !jwt->claims["sub"].is_string()) {
    return Rejection{"invalid_request", "id_token_hint is not an id_token of this server"};
  }
  hint_sub = jwt->claims["sub"].get<std::string>();
  return std::nullopt;
}

// Every check after the client and redirect_uri are trusted; an error here goes back to
// the client (RFC 6749 §4.1.2.1). `hint_sub`: the user id_token_hint names, if any.
std::optional<Rejection> validate(const AppContext& context, const RegisteredClient& client,
                                  const util::FormFields& query, PendingAuthorization& out,
                                  std::string& hint_sub) {
  for (const auto& [name, value] : query) {
    if (util::form_count(query, name) > 1) {
      // RFC 6749 §3.1: request parameters must not be included more than once.
      return Rejection{
        "invalid_request",
        fmt::format("parameter {} is repeated",
                    nlohmann::json(name).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))};
    }
  }
  if (auto mode = read_response_mode(query, out)) {
    return mode;
  }
  // OIDC Core §6.1 / §6.2: request objects are not supported (yet), so say so rather than
  // act on the unsigned parameters alone.
  if (util::form_get(query, "request")) {
    return Rejection{"request_not_supported", "request objects are not supported; send plain parameters"};
  }
  if (util::form_get(query, "request_uri")) {
    return Rejection{"request_uri_not_supported", "request_uri is not supported; send plain parameters"};
  }
  const auto response_type = util::form_get(query, "response_type");
  if (!response_type || response_type->empty()) {
    return Rejection{"invalid_request", "response_type is missing"};
  }
  if (*response_type != "code" && *response_type != "token") {
    return Rejection{"unsupported_response_type", "response_type must be code or token"};
  }
  if (!client.spec.allows_grant(grant_of(*response_type))) {
    return Rejection{"unauthorized_client",
                     fmt::format("this client may not use response_type={}", *response_type)};
  }
  auto scopes = pick_user_scopes(client, util::form_get(query, "scope").value_or(""));
  if (!scopes) {
    return Rejection{scopes.error().error, std::move(scopes.error().description)};
  }
  out.scopes = std::move(*scopes);
  if (out.response_type == "code") {
    const auto challenge = util::form_get(query, "code_challenge");
    const auto method = util::form_get(query, "code_challenge_method");
    if (challenge) {
      // RFC 7636 §4.3 makes "plain" the default; our metadata advertises S256 only and
      // RFC 9700 §2.1.1 says plain adds nothing, so the method must say S256.
      if (!method || *method != "S256") {
        return Rejection{"invalid_request", "code_challenge_method must be S256 (plain is not supported)"};
      }
      if (!is_valid_challenge(*challenge)) {
        return Rejection{"invalid_request", "code_challenge is malformed"};
      }
      out.code_challenge = *challenge;
    } else if (method) {
      return Rejection{"invalid_request", "code_challenge_method without code_challenge"};
    } else if (!client.is_confidential() || client.spec.settings("authorization_code").pkce.value_or(false)) {
      // RFC 7636 §4.4.1 and RFC 8252 §8.1: a public client has no secret, so only PKCE
      // ties the code to the app that asked for it.
      return Rejection{"invalid_request",
                       "PKCE is required: send code_challenge with code_challenge_method=S256"};
    }
  }
  if (const auto aud = util::form_get(query, "aud")) {
    // SMART App Launch §2.0.5: aud names the FHIR server the app wants to talk to; a wrong
    // one could leak a token to a server that impersonates it.
    if (strip_slash(*aud) != context.fhir_base && strip_slash(*aud) != context.issuer) {
      return Rejection{"invalid_request", "aud is not this server's FHIR base URL"};
    }
  }
  if (auto prompt = read_prompt(query, out)) {
    return prompt;
  }
  if (auto hint = read_id_token_hint(context, query, hint_sub)) {
    return hint;
  }
  if (const auto max_age = util::form_get(query, "max_age")) {
    std::int64_t seconds = -1;
    const auto [end, error] = std::from_chars(max_age->data(), max_age->data() + max_age->size(), seconds);
    if (max_age->empty() || error != std::errc{} || end != max_age->data() + max_age->size() || seconds < 0) {
      return Rejection{"invalid_request", "max_age must be a non-negative number of seconds"};
    }
    out.max_age = seconds;
  }
  out.nonce = util::form_get(query, "nonce").value_or("");
  out.login_hint = util::form_get(query, "login_hint").value_or("");
  // Accepted and ignored (OIDC Core §3.1.2.1 lets a server ignore them; unknown parameters
  // are ignored too): `launch` (this server offers standalone launch), `ui_locales`,
  // `claims_locales`, `display`, `acr_values`.
  return std::nullopt;
}

} // namespace

ServerResponse handle_authorize(const AppContext& context, const ServerRequest& request) {
  const auto query = util::form_decode(request.query);
  if (!query) {
    return error_page(400, "Invalid request", "The authorization request is malformed.");
  }
  // RFC 6749 §4.1.2.1 and §10.15: until client_id and redirect_uri are known to belong
  // together, never redirect: the user sees the problem, and no open redirector exists.
  const auto client_id = util::form_get(*query, "client_id");
  if (!client_id || util::form_count(*query, "client_id") != 1) {
    return error_page(400, "Invalid request", "The request must name exactly one client_id.");
  }
  // One snapshot for the whole request (LiveDirectory): `client` points into it.
  const auto directory = context.directory.current();
  const auto* client = directory->clients.find(*client_id);
  if (client == nullptr) {
    return error_page(400, "Unknown application", "The application (client_id) is not registered here.");
  }
  const auto redirect_uri = util::form_get(*query, "redirect_uri");
  if (!redirect_uri || util::form_count(*query, "redirect_uri") != 1) {
    return error_page(400, "Invalid request", "The request must carry exactly one redirect_uri.");
  }
  const auto response_type = util::form_get(*query, "response_type").value_or("");
  // RFC 6749 §3.1.2: no fragment; RFC 9700 §4.1.3: exact match, loopback port aside.
  if (redirect_uri->find('#') != std::string::npos ||
      !redirect_uri_allowed(registered_uris(*client, response_type), *redirect_uri)) {
    return error_page(400, "Invalid redirect URI",
                      "The redirect_uri is not registered for this application, so this server will "
                      "not send you there.");
  }
  PendingAuthorization pending;
  pending.client_id = client->spec.id;
  pending.redirect_uri = *redirect_uri;
  pending.response_type = response_type == "token" ? "token" : "code";
  pending.state = util::form_get(*query, "state").value_or("");
  std::string hint_sub;
  if (auto rejection = validate(context, *client, *query, pending, hint_sub)) {
    return redirect_error(context, pending, rejection->error, rejection->description, 302);
  }
  const auto now = context.now();
  auto session_id = read_session_cookie(request.headers).value_or("");
  std::string set_cookie;
  if (!context.auth->session(session_id, now)) {
    session_id = context.auth->create_session(now + k_session_lifetime);
    set_cookie = session_set_cookie(session_id, context.issuer.rfind("https://", 0) == 0);
  }
  pending.session_id = session_id;
  pending.expires_at = now + k_pending_lifetime;
  if (pending.max_age >= 0) {
    // OIDC Core §3.1.2.1: a sign-in older than max_age seconds must be repeated (0: always).
    const auto session = context.auth->session(session_id, now);
    if (session && !session->user_id.empty() &&
        (pending.max_age == 0 || now - session->auth_time > pending.max_age)) {
      pending.prompt_login = true;
    }
  }
  if (!hint_sub.empty()) {
    // OIDC Core §3.1.2.1: the hint names the user the client expects. Another user (or
    // nobody) signed in here means a sign-in as that user: login_required with prompt=none,
    // else the login page, prefilled with the hinted name.
    const auto session = context.auth->session(session_id, now);
    if (!session || session->user_id != hint_sub) {
      pending.prompt_login = true;
      if (pending.login_hint.empty()) {
        pending.login_hint = hint_sub;
      }
    }
  }
  auto snapshot = pending;
  const auto pending_id = context.auth->add_pending(std::move(pending));
  auto response = continue_authorization(context, *directory, pending_id, snapshot, session_id, 302);
  if (!set_cookie.empty()) {
    response.headers.set("Set-Cookie", set_cookie);
  }
  return response;
}

} // namespace oauthctl::server
