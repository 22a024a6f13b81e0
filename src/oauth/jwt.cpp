// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/util/base64url.hpp>

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <utility>

namespace oauthctl::oauth {

namespace {

constexpr std::array<std::pair<JwsAlg, std::string_view>, 5> k_algs{{
  {JwsAlg::rs256, "RS256"},
  {JwsAlg::rs384, "RS384"},
  {JwsAlg::rs512, "RS512"},
  {JwsAlg::es256, "ES256"},
  {JwsAlg::es384, "ES384"},
}};

util::Result<nlohmann::json> decode_object(std::string_view part, std::string_view what) {
  const auto bytes = util::base64url_decode(part);
  if (!bytes) {
    return util::fail(util::ErrorKind::bad_response, fmt::format("JWT {} is not base64url", what));
  }
  auto value = nlohmann::json::parse(*bytes, nullptr, false);
  if (value.is_discarded() || !value.is_object()) {
    return util::fail(util::ErrorKind::bad_response, fmt::format("JWT {} is not a JSON object", what));
  }
  return value;
}

// A NumericDate (RFC 7519 §2): a JSON number of seconds, possibly non-integer. Numbers
// beyond ±2^40 seconds (some 35,000 years) are not dates: refusing them keeps the cast and
// the leeway arithmetic of check_claims from overflowing.
std::optional<std::int64_t> numeric_date(const nlohmann::json& claims, const char* name) {
  constexpr std::int64_t k_limit = std::int64_t{1} << 40;
  const auto it = claims.find(name);
  if (it == claims.end() || !it->is_number()) {
    return std::nullopt;
  }
  if (it->is_number_float()) {
    const auto value = it->get<double>();
    if (!(value >= -double(k_limit) && value <= double(k_limit))) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(value);
  }
  if (it->is_number_unsigned()) {
    const auto value = it->get<std::uint64_t>();
    return value <= std::uint64_t(k_limit) ? std::optional<std::int64_t>(std::int64_t(value)) : std::nullopt;
  }
  const auto value = it->get<std::int64_t>();
  return value >= -k_limit && value <= k_limit ? std::optional<std::int64_t>(value) : std::nullopt;
}

} // namespace

util::Result<Jwt> decode_jwt(std::string_view token) {
  if (token.size() > k_max_jwt_length) {
    return util::fail(util::ErrorKind::bad_response, "JWT is too long");
  }
  // RFC 7515 §7.1: exactly three parts; five parts would be a JWE, which we do not accept.
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return util::fail(util::ErrorKind::bad_response, "JWT must have exactly three dot-separated parts");
  }
  Jwt jwt;
  auto header = decode_object(token.substr(0, first), "header");
  if (!header) {
    return tl::unexpected(header.error());
  }
  auto claims = decode_object(token.substr(first + 1, second - first - 1), "payload");
  if (!claims) {
    return tl::unexpected(claims.error());
  }
  auto signature = util::base64url_decode(token.substr(second + 1));
  if (!signature) {
    return util::fail(util::ErrorKind::bad_response, "JWT signature is not base64url");
  }
  jwt.header = std::move(*header);
  jwt.claims = std::move(*claims);
  jwt.signing_input = std::string(token.substr(0, second));
  jwt.signature = std::move(*signature);
  return jwt;
}

std::string_view to_string(JwsAlg alg) {
  for (const auto& [value, name] : k_algs) {
    if (value == alg) {
      return name;
    }
  }
  return "unknown";
}

std::optional<JwsAlg> parse_jws_alg(std::string_view name) {
  for (const auto& [value, text] : k_algs) {
    if (text == name) {
      return value;
    }
  }
  return std::nullopt;
}

bool is_ec_alg(JwsAlg alg) {
  return alg == JwsAlg::es256 || alg == JwsAlg::es384;
}

util::Result<void> check_claims(const nlohmann::json& claims, const ClaimChecks& checks) {
  const auto exp = numeric_date(claims, "exp");
  if (!exp && (checks.require_exp || claims.contains("exp"))) {
    return util::fail(util::ErrorKind::bad_response, "token has no valid exp claim");
  }
  // RFC 7519 §4.1.4: the token must not be accepted on or after its expiration time.
  if (exp && checks.now >= *exp + checks.leeway) {
    return util::fail(util::ErrorKind::bad_response, "token has expired");
  }
  if (claims.contains("nbf")) {
    const auto nbf = numeric_date(claims, "nbf");
    if (!nbf || checks.now + checks.leeway < *nbf) {
      return util::fail(util::ErrorKind::bad_response, "token is not valid yet (nbf)");
    }
  }
  if (!checks.issuer.empty()) {
    const auto it = claims.find("iss");
    if (it == claims.end() || !it->is_string() || it->get_ref<const std::string&>() != checks.issuer) {
      return util::fail(util::ErrorKind::bad_response, "token was issued by another issuer");
    }
  }
  if (!checks.audiences.empty()) {
    // RFC 7519 §4.1.3: aud is a string or an array of strings; one match is enough.
    const auto it = claims.find("aud");
    bool matched = false;
    const auto matches = [&](const nlohmann::json& value) {
      if (!value.is_string()) {
        return false;
      }
      for (const auto& audience : checks.audiences) {
        if (value.get_ref<const std::string&>() == audience) {
          return true;
        }
      }
      return false;
    };
    if (it != claims.end()) {
      if (it->is_array()) {
        for (const auto& item : *it) {
          matched = matched || matches(item);
        }
      } else {
        matched = matches(*it);
      }
    }
    if (!matched) {
      return util::fail(util::ErrorKind::bad_response, "token audience does not include this server");
    }
  }
  return {};
}

} // namespace oauthctl::oauth
