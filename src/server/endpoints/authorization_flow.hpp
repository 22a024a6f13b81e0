// SPDX-License-Identifier: MIT
#pragma once

#include "server/app.hpp"
#include "server/auth/consent_rules.hpp"
#include "server/exchange.hpp"

#include <oauthctl/util/form.hpp>

#include <tl/expected.hpp>

#include <string>
#include <string_view>

namespace oauthctl::server {

// How long a pending authorization request waits for login and consent, in seconds.
inline constexpr std::int64_t k_pending_lifetime = 600;
// How long an authorization code is valid, in seconds (RFC 6749 §4.1.2: short).
inline constexpr std::int64_t k_code_lifetime = 60;

// A redirect to `location` with `status` (302 after a GET, 303 after a form post).
ServerResponse redirect_to(std::string location, int status);

// Sends the authorization response `params` back to the client of `request` as its
// response mode says: in the redirect URI's query (default for `code`), its fragment
// (default for `token`), or as an auto-submitting form post (response_mode=form_post).
ServerResponse deliver_to_client(const PendingAuthorization& request, const util::FormFields& params,
                                 int status);

// The authorization error response (RFC 6749 §4.1.2.1 / §4.2.2.1) for `request`:
// `error`, `error_description`, `state` and `iss` (RFC 9207), delivered as above.
ServerResponse redirect_error(const AppContext& context, const PendingAuthorization& request,
                              std::string_view error, std::string_view description, int status);

// Whether the user has just answered the consent page for this request.
enum class ConsentStep { not_yet, given };

// Whether user `user_id` must answer the consent page for `request`, and for which scopes
// (consent_rules.hpp; what the user allowed before is the store's consent record).
ConsentQuestion consent_question(const AppContext& context, const Directory& directory,
                                 const PendingAuthorization& request, const std::string& user_id);

// Takes a pending request one step further for the browser of `session_id`: to the login
// page when no user is signed in (or `prompt=login` or max_age wants a fresh login), to
// the consent page when consent_question asks (a scope the user has not allowed this
// client, `prompt=consent`, the implicit grant); else it
// answers the client: a code (RFC 6749 §4.1.2) or a token (§4.2.2), with `state` and
// `iss`. With `prompt=none` a page that would be shown is an error instead (OIDC Core
// §3.1.2.6): login_required for the login page; consent_required for the consent page when
// consent on record would have spared it; interaction_required for the implicit grant's
// page, which asks about every request and so can never be skipped.
ServerResponse continue_authorization(const AppContext& context, const Directory& directory,
                                      const std::string& pending_id, const PendingAuthorization& request,
                                      const std::string& session_id, int status,
                                      ConsentStep consent = ConsentStep::not_yet);

// The fields of a login UI form post, or the error page (non-form body, repeated field).
tl::expected<util::FormFields, ServerResponse> read_ui_form(const ServerRequest& request);

// What a login UI form post is about, once its session and CSRF token were checked.
struct UiPost {
  util::FormFields fields;
  std::string pending_id;
  PendingAuthorization pending;
  std::string session_id;
  Session session;
};

// Checks a login UI request: the pending request named by `request` (a query parameter
// for GET, a form field for POST) exists, belongs to this browser's session, and, for
// POST, `csrf_token` equals the session's (constant-time, RFC 6749 §10.12). The error page
// otherwise: 400 for an unknown or expired request or a missing session, 403 for CSRF.
tl::expected<UiPost, ServerResponse> read_ui_request(const AppContext& context, const ServerRequest& request);

} // namespace oauthctl::server
