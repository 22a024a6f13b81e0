// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/grant_type.hpp>

#include <doctest/doctest.h>

using namespace oauthctl::oauth;

TEST_SUITE("oauth") {
  TEST_CASE("grant names: the CLI name or the RFC URN, and the grant_type a token request carries") {
    CHECK(parse_grant_type("device_code") == GrantType::device_code);
    CHECK(parse_grant_type("urn:ietf:params:oauth:grant-type:device_code") == GrantType::device_code);
    CHECK_FALSE(parse_grant_type("Password").has_value());
    CHECK(grant_type_parameter(GrantType::password) == "password");
    CHECK(grant_type_parameter(GrantType::token_exchange) ==
          "urn:ietf:params:oauth:grant-type:token-exchange");
    CHECK(grant_type_parameter(GrantType::jwt_bearer) == "urn:ietf:params:oauth:grant-type:jwt-bearer");
    CHECK(grant_type_parameter(GrantType::implicit).empty()); // no token request
  }
}
