// SPDX-License-Identifier: MIT
#include "server/auth/browser_session.hpp"

#include <oauthctl/util/crypto.hpp>

#include <fmt/format.h>

namespace oauthctl::server {

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

} // namespace

bool form_csrf_matches(const util::FormFields& fields, const std::string& session_csrf_token) {
  const auto csrf = util::form_get(fields, "csrf_token").value_or("");
  return !csrf.empty() && util::constant_time_equal(csrf, session_csrf_token);
}

std::optional<std::string> read_session_cookie(const http::Headers& headers) {
  for (const auto& [name, value] : headers.fields()) {
    if (!http::iequals(name, "Cookie")) {
      continue;
    }
    // RFC 6265 §5.4: "name=value; name=value".
    std::string_view rest = value;
    while (!rest.empty()) {
      const auto semicolon = rest.find(';');
      const auto pair = trim(rest.substr(0, semicolon));
      rest = semicolon == std::string_view::npos ? std::string_view{} : rest.substr(semicolon + 1);
      const auto equals = pair.find('=');
      if (equals != std::string_view::npos && pair.substr(0, equals) == k_session_cookie) {
        return std::string(pair.substr(equals + 1));
      }
    }
  }
  return std::nullopt;
}

std::string session_set_cookie(std::string_view id, bool secure) {
  // HttpOnly: no script can read it. SameSite=Lax: sent on the top-level navigation that
  // brings the user from the client to /auth/authorize, never on cross-site posts, which
  // adds a second CSRF barrier to the form tokens (RFC 6749 §10.12).
  return fmt::format("{}={}; Path=/; HttpOnly; SameSite=Lax{}", k_session_cookie, id,
                     secure ? "; Secure" : "");
}

std::string guess_source(std::string_view address, std::string_view session_id) {
  // '#' and hex digits: the key stays free of the '|' that address_key puts before the name.
  return fmt::format("{}#{}", address, util::to_hex(util::sha256(session_id)).substr(0, 16));
}

} // namespace oauthctl::server
