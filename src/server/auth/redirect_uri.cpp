// SPDX-License-Identifier: MIT
#include "server/auth/redirect_uri.hpp"

#include <optional>

namespace oauthctl::server {

namespace {

struct SplitUri {
  std::string_view scheme_and_host; // "http://127.0.0.1"
  std::string_view port;            // digits, possibly empty
  std::string_view rest;            // path, query (from the first '/', '?' or '#')
};

// Splits "http://host[:port]rest"; nullopt for anything else (userinfo included).
std::optional<SplitUri> split_http(std::string_view uri) {
  constexpr std::string_view k_scheme = "http://";
  if (uri.substr(0, k_scheme.size()) != k_scheme) {
    return std::nullopt;
  }
  const auto authority_end = uri.find_first_of("/?#", k_scheme.size());
  const auto authority = uri.substr(k_scheme.size(), authority_end - k_scheme.size());
  if (authority.find('@') != std::string_view::npos) {
    return std::nullopt;
  }
  std::size_t host_end = authority.size();
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    host_end = close + 1;
  } else if (const auto colon = authority.find(':'); colon != std::string_view::npos) {
    host_end = colon;
  }
  SplitUri out;
  out.scheme_and_host = uri.substr(0, k_scheme.size() + host_end);
  if (host_end < authority.size()) {
    if (authority[host_end] != ':') {
      return std::nullopt;
    }
    out.port = authority.substr(host_end + 1);
    for (const char c : out.port) {
      if (c < '0' || c > '9') {
        return std::nullopt;
      }
    }
    if (out.port.size() > 5) {
      return std::nullopt;
    }
  }
  out.rest = authority_end == std::string_view::npos ? std::string_view{} : uri.substr(authority_end);
  return out;
}

bool is_loopback(std::string_view scheme_and_host) {
  return scheme_and_host == "http://127.0.0.1" || scheme_and_host == "http://[::1]" ||
         scheme_and_host == "http://localhost";
}

} // namespace

bool redirect_uri_matches(std::string_view registered, std::string_view presented) {
  if (registered == presented) {
    return true;
  }
  // RFC 8252 §7.3: a native app's loopback listener gets its port from the OS at run
  // time, so for loopback redirect URIs only the port may differ; scheme, host, path and
  // query must still be identical (RFC 9700 §4.1.3: no other pattern matching).
  const auto want = split_http(registered);
  const auto got = split_http(presented);
  return want && got && is_loopback(want->scheme_and_host) && want->scheme_and_host == got->scheme_and_host &&
         want->rest == got->rest;
}

bool redirect_uri_allowed(const std::vector<std::string>& registered, std::string_view presented) {
  for (const auto& uri : registered) {
    if (redirect_uri_matches(uri, presented)) {
      return true;
    }
  }
  return false;
}

std::string uri_origin(std::string_view uri) {
  const auto scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) {
    return {};
  }
  const auto authority_end = uri.find_first_of("/?#", scheme_end + 3);
  const auto origin = uri.substr(0, authority_end);
  for (const char c : origin) {
    // Keep the CSP header well-formed whatever the registration holds.
    if (static_cast<unsigned char>(c) <= 0x20 || c == ';' || c == ',' || c == '\'' || c == 0x7f) {
      return {};
    }
  }
  return std::string(origin);
}

std::string append_to_uri(std::string_view uri, std::string_view encoded_params, bool in_fragment) {
  std::string out(uri);
  if (in_fragment) {
    out += '#';
  } else {
    out += uri.find('?') == std::string_view::npos ? '?' : '&';
  }
  out += encoded_params;
  return out;
}

} // namespace oauthctl::server
