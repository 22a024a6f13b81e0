// SPDX-License-Identifier: MIT
#include <oauthctl/http/url.hpp>

#include <doctest/doctest.h>

using namespace oauthctl::http;

TEST_SUITE("http") {
  TEST_CASE("parse_url") {
    SUBCASE("full") {
      const auto url = parse_url("HTTPS://Auth.Example.COM:8443/a/b?x=1&y=2#frag");
      REQUIRE(url.has_value());
      CHECK(url->scheme == "https");
      CHECK(url->host == "auth.example.com");
      CHECK(url->port == 8443);
      CHECK(url->path == "/a/b");
      CHECK(url->query == "x=1&y=2");
      CHECK(url->fragment == "frag");
      CHECK(url->origin() == "https://auth.example.com:8443");
    }
    SUBCASE("defaults") {
      const auto url = parse_url("http://localhost");
      REQUIRE(url.has_value());
      CHECK(url->port == 80);
      CHECK(url->path == "/");
      CHECK(url->origin() == "http://localhost");
      CHECK(parse_url("https://h")->port == 443);
    }
    SUBCASE("ipv6") {
      const auto url = parse_url("http://[::1]:8080/cb");
      REQUIRE(url.has_value());
      CHECK(url->host == "::1");
      CHECK(url->port == 8080);
      CHECK(url->origin() == "http://[::1]:8080");
      CHECK(url->is_loopback());
    }
    SUBCASE("query without path") {
      const auto url = parse_url("http://h?x=1");
      REQUIRE(url.has_value());
      CHECK(url->path == "/");
      CHECK(url->query == "x=1");
    }
  }

  TEST_CASE("Url::is_loopback") {
    CHECK(parse_url("http://127.0.0.1:1/")->is_loopback());
    CHECK(parse_url("http://127.10.20.30/")->is_loopback());
    CHECK(parse_url("http://localhost/")->is_loopback());
    CHECK_FALSE(parse_url("http://127.0.0.1.evil.com/")->is_loopback());
    CHECK_FALSE(parse_url("http://128.0.0.1/")->is_loopback());
    CHECK_FALSE(parse_url("http://127.0.0.256/")->is_loopback());
    CHECK_FALSE(parse_url("http://example.com/")->is_loopback());
  }

  TEST_CASE("parse_url hostile input") {
    CHECK_FALSE(parse_url("").has_value());
    CHECK_FALSE(parse_url("example.com/path").has_value());    // missing scheme
    CHECK_FALSE(parse_url("//example.com/").has_value());      // scheme-relative
    CHECK_FALSE(parse_url("javascript:alert(1)").has_value()); // not http
    CHECK_FALSE(parse_url("javascript://example.com/%0aalert(1)").has_value());
    CHECK_FALSE(parse_url("ftp://example.com/").has_value());
    CHECK_FALSE(parse_url("file:///etc/passwd").has_value());
    CHECK_FALSE(parse_url("http://user:pass@example.com/").has_value()); // userinfo
    CHECK_FALSE(parse_url("http://example.com@evil.com/").has_value());
    CHECK_FALSE(parse_url("http://exa mple.com/").has_value()); // spaces
    CHECK_FALSE(parse_url("http://example.com/a b").has_value());
    CHECK_FALSE(parse_url(" http://example.com/").has_value());
    CHECK_FALSE(parse_url("http://example.com/\n").has_value());
    CHECK_FALSE(parse_url(std::string("http://example.com/\0x", 21)).has_value());
    CHECK_FALSE(parse_url("http://example.com\\@evil.com/").has_value());
    CHECK_FALSE(parse_url("http://example.com:0/").has_value()); // bad ports
    CHECK_FALSE(parse_url("http://example.com:65536/").has_value());
    CHECK_FALSE(parse_url("http://example.com:-1/").has_value());
    CHECK_FALSE(parse_url("http://example.com:80x/").has_value());
    CHECK_FALSE(parse_url("http://example.com:/").has_value());
    CHECK_FALSE(parse_url("http://example.com:99999999999999999999/").has_value());
    CHECK_FALSE(parse_url("http:///path").has_value()); // empty host
    CHECK_FALSE(parse_url("http://[::1/").has_value());
    CHECK_FALSE(parse_url("http://[]/").has_value());
    CHECK_FALSE(parse_url("http://[::1]x/").has_value());
    CHECK_FALSE(parse_url("http://[zz::1]/").has_value());
    CHECK_FALSE(parse_url("http://exam%70le.com/").has_value());
  }

  TEST_CASE("join_url") {
    CHECK(join_url("http://h:1", "fhir") == "http://h:1/fhir");
    CHECK(join_url("http://h:1/", "/fhir") == "http://h:1/fhir");
    CHECK(join_url("http://h:1///", "//Patient?x=1") == "http://h:1/Patient?x=1");
    CHECK(join_url("http://h/base", "auth/token") == "http://h/base/auth/token");
  }
}
