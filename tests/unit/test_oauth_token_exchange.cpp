// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/grants.hpp>
#include <oauthctl/oauth/token_type.hpp>

#include <doctest/doctest.h>

using namespace oauthctl;
using oauth::TokenType;

TEST_SUITE("oauth.token_exchange") {
  TEST_CASE("every RFC 8693 token type by URN and by short name") {
    const std::pair<TokenType, const char*> types[] = {
      {TokenType::access_token, "urn:ietf:params:oauth:token-type:access_token"},
      {TokenType::refresh_token, "urn:ietf:params:oauth:token-type:refresh_token"},
      {TokenType::id_token, "urn:ietf:params:oauth:token-type:id_token"},
      {TokenType::saml1, "urn:ietf:params:oauth:token-type:saml1"},
      {TokenType::saml2, "urn:ietf:params:oauth:token-type:saml2"},
      {TokenType::jwt, "urn:ietf:params:oauth:token-type:jwt"},
    };
    for (const auto& [type, urn] : types) {
      CHECK(oauth::token_type_urn(type) == urn);
      CHECK(oauth::parse_token_type(urn) == type);
      CHECK(oauth::parse_token_type_urn(urn) == type);
      CHECK(oauth::parse_token_type(oauth::to_string(type)) == type);
      // The server takes URNs only, as RFC 8693 §2.1 sends them.
      CHECK_FALSE(oauth::parse_token_type_urn(oauth::to_string(type)).has_value());
    }
    CHECK(oauth::token_type_names() == "access_token, refresh_token, id_token, saml1, saml2, jwt");
  }

  TEST_CASE("near misses are not token types") {
    for (const char* name :
         {"", "JWT", "urn:ietf:params:oauth:token-type:", "urn:ietf:params:oauth:token-type:JWT",
          "urn:ietf:params:oauth:token-type:jwt ", "token", "urn:ietf:params:oauth:grant-type:jwt",
          "urn:ietf:params:oauth:token-type:saml"}) {
      CAPTURE(name);
      CHECK_FALSE(oauth::parse_token_type(name).has_value());
    }
  }

  TEST_CASE("the token exchange form carries URNs and the optional parameters") {
    oauth::ClientConfig config;
    config.exchange.subject_token = "subject.jwt.value";
    config.exchange.subject_token_type = TokenType::jwt;
    config.audience = "https://rp.example";
    config.scope = "system/Patient.read";
    auto form = oauth::token_exchange_form(config);
    REQUIRE(form.has_value());
    CHECK(util::form_get(*form, "grant_type") == "urn:ietf:params:oauth:grant-type:token-exchange");
    CHECK(util::form_get(*form, "subject_token") == "subject.jwt.value");
    CHECK(util::form_get(*form, "subject_token_type") == "urn:ietf:params:oauth:token-type:jwt");
    CHECK(util::form_get(*form, "audience") == "https://rp.example");
    CHECK(util::form_get(*form, "scope") == "system/Patient.read");
    CHECK_FALSE(util::form_get(*form, "actor_token").has_value());
    CHECK_FALSE(util::form_get(*form, "requested_token_type").has_value());

    config.exchange.actor_token = "actor";
    config.exchange.actor_token_type = TokenType::access_token;
    config.exchange.requested_token_type = TokenType::access_token;
    config.resource = "https://api.example";
    form = oauth::token_exchange_form(config);
    REQUIRE(form.has_value());
    CHECK(util::form_get(*form, "actor_token") == "actor");
    CHECK(util::form_get(*form, "actor_token_type") == "urn:ietf:params:oauth:token-type:access_token");
    CHECK(util::form_get(*form, "requested_token_type") == "urn:ietf:params:oauth:token-type:access_token");
    CHECK(util::form_get(*form, "resource") == "https://api.example");
  }

  TEST_CASE("the token exchange form refuses what RFC 8693 §2.1 forbids") {
    oauth::ClientConfig config;
    config.exchange.subject_token_type = TokenType::jwt;
    CHECK(oauth::token_exchange_form(config).error().kind == util::ErrorKind::usage); // no subject token
    config.exchange.subject_token = "t";
    config.exchange.subject_token_type.reset();
    CHECK(oauth::token_exchange_form(config).error().message.find("--subject-token-type") !=
          std::string::npos);
    config.exchange.subject_token_type = TokenType::jwt;
    config.exchange.actor_token = "a";
    CHECK(oauth::token_exchange_form(config).error().message.find("--actor-token-type") != std::string::npos);
    config.exchange.actor_token.clear();
    config.exchange.actor_token_type = TokenType::jwt;
    CHECK_FALSE(oauth::token_exchange_form(config).has_value());
  }

  TEST_CASE("the password form (RFC 6749 §4.3.2)") {
    oauth::ClientConfig config;
    config.password.username = "alice";
    config.scope = "openid user/*.read";
    const auto form = oauth::password_form(config, "pa ss");
    CHECK(util::form_get(form, "grant_type") == "password");
    CHECK(util::form_get(form, "username") == "alice");
    CHECK(util::form_get(form, "password") == "pa ss");
    CHECK(util::form_get(form, "scope") == "openid user/*.read");
    CHECK_FALSE(util::form_get(form, "audience").has_value());
  }
}
