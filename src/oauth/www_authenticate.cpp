// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/www_authenticate.hpp>

#include <algorithm>
#include <cctype>

namespace oauthctl::oauth {

namespace {

// RFC 9110 §5.6.2 tchar.
bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

void skip_spaces(std::string_view& text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
}

std::string take_token(std::string_view& text) {
  std::size_t n = 0;
  while (n < text.size() && is_token_char(text[n])) {
    ++n;
  }
  std::string out(text.substr(0, n));
  text.remove_prefix(n);
  return out;
}

} // namespace

std::optional<Challenge> parse_www_authenticate(std::string_view value) {
  skip_spaces(value);
  Challenge challenge;
  challenge.scheme = take_token(value);
  if (challenge.scheme.empty()) {
    return std::nullopt;
  }
  // auth-param = token BWS "=" BWS ( token / quoted-string ), separated by commas (§11.2).
  while (true) {
    skip_spaces(value);
    while (!value.empty() && value.front() == ',') {
      value.remove_prefix(1);
      skip_spaces(value);
    }
    auto name = take_token(value);
    skip_spaces(value);
    if (name.empty() || value.empty() || value.front() != '=') {
      break;
    }
    value.remove_prefix(1);
    skip_spaces(value);
    std::string param;
    if (!value.empty() && value.front() == '"') {
      value.remove_prefix(1);
      bool closed = false;
      while (!value.empty()) {
        const char c = value.front();
        value.remove_prefix(1);
        if (c == '\\' && !value.empty()) {
          param += value.front();
          value.remove_prefix(1);
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          param += c;
        }
      }
      if (!closed) {
        break;
      }
    } else {
      param = take_token(value);
    }
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    challenge.params.emplace(std::move(name), std::move(param));
  }
  return challenge;
}

} // namespace oauthctl::oauth
