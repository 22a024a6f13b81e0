// SPDX-License-Identifier: MIT
#pragma once

#include "server/app.hpp"
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

// The authorization error response (RFC 6749 §4.1.2.1 / §4.2.2.1) for `request`:
// a redirect to its redirect_uri carrying `error`, `error_description`, `state` and `iss`
// (RFC 9207), in the query for `code` and in the fragment for `token`.
ServerResponse redirect_error(const AppContext& context, const PendingAuthorization& request,
                              std::string_view error, std::string_view description, int status);

// Takes a pending request one step further for the browser of `session_id`: to the login
// page when no user is signed in (or `prompt=login` wants a fresh login), to the consent
// page when the client is not first-party and the user has not allowed it in this
// session, else it answers the client: a code (RFC 6749 §4.1.2) or a token in the
// fragment (§4.2.2), with `state` and `iss`.
ServerResponse continue_authorization(const AppContext& context, const std::string& pending_id,
                                      const PendingAuthorization& request, const std::string& session_id,
                                      int status);

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
