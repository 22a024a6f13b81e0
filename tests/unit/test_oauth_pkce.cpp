// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/pkce.hpp>

#include <doctest/doctest.h>

#include <string>
#include <string_view>

using namespace oauthctl::oauth;

namespace {

// `head` + `tail`. Not std::string + "...": with the precompiled header, gcc 12 reports a
// false -Warray-bounds in the moved temporary (GCC PR 105329).
std::string joined(std::string head, std::string_view tail) {
  head.append(tail);
  return head;
}

} // namespace

TEST_SUITE("oauth") {
  // RFC 7636 Appendix B.
  constexpr std::string_view k_verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  constexpr std::string_view k_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

  TEST_CASE("make_code_challenge") {
    SUBCASE("S256, RFC 7636 Appendix B") {
      CHECK(make_code_challenge(PkceMethod::s256, k_verifier) == k_challenge);
    }
    SUBCASE("plain") {
      CHECK(make_code_challenge(PkceMethod::plain, k_verifier) == k_verifier);
    }
  }

  TEST_CASE("pkce_matches") {
    CHECK(pkce_matches(PkceMethod::s256, k_verifier, k_challenge));
    CHECK(pkce_matches(PkceMethod::plain, k_verifier, k_verifier));
    CHECK_FALSE(pkce_matches(PkceMethod::plain, k_verifier, k_challenge));
    CHECK_FALSE(pkce_matches(PkceMethod::s256, k_verifier, k_verifier));
    CHECK_FALSE(pkce_matches(PkceMethod::s256, k_verifier, joined(std::string(k_challenge), "A")));
    CHECK_FALSE(pkce_matches(PkceMethod::s256, k_verifier, ""));
  }

  TEST_CASE("pkce_matches hostile input") {
    // Too short, too long, or outside the unreserved set: refused even when the
    // challenge was computed from it (RFC 7636 §4.1).
    const std::string short_verifier(42, 'a');
    CHECK_FALSE(pkce_matches(PkceMethod::plain, short_verifier, short_verifier));
    CHECK_FALSE(
      pkce_matches(PkceMethod::s256, short_verifier, make_code_challenge(PkceMethod::s256, short_verifier)));
    const std::string long_verifier(129, 'a');
    CHECK_FALSE(pkce_matches(PkceMethod::plain, long_verifier, long_verifier));
    CHECK(pkce_matches(PkceMethod::plain, std::string(128, 'a'), std::string(128, 'a')));
    for (const std::string& bad :
         {std::string(43, ' '), joined(std::string(42, 'a'), "+"), joined(std::string(42, 'a'), "/"),
          joined(std::string(42, 'a'), "="), joined(std::string(42, 'a'), std::string(1, '\0')),
          joined(std::string(42, 'a'), "\xc3")}) {
      CHECK_FALSE(pkce_matches(PkceMethod::plain, bad, bad));
      CHECK_FALSE(is_valid_code_verifier(bad));
    }
    CHECK_FALSE(pkce_matches(PkceMethod::s256, "", ""));
    CHECK(is_valid_code_verifier(joined(std::string(40, 'a'), "-._~")));
  }

  TEST_CASE("make_code_verifier") {
    const auto verifier = make_code_verifier();
    CHECK(verifier.size() == 43);
    CHECK(is_valid_code_verifier(verifier));
    CHECK(make_code_verifier() != verifier);
    for (const std::size_t length : {43u, 44u, 64u, 100u, 127u, 128u}) {
      const auto v = make_code_verifier(length);
      CHECK(v.size() == length);
      CHECK(is_valid_code_verifier(v));
    }
    CHECK(make_code_verifier(1).size() == k_min_verifier_length);
    CHECK(make_code_verifier(1000).size() == k_max_verifier_length);
  }

  TEST_CASE("make_pkce") {
    const auto pkce = make_pkce();
    CHECK(pkce.method == PkceMethod::s256);
    CHECK(pkce.challenge.size() == 43);
    CHECK(pkce_matches(pkce.method, pkce.verifier, pkce.challenge));
    const auto plain = make_pkce(PkceMethod::plain);
    CHECK(plain.challenge == plain.verifier);
  }

  TEST_CASE("parse_pkce_method") {
    CHECK(parse_pkce_method("S256") == PkceMethod::s256);
    CHECK(parse_pkce_method("s256") == PkceMethod::s256);
    CHECK(parse_pkce_method("plain") == PkceMethod::plain);
    CHECK_FALSE(parse_pkce_method("none").has_value());
    CHECK_FALSE(parse_pkce_method("PLAIN").has_value());
    CHECK_FALSE(parse_pkce_method("").has_value());
    CHECK(to_string(PkceMethod::s256) == "S256");
    CHECK(to_string(PkceMethod::plain) == "plain");
  }
}
