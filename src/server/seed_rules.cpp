// SPDX-License-Identifier: MIT
#include "server/seed_rules.hpp"

#include <oauthctl/http/url.hpp>
#include <oauthctl/oauth/grant_type.hpp>
#include <oauthctl/util/text.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <vector>

namespace oauthctl::server {

namespace {

using namespace std::string_view_literals;

// The last seven: mutual TLS client metadata (RFC 7591 §2, RFC 8705 §2.1.2 and §3.4).
constexpr std::array k_client_read{"resourceType"sv,
                                   "id"sv,
                                   "secret"sv,
                                   "grant_types"sv,
                                   "first_party"sv,
                                   "scope"sv,
                                   "jwks"sv,
                                   "jwks_uri"sv,
                                   "auth"sv,
                                   "simulate"sv,
                                   "token_endpoint_auth_method"sv,
                                   "tls_client_auth_subject_dn"sv,
                                   "tls_client_auth_san_dns"sv,
                                   "tls_client_auth_san_uri"sv,
                                   "tls_client_auth_san_ip"sv,
                                   "tls_client_auth_san_email"sv,
                                   "tls_client_certificate_bound_access_tokens"sv};
constexpr std::array k_client_ignored{
  "meta"sv, "description"sv, "details"sv, "trusted"sv, "allowed-origins"sv, "smart"sv, "type"sv, "active"sv};
constexpr std::array k_grant_read{"redirect_uri"sv,
                                  "token_format"sv,
                                  "access_token_expiration"sv,
                                  "refresh_token"sv,
                                  "refresh_token_expiration"sv,
                                  "secret_required"sv,
                                  "pkce"sv,
                                  "audience"sv};
// Aidbox lists how a client may authenticate; here a Client with keys may use
// private_key_jwt and one with a secret the secret methods.
constexpr std::array k_grant_ignored{"client_assertion_types"sv};
constexpr std::array k_user_read{"resourceType"sv, "id"sv, "password"sv, "email"sv, "name"sv, "fhirUser"sv};
constexpr std::array k_user_ignored{"meta"sv,         "data"sv,        "active"sv,     "userName"sv,
                                    "photo"sv,        "phoneNumber"sv, "identifier"sv, "gender"sv,
                                    "organization"sv, "link"sv,        "roles"sv};
constexpr std::array k_introspector_read{"resourceType"sv,  "id"sv,          "type"sv,  "jwt"sv,
                                         "jwks_uri"sv,      "jwks_file"sv,   "jwks"sv,  "audience"sv,
                                         "subject_claim"sv, "scope_claim"sv, "scope"sv, "leeway"sv,
                                         "subjects"sv};
constexpr std::array k_introspector_ignored{"meta"sv, "description"sv};

// Every grant name a Client may list: the served ones, Aidbox's `code` and `basic`.
constexpr std::array k_grant_names{
  "authorization_code"sv, "code"sv,           "implicit"sv,    "client_credentials"sv, "password"sv,
  "refresh_token"sv,      "token_exchange"sv, "device_code"sv, "jwt_bearer"sv,         "basic"sv};

bool contains(std::span<const std::string_view> list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

std::string did_you_mean(std::string_view word, std::span<const std::string_view> a,
                         std::span<const std::string_view> b = {}) {
  std::vector<std::string> candidates(a.begin(), a.end());
  candidates.insert(candidates.end(), b.begin(), b.end());
  const auto guess = util::nearest(word, candidates);
  return guess.empty() ? std::string() : fmt::format("; did you mean `{}`?", guess);
}

bool valid_scheme(std::string_view scheme) {
  // RFC 3986 §3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
  if (scheme.empty() || std::isalpha(static_cast<unsigned char>(scheme.front())) == 0) {
    return false;
  }
  return std::all_of(scheme.begin(), scheme.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '-' || c == '.';
  });
}

} // namespace

KnownMembers client_members() {
  return {k_client_read, k_client_ignored};
}
KnownMembers client_grant_members() {
  return {k_grant_read, k_grant_ignored};
}
KnownMembers user_members() {
  return {k_user_read, k_user_ignored};
}
KnownMembers token_introspector_members() {
  return {k_introspector_read, k_introspector_ignored};
}

util::Result<void> check_members(const nlohmann::json& object, const KnownMembers& known,
                                 const SeedPlace& place) {
  if (!object.is_object()) {
    return {};
  }
  for (const auto& [key, value] : object.items()) {
    if (!contains(known.read, key) && !contains(known.ignored, key)) {
      return place.member(key).fail(
        fmt::format("unknown member{}", did_you_mean(key, known.read, known.ignored)));
    }
  }
  return {};
}

util::Result<std::string> known_grant(const std::string& name, const SeedPlace& place) {
  if (name == "code") {
    return std::string("authorization_code");
  }
  if (name == "basic") {
    return name;
  }
  if (const auto grant = oauth::parse_grant_type(name)) {
    return std::string(oauth::to_string(*grant));
  }
  return place.fail(fmt::format("unknown grant type \"{}\"{}", util::printable_line(name, 80),
                                did_you_mean(name, k_grant_names)));
}

util::Result<void> check_redirect_uri(const std::string& uri, const SeedPlace& place) {
  if (uri.find('#') != std::string::npos) {
    return place.fail("a redirect URI must not have a fragment (RFC 6749 §3.1.2)");
  }
  if (uri.find('*') != std::string::npos) {
    return place.fail("a redirect URI is matched exactly: no wildcards (RFC 9700 §4.1.3)");
  }
  const auto colon = uri.find(':');
  if (colon == std::string::npos || !valid_scheme(std::string_view(uri).substr(0, colon))) {
    return place.fail(
      fmt::format("\"{}\" is not an absolute URI (scheme:...)", util::printable_line(uri, 80)));
  }
  auto scheme = uri.substr(0, colon);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme == "http" || scheme == "https") {
    if (!http::parse_url(uri)) {
      return place.fail(fmt::format("\"{}\" is not a valid {} URL (a host, no user info, no spaces)",
                                    util::printable_line(uri, 80), scheme));
    }
    return {};
  }
  if (scheme == "javascript" || scheme == "data" || scheme == "vbscript" || scheme == "file") {
    return place.fail(fmt::format("the {}: scheme cannot be a redirect URI", scheme));
  }
  if (std::any_of(uri.begin(), uri.end(), [](unsigned char c) { return c <= 0x20 || c == 0x7f; })) {
    return place.fail("a redirect URI must not contain spaces or control characters");
  }
  return {};
}

} // namespace oauthctl::server
