// SPDX-License-Identifier: MIT
#include <oauthctl/http/url.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace oauthctl::http {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// RFC 3986 §3.2.2 reg-name, narrowed to what DNS names and IPv4 literals use: no
// percent-encoding or sub-delims, so a host can never smuggle a path or userinfo.
bool is_host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_' || c == '~';
}

bool is_ipv6_char(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.';
}

int default_port(std::string_view scheme) {
  return scheme == "https" ? 443 : 80;
}

bool is_ipv4_loopback(std::string_view host) {
  // 127.0.0.0/8 written as a dotted quad.
  if (host.substr(0, 4) != "127.") {
    return false;
  }
  int parts = 0;
  std::size_t pos = 0;
  while (pos <= host.size()) {
    const auto dot = std::min(host.find('.', pos), host.size());
    const auto part = host.substr(pos, dot - pos);
    int value = 0;
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || part.size() > 3 || ec != std::errc{} || end != part.data() + part.size() ||
        value > 255) {
      return false;
    }
    ++parts;
    pos = dot + 1;
  }
  return parts == 4;
}

} // namespace

std::string Url::origin() const {
  const auto shown_host = host.find(':') != std::string::npos ? fmt::format("[{}]", host) : host;
  if (port == default_port(scheme)) {
    return fmt::format("{}://{}", scheme, shown_host);
  }
  return fmt::format("{}://{}:{}", scheme, shown_host, port);
}

bool Url::is_loopback() const {
  return host == "localhost" || host == "::1" || is_ipv4_loopback(host);
}

std::optional<Url> parse_url(std::string_view text) {
  // Spaces, control characters and backslashes are rejected outright: browsers and
  // libraries disagree on how to repair them, which is how URL confusion attacks start.
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F || c == '\\') {
      return std::nullopt;
    }
  }
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) {
    return std::nullopt;
  }
  Url url;
  url.scheme = lower(text.substr(0, scheme_end));
  if (url.scheme != "http" && url.scheme != "https") {
    return std::nullopt;
  }
  auto rest = text.substr(scheme_end + 3);
  const auto authority_end = std::min(rest.find_first_of("/?#"), rest.size());
  auto authority = rest.substr(0, authority_end);
  rest = rest.substr(authority_end);

  // RFC 3986 §3.2.1 userinfo: deprecated for http(s) and a classic phishing vector.
  if (authority.find('@') != std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos || close == 1) {
      return std::nullopt;
    }
    const auto host = authority.substr(1, close - 1);
    if (!std::all_of(host.begin(), host.end(), is_ipv6_char) || host.find(':') == std::string_view::npos) {
      return std::nullopt;
    }
    url.host = lower(host);
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return std::nullopt;
      }
      has_port = true;
      port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.find(':');
    const auto host = authority.substr(0, colon);
    if (host.empty() || !std::all_of(host.begin(), host.end(), is_host_char)) {
      return std::nullopt;
    }
    url.host = lower(host);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
  }
  if (has_port) {
    int port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || port_text.size() > 5 || ec != std::errc{} ||
        end != port_text.data() + port_text.size() || port < 1 || port > 65535) {
      return std::nullopt;
    }
    url.port = port;
  } else {
    url.port = default_port(url.scheme);
  }

  const auto hash = rest.find('#');
  if (hash != std::string_view::npos) {
    url.fragment = std::string(rest.substr(hash + 1));
    rest = rest.substr(0, hash);
  }
  const auto question = rest.find('?');
  if (question != std::string_view::npos) {
    url.query = std::string(rest.substr(question + 1));
    rest = rest.substr(0, question);
  }
  url.path = rest.empty() ? "/" : std::string(rest);
  return url;
}

std::string join_url(std::string_view base, std::string_view path) {
  while (!base.empty() && base.back() == '/') {
    base.remove_suffix(1);
  }
  while (!path.empty() && path.front() == '/') {
    path.remove_prefix(1);
  }
  return fmt::format("{}/{}", base, path);
}

} // namespace oauthctl::http
