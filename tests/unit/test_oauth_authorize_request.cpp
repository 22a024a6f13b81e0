// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/authorize_request.hpp>
#include <oauthctl/util/form.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace oauthctl;
using namespace oauthctl::oauth;

namespace {

AuthorizeRequest code_request() {
  AuthorizeRequest request;
  request.authorization_endpoint = "http://127.0.0.1:8080/auth/authorize";
  request.client_id = "demo-public";
  request.redirect_uri = "http://127.0.0.1:5555/callback";
  request.scope = "openid patient/*.read";
  request.state = "st4te";
  request.nonce = "n0nce";
  request.code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  request.code_challenge_method = PkceMethod::s256;
  return request;
}

util::FormFields query_of(const std::string& url) {
  const auto question = url.find('?');
  REQUIRE(question != std::string::npos);
  auto fields = util::form_decode(url.substr(question + 1));
  REQUIRE(fields.has_value());
  return *fields;
}

ResponseExpectations expect_code(std::string state = "st4te", std::string issuer = "http://127.0.0.1:8080") {
  ResponseExpectations expected;
  expected.response_type = ResponseType::code;
  expected.state = std::move(state);
  expected.issuer = std::move(issuer);
  return expected;
}

ResponseExpectations expect_token() {
  auto expected = expect_code();
  expected.response_type = ResponseType::token;
  return expected;
}

} // namespace

TEST_SUITE("oauth") {
  TEST_CASE("build_authorize_url") {
    SUBCASE("code with PKCE, state and nonce") {
      const auto url = build_authorize_url(code_request());
      REQUIRE(url.has_value());
      CHECK(url->rfind("http://127.0.0.1:8080/auth/authorize?response_type=code&client_id=demo-public&", 0) ==
            0);
      const auto q = query_of(*url);
      CHECK(util::form_get(q, "redirect_uri") == "http://127.0.0.1:5555/callback");
      CHECK(util::form_get(q, "scope") == "openid patient/*.read");
      CHECK(util::form_get(q, "state") == "st4te");
      CHECK(util::form_get(q, "nonce") == "n0nce");
      CHECK(util::form_get(q, "code_challenge") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
      CHECK(util::form_get(q, "code_challenge_method") == "S256");
      // Spaces are %20 and reserved characters escaped, never raw.
      CHECK(url->find("scope=openid%20patient%2F%2A.read") != std::string::npos);
    }
    SUBCASE("implicit, no PKCE, empty values left out") {
      auto request = code_request();
      request.response_type = ResponseType::token;
      request.code_challenge.clear();
      request.code_challenge_method.reset();
      request.nonce.clear();
      const auto url = build_authorize_url(request);
      REQUIRE(url.has_value());
      const auto q = query_of(*url);
      CHECK(util::form_get(q, "response_type") == "token");
      CHECK_FALSE(util::form_get(q, "code_challenge").has_value());
      CHECK_FALSE(util::form_get(q, "code_challenge_method").has_value());
      CHECK_FALSE(util::form_get(q, "nonce").has_value());
    }
    SUBCASE("challenge without method says S256 explicitly") {
      auto request = code_request();
      request.code_challenge_method.reset();
      CHECK(util::form_get(query_of(*build_authorize_url(request)), "code_challenge_method") == "S256");
    }
    SUBCASE("extra parameters (SMART aud, launch, login_hint, resource)") {
      auto request = code_request();
      request.extra = {{"aud", "http://127.0.0.1:8080/fhir"},
                       {"launch", "xyz"},
                       {"login_hint", "demo@example.org"},
                       {"resource", "https://api.example/ a&b"}};
      const auto q = query_of(*build_authorize_url(request));
      CHECK(util::form_get(q, "aud") == "http://127.0.0.1:8080/fhir");
      CHECK(util::form_get(q, "launch") == "xyz");
      CHECK(util::form_get(q, "login_hint") == "demo@example.org");
      CHECK(util::form_get(q, "resource") == "https://api.example/ a&b");
    }
    SUBCASE("endpoint with a query keeps it (RFC 6749 §3.1)") {
      auto request = code_request();
      request.authorization_endpoint = "https://idp.example/authorize?tenant=a%20b";
      const auto url = build_authorize_url(request);
      REQUIRE(url.has_value());
      CHECK(url->rfind("https://idp.example/authorize?tenant=a%20b&response_type=code&", 0) == 0);
      request.authorization_endpoint = "https://idp.example/authorize?";
      CHECK(build_authorize_url(request)->rfind("https://idp.example/authorize?response_type=code&", 0) == 0);
      request.authorization_endpoint = "https://idp.example/authorize?x=1&";
      CHECK(build_authorize_url(request)->rfind("https://idp.example/authorize?x=1&response_type=code&", 0) ==
            0);
    }
  }

  TEST_CASE("build_authorize_url bad input") {
    auto request = code_request();
    SUBCASE("not a URL") {
      request.authorization_endpoint = "javascript:alert(1)";
    }
    SUBCASE("fragment") {
      request.authorization_endpoint = "https://idp.example/authorize#x";
    }
    SUBCASE("empty client_id") {
      request.client_id.clear();
    }
    SUBCASE("duplicate via extra") {
      request.extra = {{"state", "other"}};
    }
    SUBCASE("duplicate via the endpoint's query") {
      request.authorization_endpoint = "https://idp.example/authorize?client_id=evil";
    }
    SUBCASE("malformed endpoint query") {
      request.authorization_endpoint = "https://idp.example/authorize?a=%zz";
    }
    SUBCASE("empty extra name") {
      request.extra = {{"", "x"}};
    }
    const auto url = build_authorize_url(request);
    REQUIRE_FALSE(url.has_value());
    CHECK(url.error().kind == util::ErrorKind::usage);
  }

  TEST_CASE("scope_contains") {
    CHECK(scope_contains("openid profile", "openid"));
    CHECK(scope_contains("profile openid", "openid"));
    CHECK_FALSE(scope_contains("openidx profile", "openid"));
    CHECK_FALSE(scope_contains("", "openid"));
  }

  TEST_CASE("parse_authorization_response") {
    SUBCASE("code") {
      const auto r = parse_authorization_response(
        "code=abc%2Fdef&state=st4te&iss=http%3A%2F%2F127.0.0.1%3A8080", "", expect_code());
      REQUIRE(r.has_value());
      CHECK(r->code == "abc/def");
      CHECK(r->state == "st4te");
      CHECK(r->iss == "http://127.0.0.1:8080");
      CHECK(r->access_token.empty());
    }
    SUBCASE("code without iss when the issuer is unknown or iss is optional") {
      CHECK(parse_authorization_response("code=abc&state=st4te", "", expect_code()).has_value());
      CHECK(parse_authorization_response("code=abc&state=st4te&iss=anything", "", expect_code("st4te", ""))
              .has_value());
    }
    SUBCASE("implicit token in the fragment") {
      const auto r = parse_authorization_response(
        "",
        "access_token=eyJ.x.y&token_type=Bearer&expires_in=300&scope=openid%20launch&state=st4te&id_token=i",
        expect_token());
      REQUIRE(r.has_value());
      CHECK(r->access_token == "eyJ.x.y");
      CHECK(r->token_type == "Bearer");
      CHECK(r->expires_in == 300);
      CHECK(r->scope == "openid launch");
      CHECK(r->id_token == "i");
      CHECK(r->code.empty());
    }
    SUBCASE("error response") {
      const auto r = parse_authorization_response(
        "error=access_denied&error_description=The+user+said+no&state=st4te", "", expect_code());
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().kind == util::ErrorKind::oauth);
      CHECK(r.error().oauth_error == "access_denied");
      CHECK(r.error().oauth_error_description == "The user said no");
      CHECK(util::describe(r.error()) == "access_denied: The user said no");
    }
    SUBCASE("implicit error in the fragment, or in the query") {
      auto r = parse_authorization_response("", "error=access_denied&state=st4te", expect_token());
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().oauth_error == "access_denied");
      r = parse_authorization_response("error=invalid_scope&state=st4te", "", expect_token());
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().oauth_error == "invalid_scope");
    }
    SUBCASE("error without state is still reported, flagged") {
      const auto r = parse_authorization_response("error=invalid_request", "", expect_code());
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().kind == util::ErrorKind::oauth);
      CHECK(r.error().oauth_error == "invalid_request");
      CHECK(r.error().message.find("no state") != std::string::npos);
    }
  }

  TEST_CASE("parse_authorization_response state and issuer") {
    SUBCASE("state mismatch") {
      const auto r = parse_authorization_response("code=abc&state=other", "", expect_code());
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().kind == util::ErrorKind::oauth);
      CHECK(r.error().message.rfind("state mismatch", 0) == 0);
      CHECK(util::describe(r.error()).rfind("state mismatch", 0) == 0);
    }
    SUBCASE("state prefix or extension") {
      CHECK_FALSE(parse_authorization_response("code=abc&state=st4", "", expect_code()).has_value());
      CHECK_FALSE(parse_authorization_response("code=abc&state=st4tee", "", expect_code()).has_value());
      CHECK_FALSE(parse_authorization_response("code=abc&state=", "", expect_code()).has_value());
    }
    SUBCASE("missing state") {
      const auto r = parse_authorization_response("code=abc", "", expect_code());
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().message.rfind("state mismatch", 0) == 0);
    }
    SUBCASE("error with a forged state is a state mismatch") {
      const auto r = parse_authorization_response("error=access_denied&state=forged", "", expect_code());
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().message.rfind("state mismatch", 0) == 0);
      CHECK(r.error().oauth_error.empty());
    }
    SUBCASE("implicit token with the wrong state is never returned") {
      const auto r =
        parse_authorization_response("", "access_token=t&token_type=Bearer&state=forged", expect_token());
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().message.rfind("state mismatch", 0) == 0);
    }
    SUBCASE("issuer mismatch (RFC 9207)") {
      const auto r = parse_authorization_response("code=abc&state=st4te&iss=https%3A%2F%2Fevil.example", "",
                                                  expect_code());
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().kind == util::ErrorKind::oauth);
      CHECK(r.error().message.rfind("issuer mismatch", 0) == 0);
      // A trailing slash is a different issuer: RFC 9207 §2.4 compares strings.
      CHECK_FALSE(parse_authorization_response("code=abc&state=st4te&iss=http%3A%2F%2F127.0.0.1%3A8080%2F",
                                               "", expect_code())
                    .has_value());
    }
    SUBCASE("iss required but absent") {
      auto expected = expect_code();
      expected.iss_required = true;
      const auto r = parse_authorization_response("code=abc&state=st4te", "", expected);
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().message.rfind("issuer mismatch", 0) == 0);
    }
  }

  TEST_CASE("parse_authorization_response hostile input") {
    const auto kind_of = [](std::string_view query, std::string_view fragment,
                            const ResponseExpectations& e) {
      const auto r = parse_authorization_response(query, fragment, e);
      REQUIRE_FALSE(r.has_value());
      return r.error().kind;
    };
    SUBCASE("repeated parameters") {
      CHECK(kind_of("code=abc&state=st4te&state=st4te", "", expect_code()) == util::ErrorKind::bad_response);
      CHECK(kind_of("code=abc&code=evil&state=st4te", "", expect_code()) == util::ErrorKind::bad_response);
      CHECK(kind_of("state=other&code=abc&state=st4te", "", expect_code()) == util::ErrorKind::bad_response);
      CHECK(kind_of("", "access_token=a&access_token=b&token_type=Bearer&state=st4te", expect_token()) ==
            util::ErrorKind::bad_response);
    }
    SUBCASE("bad escapes") {
      CHECK(kind_of("code=%zz&state=st4te", "", expect_code()) == util::ErrorKind::bad_response);
      CHECK(kind_of("code=abc&state=st4te%", "", expect_code()) == util::ErrorKind::bad_response);
      CHECK(kind_of("code=abc&state=st4te%4", "", expect_code()) == util::ErrorKind::bad_response);
    }
    SUBCASE("escaped state equal after decoding is accepted, NUL is not") {
      CHECK(parse_authorization_response("code=abc&state=st%34te", "", expect_code()).has_value());
      CHECK(kind_of("code=abc&state=st4te%00", "", expect_code()) == util::ErrorKind::oauth);
    }
    SUBCASE("empty and missing") {
      CHECK(kind_of("", "", expect_code()) == util::ErrorKind::bad_response);
      CHECK(kind_of("&&&", "", expect_code()) == util::ErrorKind::oauth);
      CHECK(kind_of("state=st4te", "", expect_code()) == util::ErrorKind::bad_response);
      CHECK(kind_of("code=&state=st4te", "", expect_code()) == util::ErrorKind::bad_response);
      CHECK(kind_of("", "access_token=t&state=st4te", expect_token()) == util::ErrorKind::bad_response);
      CHECK(kind_of("", "token_type=Bearer&state=st4te", expect_token()) == util::ErrorKind::bad_response);
    }
    SUBCASE("token in the query is never accepted for implicit") {
      CHECK(kind_of("access_token=t&token_type=Bearer&state=st4te", "", expect_token()) ==
            util::ErrorKind::bad_response);
    }
    SUBCASE("code in the fragment is not accepted for the code grant") {
      CHECK(kind_of("", "code=abc&state=st4te", expect_code()) == util::ErrorKind::bad_response);
    }
    SUBCASE("malformed expires_in") {
      for (const std::string bad : {"-1", "1e3", "12abc", "", "99999999999999999999999"}) {
        CHECK(kind_of("", "access_token=t&token_type=Bearer&state=st4te&expires_in=" + bad, expect_token()) ==
              util::ErrorKind::bad_response);
      }
    }
    SUBCASE("huge values") {
      const std::string huge(k_max_authorization_response, 'a');
      CHECK(kind_of("code=" + huge + "&state=st4te", "", expect_code()) == util::ErrorKind::bad_response);
      const std::string big(8000, 'a');
      const auto r = parse_authorization_response("code=" + big + "&state=st4te", "", expect_code());
      REQUIRE(r.has_value());
      CHECK(r->code == big);
    }
    SUBCASE("terminal escapes in the error are neutralised") {
      const auto r = parse_authorization_response(
        "error=access%1b%5b31m_denied&error_description=line1%0aline2%1b%5D0%3Btitle%07&state=st4te", "",
        expect_code());
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().oauth_error.find('\x1b') == std::string::npos);
      CHECK(r.error().oauth_error_description.find('\n') == std::string::npos);
      CHECK(r.error().oauth_error_description.find('\x07') == std::string::npos);
      CHECK(r.error().message.find('\x1b') == std::string::npos);
    }
    SUBCASE("huge error description is cut") {
      const auto r = parse_authorization_response(
        "error=server_error&state=st4te&error_description=" + std::string(10000, 'x'), "", expect_code());
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().oauth_error_description.size() < 400);
    }
  }
}
