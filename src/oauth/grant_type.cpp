// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/grant_type.hpp>

#include <array>
#include <utility>

namespace oauthctl::oauth {

namespace {

struct GrantName {
  GrantType grant;
  std::string_view name;
  std::string_view urn; // the RFC grant_type value when it differs from the name
};

constexpr std::array<GrantName, 8> k_grant_names{{
  {GrantType::client_credentials, "client_credentials", ""},
  {GrantType::authorization_code, "authorization_code", ""},
  {GrantType::password, "password", ""},
  {GrantType::implicit, "implicit", ""},
  {GrantType::refresh_token, "refresh_token", ""},
  {GrantType::token_exchange, "token_exchange", "urn:ietf:params:oauth:grant-type:token-exchange"},
  {GrantType::device_code, "device_code", "urn:ietf:params:oauth:grant-type:device_code"},
  {GrantType::jwt_bearer, "jwt_bearer", "urn:ietf:params:oauth:grant-type:jwt-bearer"},
}};

constexpr std::array<std::pair<AuthMethod, std::string_view>, 6> k_methods{{
  {AuthMethod::client_secret_basic, "client_secret_basic"},
  {AuthMethod::client_secret_post, "client_secret_post"},
  {AuthMethod::private_key_jwt, "private_key_jwt"},
  {AuthMethod::none, "none"},
  {AuthMethod::tls_client_auth, "tls_client_auth"},
  {AuthMethod::self_signed_tls_client_auth, "self_signed_tls_client_auth"},
}};

} // namespace

std::string_view to_string(GrantType grant) {
  for (const auto& entry : k_grant_names) {
    if (entry.grant == grant) {
      return entry.name;
    }
  }
  return "unknown";
}

std::optional<GrantType> parse_grant_type(std::string_view name) {
  for (const auto& entry : k_grant_names) {
    if (entry.name == name || (!entry.urn.empty() && entry.urn == name)) {
      return entry.grant;
    }
  }
  return std::nullopt;
}

std::string_view grant_type_parameter(GrantType grant) {
  if (grant == GrantType::implicit) {
    return {};
  }
  for (const auto& entry : k_grant_names) {
    if (entry.grant == grant) {
      return entry.urn.empty() ? entry.name : entry.urn;
    }
  }
  return {};
}

std::string_view to_string(AuthMethod method) {
  for (const auto& [value, name] : k_methods) {
    if (value == method) {
      return name;
    }
  }
  return "unknown";
}

std::optional<AuthMethod> parse_auth_method(std::string_view name) {
  for (const auto& [value, text] : k_methods) {
    if (text == name) {
      return value;
    }
  }
  return std::nullopt;
}

} // namespace oauthctl::oauth
