// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace oauthctl::http {

// The parts of an absolute http(s) URL that OAuth cares about.
struct Url {
  std::string scheme; // "http" or "https", lowercase
  std::string host;   // lowercase; IPv6 literals without brackets
  int port = 0;       // explicit or the scheme's default
  std::string path;   // "/" when empty
  std::string query;  // without '?'
  std::string fragment;

  // scheme://host[:port] with the port only when it is not the default.
  [[nodiscard]] std::string origin() const;
  // True for 127.0.0.0/8, ::1 and "localhost" (RFC 8252 §7.3 and §8.3).
  [[nodiscard]] bool is_loopback() const;
};

// Parses an absolute http or https URL; nullopt for anything else (no userinfo allowed,
// port 1..65535, no spaces or control characters).
std::optional<Url> parse_url(std::string_view text);

// `base` with `path` appended, exactly one '/' between them.
std::string join_url(std::string_view base, std::string_view path);

} // namespace oauthctl::http
