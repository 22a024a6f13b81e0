// SPDX-License-Identifier: MIT
#include "cli/profile_validation.hpp"

#include "cli/parse_errors.hpp"
#include "cli/profile.hpp"

#include <oauthctl/http/url.hpp>
#include <oauthctl/oauth/grant_type.hpp>
#include <oauthctl/oauth/jwt.hpp>

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>

namespace oauthctl::cli {

namespace {

using util::ErrorKind;

bool is_seconds(const std::string& text) {
  double seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  return ec == std::errc{} && end == text.data() + text.size() && std::isfinite(seconds) && seconds > 0 &&
         seconds <= 86'400;
}

// "valid: a, b, c" plus "did you mean" when `value` is a near miss of one of them.
template<std::size_t N>
std::string choices(const std::string& value, const std::array<std::string, N>& valid) {
  std::string list;
  for (const auto& v : valid) {
    list += (list.empty() ? "" : ", ") + v;
  }
  const auto guess = nearest(value, valid);
  return fmt::format("valid: {}{}", list, guess.empty() ? "" : fmt::format("; did you mean {}?", guess));
}

} // namespace

util::Result<void> validate_profile_value(const std::string& key, const std::string& value) {
  const auto bad = [&](const std::string& why) {
    return util::fail(ErrorKind::config, fmt::format("{} {}: {}", key, value.empty() ? "\"\"" : value, why));
  };
  if (key == "server" || key == "token_url" || key == "fhir_url" || key == "authorize_url" ||
      key == "redirect_uri" || key == "issuer") {
    if (!http::parse_url(value)) {
      const bool schemeless = value.find("://") == std::string::npos && !value.empty();
      return bad(schemeless ? fmt::format("not an http(s) URL (write http://{})", value)
                            : std::string("not an http(s) URL"));
    }
  } else if (key == "auth_method") {
    if (!oauth::parse_auth_method(value)) {
      return bad(choices(value, std::array<std::string, 6>{"client_secret_basic", "client_secret_post",
                                                           "private_key_jwt", "none", "tls_client_auth",
                                                           "self_signed_tls_client_auth"}));
    }
  } else if (key == "pkce") {
    if (value != "S256" && value != "s256" && value != "plain" && value != "none") {
      return bad(choices(value, std::array<std::string, 3>{"S256", "plain", "none"}));
    }
  } else if (key == "alg") {
    const auto alg = oauth::parse_jws_alg(value);
    if (!alg || *alg == oauth::JwsAlg::rs512) {
      return bad(choices(value, std::array<std::string, 4>{"RS256", "RS384", "ES256", "ES384"}));
    }
  } else if (key == "timeout" || key == "redirect_timeout") {
    if (!is_seconds(value)) {
      return bad("expected seconds between 0 and 86400");
    }
  } else if (key == "client_secret_command") {
    if (auto argv = split_command(value); !argv) {
      return bad(argv.error().message);
    }
  } else if (key != "description" && key != "login_hint" && value.empty()) {
    return bad("empty (use `oauthctl config unset " + key + "` to remove it)");
  }
  return {};
}

} // namespace oauthctl::cli
