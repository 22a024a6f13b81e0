// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/token_response.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace oauthctl;
using oauthctl::oauth::parse_error_response;
using oauthctl::oauth::parse_token_response;

namespace {

http::Response make_response(int status, std::string body, std::string content_type = "application/json") {
  http::Response response;
  response.status = status;
  response.headers.add("Content-Type", std::move(content_type));
  response.body = std::move(body);
  return response;
}

util::ErrorKind kind_of(int status, const std::string& body) {
  const auto result = parse_token_response(make_response(status, body));
  REQUIRE_FALSE(result.has_value());
  return result.error().kind;
}

} // namespace

TEST_SUITE("oauth") {
  TEST_CASE("parse_token_response") {
    SUBCASE("RFC 6749 §5.1 example") {
      const auto token = parse_token_response(make_response(
        200, R"({"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"example","expires_in":3600,)"
             R"("refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA","example_parameter":"example_value"})"));
      REQUIRE(token.has_value());
      CHECK(token->access_token == "2YotnFZFEjr1zCsicMWpAA");
      CHECK(token->token_type == "example");
      CHECK(token->expires_in == 3600);
      CHECK(token->refresh_token == "tGzv3JOkF0XG5Qx2TlKWIA");
      CHECK(token->scope.empty());
      CHECK(token->raw["example_parameter"] == "example_value");
    }
    SUBCASE("expires_in as a string and as a whole float") {
      auto token = parse_token_response(
        make_response(200, R"({"access_token":"a","token_type":"Bearer","expires_in":"300"})"));
      REQUIRE(token.has_value());
      CHECK(token->expires_in == 300);
      token = parse_token_response(
        make_response(200, R"({"access_token":"a","token_type":"Bearer","expires_in":300.0})"));
      REQUIRE(token.has_value());
      CHECK(token->expires_in == 300);
    }
    SUBCASE("optional members") {
      const auto token = parse_token_response(make_response(
        201,
        R"({"access_token":"a","token_type":"Bearer","scope":"system/*.read","id_token":"i","expires_in":null})"));
      REQUIRE(token.has_value());
      CHECK(token->scope == "system/*.read");
      CHECK(token->id_token == "i");
      CHECK_FALSE(token->expires_in.has_value());
    }
  }

  TEST_CASE("parse_token_response OAuth errors") {
    auto response = make_response(401, R"({"error":"invalid_client","error_description":"Bad secret"})");
    response.headers.add("WWW-Authenticate", "Basic realm=\"oauthctl\"");
    const auto result = parse_token_response(response);
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().kind == util::ErrorKind::oauth);
    CHECK(result.error().oauth_error == "invalid_client");
    CHECK(result.error().oauth_error_description == "Bad secret");
    CHECK(result.error().http_status == 401);
    CHECK(util::describe(result.error()) == "invalid_client: Bad secret (HTTP 401)");

    // Some servers answer 200 with an error object.
    CHECK(kind_of(200, R"({"error":"invalid_scope"})") == util::ErrorKind::oauth);

    // Newlines and escape sequences from the server never reach the terminal.
    const auto nasty = parse_token_response(make_response(
      400, "{\"error\":\"invalid_request\",\"error_description\":\"line1\\nline2\\u001b[31m\"}"));
    REQUIRE_FALSE(nasty.has_value());
    CHECK(nasty.error().oauth_error_description.find('\n') == std::string::npos);
    CHECK(nasty.error().oauth_error_description.find('\x1b') == std::string::npos);
  }

  TEST_CASE("parse_error_response") {
    auto challenge = make_response(401, "", "text/plain");
    challenge.headers.add("WWW-Authenticate",
                          R"(Bearer realm="x", error="invalid_token", error_description="expired")");
    const auto from_header = parse_error_response(challenge);
    CHECK(from_header.kind == util::ErrorKind::oauth);
    CHECK(from_header.oauth_error == "invalid_token");
    CHECK(from_header.oauth_error_description == "expired");

    const auto html = parse_error_response(make_response(502, "<html>Bad gateway</html>", "text/html"));
    CHECK(html.kind == util::ErrorKind::bad_response);
    CHECK(html.message.find("502") != std::string::npos);
  }

  TEST_CASE("parse_token_response hostile input") {
    using util::ErrorKind;
    CHECK(kind_of(200, "") == ErrorKind::bad_response);
    CHECK(kind_of(200, "not json") == ErrorKind::bad_response);
    CHECK(kind_of(200, "<html></html>") == ErrorKind::bad_response);
    CHECK(kind_of(200, "[]") == ErrorKind::bad_response);
    CHECK(kind_of(200, R"(["access_token"])") == ErrorKind::bad_response);
    CHECK(kind_of(200, "\"token\"") == ErrorKind::bad_response);
    CHECK(kind_of(200, "null") == ErrorKind::bad_response);
    CHECK(kind_of(200, "{}") == ErrorKind::bad_response);
    CHECK(kind_of(200, R"({"token_type":"Bearer"})") == ErrorKind::bad_response);
    CHECK(kind_of(200, R"({"access_token":"a"})") == ErrorKind::bad_response);
    CHECK(kind_of(200, R"({"access_token":"","token_type":"Bearer"})") == ErrorKind::bad_response);
    CHECK(kind_of(200, R"({"access_token":42,"token_type":"Bearer"})") == ErrorKind::bad_response);
    CHECK(kind_of(200, R"({"access_token":{"a":1},"token_type":"Bearer"})") == ErrorKind::bad_response);
    CHECK(kind_of(200, R"({"access_token":"a","token_type":7})") == ErrorKind::bad_response);
    // Found by fuzz_token_response: RFC 6749 §5.1 token_type names a type; "" names none.
    CHECK(kind_of(200, R"({"access_token":"a","token_type":""})") == ErrorKind::bad_response);
    CHECK(kind_of(200, R"({"access_token":"a","token_type":"Bearer","expires_in":-1})") ==
          ErrorKind::bad_response);
    CHECK(kind_of(200, R"({"access_token":"a","token_type":"Bearer","expires_in":1.5})") ==
          ErrorKind::bad_response);
    CHECK(kind_of(200, R"({"access_token":"a","token_type":"Bearer","expires_in":1e300})") ==
          ErrorKind::bad_response);
    CHECK(kind_of(200, R"({"access_token":"a","token_type":"Bearer","expires_in":1e400})") ==
          ErrorKind::bad_response);
    CHECK(
      kind_of(200, R"({"access_token":"a","token_type":"Bearer","expires_in":99999999999999999999999})") ==
      ErrorKind::bad_response);
    CHECK(kind_of(200, R"({"access_token":"a","token_type":"Bearer","expires_in":18446744073709551615})") ==
          ErrorKind::bad_response);
    CHECK(kind_of(200, R"({"access_token":"a","token_type":"Bearer","expires_in":"soon"})") ==
          ErrorKind::bad_response);
    CHECK(kind_of(200, R"({"access_token":"a","token_type":"Bearer","expires_in":"99999999999"})") ==
          ErrorKind::bad_response);
    CHECK(kind_of(200, R"({"access_token":"a","token_type":"Bearer","expires_in":true})") ==
          ErrorKind::bad_response);
    CHECK(kind_of(200, R"({"access_token":"a","token_type":"Bearer","scope":["a"]})") ==
          ErrorKind::bad_response);
    CHECK(kind_of(200, R"({"access_token":"a","token_type":"Bearer","refresh_token":1})") ==
          ErrorKind::bad_response);
    CHECK(kind_of(200, R"({"access_token":"a","token_type":"Bearer")") ==
          ErrorKind::bad_response); // truncated
    CHECK(kind_of(400, R"({"error":42})") == ErrorKind::bad_response);
    CHECK(kind_of(400, "[1,2]") == ErrorKind::bad_response);
    CHECK(kind_of(500, "") == ErrorKind::bad_response);
    CHECK(kind_of(302, "") == ErrorKind::bad_response);
    CHECK(kind_of(200, std::string(100000, '[')) == ErrorKind::bad_response);
  }
}
