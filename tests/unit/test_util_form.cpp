// SPDX-License-Identifier: MIT
#include <oauthctl/util/crypto.hpp>
#include <oauthctl/util/form.hpp>
#include <oauthctl/util/redact.hpp>

#include <doctest/doctest.h>

using namespace oauthctl::util;

TEST_SUITE("util") {
  TEST_CASE("form_encode") {
    CHECK(form_encode({{"grant_type", "client_credentials"}, {"scope", "system/*.read openid"}}) ==
          "grant_type=client_credentials&scope=system%2F%2A.read%20openid");
    CHECK(form_encode({{"a+b", "c&d=e"}}) == "a%2Bb=c%26d%3De");
  }

  TEST_CASE("form_decode") {
    const auto fields = form_decode("grant_type=client_credentials&scope=a+b%2Fc&&empty=&flag");
    REQUIRE(fields.has_value());
    CHECK(form_get(*fields, "grant_type") == "client_credentials");
    CHECK(form_get(*fields, "scope") == "a b/c");
    CHECK(form_get(*fields, "empty") == "");
    CHECK(form_get(*fields, "flag") == "");
    CHECK_FALSE(form_get(*fields, "missing").has_value());
    CHECK(form_count(*fields, "scope") == 1);
  }

  TEST_CASE("form_decode hostile input") {
    CHECK_FALSE(form_decode("a=%").has_value());
    CHECK_FALSE(form_decode("a=%4").has_value());
    CHECK_FALSE(form_decode("a=%zz").has_value());
    CHECK_FALSE(form_decode("%=b").has_value());
    const auto nul = form_decode("a=%00b");
    REQUIRE(nul.has_value());
    CHECK(form_get(*nul, "a") == std::string("\0b", 2));
    const auto repeated = form_decode("scope=a&scope=b");
    REQUIRE(repeated.has_value());
    CHECK(form_count(*repeated, "scope") == 2);
  }

  TEST_CASE("redact_body") {
    SUBCASE("form") {
      const auto out = redact_body("grant_type=client_credentials&client_secret=demo-secret",
                                   "application/x-www-form-urlencoded");
      CHECK(out.find("demo-secret") == std::string::npos);
      CHECK(out.find("grant_type=client_credentials") != std::string::npos);
    }
    SUBCASE("json keeps codes, hides tokens") {
      const auto token = std::string(40, 'x');
      const auto out = redact_body(R"({"access_token":")" + token + R"(","issue":[{"code":"forbidden"}]})",
                                   "application/json; charset=utf-8");
      CHECK(out.find(token) == std::string::npos);
      CHECK(out.find("forbidden") != std::string::npos);
    }
    SUBCASE("malformed form is hidden whole") {
      CHECK(redact_body("client_secret=%zz", "application/x-www-form-urlencoded") == k_redacted);
    }
  }

  TEST_CASE("constant_time_equal") {
    CHECK(constant_time_equal("abc", "abc"));
    CHECK_FALSE(constant_time_equal("abc", "abd"));
    CHECK_FALSE(constant_time_equal("abc", "abcd"));
    CHECK(constant_time_equal("", ""));
  }

  TEST_CASE("sha256") {
    CHECK(to_hex(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(random_token(32).size() == 43);
    CHECK(random_token() != random_token());
  }
}
