// SPDX-License-Identifier: MIT
#include <oauthctl/util/base64url.hpp>

#include <doctest/doctest.h>

using namespace oauthctl::util;

TEST_SUITE("util") {
  TEST_CASE("base64url_encode") {
    // RFC 4648 §10 test vectors, unpadded and URL-safe.
    CHECK(base64url_encode("") == "");
    CHECK(base64url_encode("f") == "Zg");
    CHECK(base64url_encode("fo") == "Zm8");
    CHECK(base64url_encode("foo") == "Zm9v");
    CHECK(base64url_encode("foobar") == "Zm9vYmFy");
    CHECK(base64url_encode("\xfb\xff") == "-_8");
  }

  TEST_CASE("base64url_decode") {
    CHECK(base64url_decode("Zm9vYmFy") == "foobar");
    CHECK(base64url_decode("Zg") == "f");
    CHECK(base64url_decode("Zg==") == "f");
    CHECK(base64url_decode("-_8") == std::string("\xfb\xff"));
  }

  TEST_CASE("base64url_decode hostile input") {
    CHECK_FALSE(base64url_decode("Z").has_value());
    CHECK_FALSE(base64url_decode("Zm9v+").has_value());
    CHECK_FALSE(base64url_decode("Zm9v/").has_value());
    CHECK_FALSE(base64url_decode("Zm 9v").has_value());
    CHECK_FALSE(base64url_decode(std::string("Zm\0v", 4)).has_value());
  }

  TEST_CASE("base64 standard") {
    CHECK(base64_encode("user:pass") == "dXNlcjpwYXNz");
    CHECK(base64_encode("f") == "Zg==");
    CHECK(base64_decode("dXNlcjpwYXNz") == "user:pass");
    CHECK_FALSE(base64_decode("dXNlcjpwYXN").has_value());
    CHECK_FALSE(base64_decode("dXNl-jpw").has_value());
  }
}
