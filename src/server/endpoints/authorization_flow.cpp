// SPDX-License-Identifier: MIT
#include "server/endpoints/authorization_flow.hpp"

#include "server/auth/browser_session.hpp"
#include "server/auth/form_post_page.hpp"
#include "server/auth/login_pages.hpp"
#include "server/auth/redirect_uri.hpp"
#include "server/endpoints/user_tokens.hpp"

#include <oauthctl/oauth/smart_scope.hpp>
#include <oauthctl/util/crypto.hpp>

#include <unordered_set>

namespace oauthctl::server {

namespace {

ServerResponse answer_client(const AppContext& context, const Directory& directory,
                             const std::string& pending_id, const PendingAuthorization& request,
                             const Session& session, int status) {
  const auto* client = directory.clients.find(request.client_id);
  const auto* user = directory.users.find(session.user_id);
  if (client == nullptr || user == nullptr) {
    return error_page(400, "Sign-in failed", "The application or the user is no longer known.");
  }
  context.auth->drop_pending(pending_id);
  util::FormFields params;
  if (request.response_type == "code") {
    CodeGrant grant{
      request.client_id, request.redirect_uri, request.code_challenge, request.nonce,
      session.user_id,   request.scopes,       session.auth_time,      context.now() + k_code_lifetime};
    params.emplace_back("code", context.auth->issue_code(std::move(grant)));
  } else {
    // RFC 6749 §4.2.2: the implicit grant answers with the access token in the fragment,
    // and never with a refresh token (§4.2.2, RFC 9700 §2.1.2 deprecates the grant).
    auto tokens = issue_user_tokens(
      context, {*client, *user, request.scopes, session.auth_time, request.nonce, "implicit"},
      WithIdToken::no);
    if (!tokens) {
      return redirect_error(context, request, "server_error", "the token could not be signed", status);
    }
    params.emplace_back("access_token", tokens->access_token);
    params.emplace_back("token_type", "Bearer");
    params.emplace_back("expires_in", std::to_string(tokens->expires_in));
    params.emplace_back("scope", oauth::join_scopes(request.scopes));
    if (!tokens->patient.empty()) {
      params.emplace_back("patient", tokens->patient);
    }
  }
  if (!request.state.empty()) {
    params.emplace_back("state", request.state);
  }
  // RFC 9207 §2: `iss` lets the client detect a mix-up between authorization servers.
  params.emplace_back("iss", context.issuer);
  return deliver_to_client(request, params, status);
}

} // namespace

ServerResponse redirect_to(std::string location, int status) {
  ServerResponse response;
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.headers.set("Location", std::move(location));
  response.headers.set("Cache-Control", "no-store");
  response.headers.set("Referrer-Policy", "no-referrer");
  return response;
}

ServerResponse redirect_error(const AppContext& context, const PendingAuthorization& request,
                              std::string_view error, std::string_view description, int status) {
  util::FormFields params{{"error", std::string(error)}};
  if (!description.empty()) {
    params.emplace_back("error_description", std::string(description));
  }
  if (!request.state.empty()) {
    params.emplace_back("state", request.state);
  }
  params.emplace_back("iss", context.issuer);
  return deliver_to_client(request, params, status);
}

ServerResponse deliver_to_client(const PendingAuthorization& request, const util::FormFields& params,
                                 int status) {
  if (request.response_mode == "form_post") {
    return form_post_page(request.redirect_uri, params);
  }
  const bool in_fragment = request.response_mode == "fragment" ||
                           (request.response_mode.empty() && request.response_type == "token");
  return redirect_to(append_to_uri(request.redirect_uri, util::form_encode(params), in_fragment), status);
}

ConsentQuestion consent_question(const AppContext& context, const Directory& directory,
                                 const PendingAuthorization& request, const std::string& user_id) {
  const auto* client = directory.clients.find(request.client_id);
  return decide_consent({client != nullptr && client->spec.first_party, request.response_type == "token",
                         request.prompt_consent, request.scopes,
                         context.auth->consented_scopes(user_id, request.client_id, context.now())});
}

ServerResponse continue_authorization(const AppContext& context, const Directory& directory,
                                      const std::string& pending_id, const PendingAuthorization& request,
                                      const std::string& session_id, int status, ConsentStep consent) {
  const auto session = context.auth->session(session_id, context.now());
  if (!session || session->user_id.empty() || request.prompt_login) {
    if (request.prompt_none) {
      context.auth->drop_pending(pending_id);
      return redirect_error(context, request, "login_required", "the user is not signed in", status);
    }
    return redirect_to("/auth/login?request=" + util::percent_encode(pending_id), status);
  }
  if (consent != ConsentStep::given && consent_question(context, directory, request, session->user_id).ask) {
    if (request.prompt_none) {
      context.auth->drop_pending(pending_id);
      if (request.response_type == "token") {
        // The implicit grant's page is a confirmation of this one request (RFC 9700
        // §2.1.2), which no consent on record spares: consent_required would send the
        // client to get consent and come back silently, and fail again. OIDC Core
        // §3.1.2.6: interaction_required, the request cannot complete without a page.
        return redirect_error(context, request, "interaction_required",
                              "the implicit grant needs the user to confirm every request", status);
      }
      return redirect_error(context, request, "consent_required", "the user has not allowed this request",
                            status);
    }
    return redirect_to("/auth/grant?request=" + util::percent_encode(pending_id), status);
  }
  return answer_client(context, directory, pending_id, request, *session, status);
}

tl::expected<util::FormFields, ServerResponse> read_ui_form(const ServerRequest& request) {
  if (media_type(request.headers.get("Content-Type").value_or("")) != "application/x-www-form-urlencoded" ||
      request.body.size() > 16 * 1024) {
    return tl::unexpected(error_page(400, "Bad request", "The form was not sent as a web form."));
  }
  auto fields = util::form_decode(request.body);
  if (!fields) {
    return tl::unexpected(error_page(400, "Bad request", "The form data is malformed."));
  }
  std::unordered_set<std::string_view> seen;
  for (const auto& [name, value] : *fields) {
    if (!seen.insert(name).second) {
      return tl::unexpected(error_page(400, "Bad request", "A form field was sent twice."));
    }
  }
  return std::move(*fields);
}

tl::expected<UiPost, ServerResponse> read_ui_request(const AppContext& context,
                                                     const ServerRequest& request) {
  UiPost out;
  if (request.method == "POST") {
    auto fields = read_ui_form(request);
    if (!fields) {
      return tl::unexpected(std::move(fields.error()));
    }
    out.fields = std::move(*fields);
  } else {
    auto fields = util::form_decode(request.query);
    if (!fields) {
      return tl::unexpected(error_page(400, "Bad request", "The address is malformed."));
    }
    out.fields = std::move(*fields);
  }
  out.pending_id = util::form_get(out.fields, "request").value_or("");
  const auto now = context.now();
  auto pending = context.auth->pending(out.pending_id, now);
  if (!pending) {
    return tl::unexpected(error_page(400, "Sign-in expired",
                                     "This sign-in request is unknown or has expired. "
                                     "Go back to the application and start again."));
  }
  out.pending = std::move(*pending);
  out.session_id = read_session_cookie(request.headers).value_or("");
  auto session = context.auth->session(out.session_id, now);
  // The pending request is bound to the browser session that made it, so a sign-in link
  // passed to someone else (login CSRF, RFC 6749 §10.12) leads nowhere.
  if (!session || !util::constant_time_equal(out.session_id, out.pending.session_id)) {
    return tl::unexpected(error_page(400, "Sign-in expired",
                                     "This browser has no session for this sign-in request (are cookies "
                                     "enabled?). Go back to the application and start again."));
  }
  out.session = std::move(*session);
  if (request.method == "POST") {
    if (!form_csrf_matches(out.fields, out.session.csrf_token)) {
      return tl::unexpected(error_page(403, "Forbidden",
                                       "The form could not be verified (missing or wrong CSRF token). "
                                       "Reload the page and try again."));
    }
  }
  return out;
}

} // namespace oauthctl::server
