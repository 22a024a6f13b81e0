// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/token_type.hpp>

#include <array>

namespace oauthctl::oauth {

namespace {

struct TokenTypeName {
  TokenType type;
  std::string_view name;
  std::string_view urn;
};

// RFC 8693 §3: SAML assertions have their own URN namespace; the others share one.
constexpr std::array<TokenTypeName, 6> k_types{{
  {TokenType::access_token, "access_token", "urn:ietf:params:oauth:token-type:access_token"},
  {TokenType::refresh_token, "refresh_token", "urn:ietf:params:oauth:token-type:refresh_token"},
  {TokenType::id_token, "id_token", "urn:ietf:params:oauth:token-type:id_token"},
  {TokenType::saml1, "saml1", "urn:ietf:params:oauth:token-type:saml1"},
  {TokenType::saml2, "saml2", "urn:ietf:params:oauth:token-type:saml2"},
  {TokenType::jwt, "jwt", "urn:ietf:params:oauth:token-type:jwt"},
}};

} // namespace

std::string_view token_type_urn(TokenType type) {
  for (const auto& entry : k_types) {
    if (entry.type == type) {
      return entry.urn;
    }
  }
  return {};
}

std::string_view to_string(TokenType type) {
  for (const auto& entry : k_types) {
    if (entry.type == type) {
      return entry.name;
    }
  }
  return "unknown";
}

std::optional<TokenType> parse_token_type_urn(std::string_view urn) {
  for (const auto& entry : k_types) {
    if (entry.urn == urn) {
      return entry.type;
    }
  }
  return std::nullopt;
}

std::optional<TokenType> parse_token_type(std::string_view name) {
  for (const auto& entry : k_types) {
    if (entry.name == name || entry.urn == name) {
      return entry.type;
    }
  }
  return std::nullopt;
}

std::string token_type_names() {
  std::string names;
  for (const auto& entry : k_types) {
    names += (names.empty() ? "" : ", ") + std::string(entry.name);
  }
  return names;
}

} // namespace oauthctl::oauth
