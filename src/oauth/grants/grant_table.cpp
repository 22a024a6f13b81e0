// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/device_code.hpp>
#include <oauthctl/oauth/grants.hpp>

#include <fmt/format.h>

#include <array>

namespace oauthctl::oauth {

namespace {

// One static table, ninja's Tool style: help, completions and dispatch all read it.
constexpr std::array<GrantInfo, 8> k_grants{{
  {GrantType::client_credentials, "client_credentials",
   "machine to machine, the client's own credentials (RFC 6749 §4.4)", run_client_credentials},
  {GrantType::authorization_code, "authorization_code", "browser login with PKCE (RFC 6749 §4.1, RFC 7636)",
   run_authorization_code},
  {GrantType::password, "password", "resource owner password (RFC 6749 §4.3; legacy)", run_password},
  {GrantType::implicit, "implicit", "token in the redirect fragment (RFC 6749 §4.2; deprecated)",
   run_implicit},
  {GrantType::refresh_token, "refresh_token", "a new access token from a refresh token (RFC 6749 §6)",
   run_refresh_token},
  {GrantType::token_exchange, "token_exchange", "exchange one token for another (RFC 8693)",
   run_token_exchange},
  {GrantType::device_code, "device_code", "device authorization (RFC 8628)", run_device_code},
  {GrantType::jwt_bearer, "jwt_bearer", "a JWT assertion as the grant (RFC 7523)", run_jwt_bearer},
}};

} // namespace

std::span<const GrantInfo> grant_table() {
  return k_grants;
}

const GrantInfo* find_grant(std::string_view name) {
  const auto grant = parse_grant_type(name);
  if (!grant) {
    return nullptr;
  }
  for (const auto& info : k_grants) {
    if (info.grant == *grant) {
      return &info;
    }
  }
  return nullptr;
}

std::string grant_names() {
  std::string names;
  for (const auto& info : k_grants) {
    names += (names.empty() ? "" : ", ") + std::string(info.name);
  }
  return names;
}

util::Result<TokenResponse> run_grant(const FlowContext& context, GrantType grant) {
  for (const auto& info : k_grants) {
    if (info.grant == grant) {
      if (info.run == nullptr) {
        return util::fail(util::ErrorKind::usage, fmt::format("grant {} is not implemented yet", info.name));
      }
      return info.run(context);
    }
  }
  return util::fail(util::ErrorKind::internal, "grant missing from the grant table");
}

} // namespace oauthctl::oauth
