// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/http/message.hpp>

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

// The Set-Cookie value for session `id`: HttpOnly, SameSite=Lax, Path=/, and Secure when
// `secure` (the issuer is https).
std::string session_set_cookie(std::string_view id, bool secure);

} // namespace oauthctl::server
