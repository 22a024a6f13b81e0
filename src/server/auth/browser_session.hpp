// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/http/message.hpp>
#include <oauthctl/util/form.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace oauthctl::server {

// The name of the login UI's session cookie.
inline constexpr std::string_view k_session_cookie = "oauthctl_session";

// How long a login session lives on the server, in seconds.
inline constexpr std::int64_t k_session_lifetime = 8 * 3600;

// The value of the session cookie in the request's Cookie headers, if any.
std::optional<std::string> read_session_cookie(const http::Headers& headers);

// Whether a posted form carries the session's CSRF token (its `csrf_token` field, compared
// in constant time; RFC 6749 §10.12). Every browser form of the server checks it so.
bool form_csrf_matches(const util::FormFields& fields, const std::string& session_csrf_token);

// The Set-Cookie value for session `id`: HttpOnly, SameSite=Lax, Path=/, and Secure when
// `secure` (the issuer is https).
std::string session_set_cookie(std::string_view id, bool secure);

// Where a password guess comes from, for the login backoff's strict key (AuthState::
// login_wait's `address`): the client address and the browser session, "192.0.2.7#<hash>",
// so one session's failures slow that session only and the user's own browser, even behind
// the same address, signs in at once (issue: throttling nobody can turn against a user).
// Fresh sessions are free to make, so a guesser changing session per guess meets the softer
// per-username limit instead, exactly as one changing address does. The session id itself
// never goes into the store's keys: 64 bits of its SHA-256 are enough to keep sessions apart.
std::string guess_source(std::string_view address, std::string_view session_id);

} // namespace oauthctl::server
