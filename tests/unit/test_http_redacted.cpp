// SPDX-License-Identifier: MIT
#include <oauthctl/http/redacted.hpp>
#include <oauthctl/util/redact.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace oauthctl::http;
using oauthctl::util::k_redacted;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

TEST_SUITE("http") {
  TEST_CASE("redacted(Request)") {
    const std::string token = "eyJhbGciOiJSUzI1NiJ9.payloadpayloadpayload.signature";
    Request request;
    request.method = "POST";
    request.url = "http://h/cb?code=SECRETCODE&state=abc#access_token=FRAGTOKEN&token_type=Bearer";
    request.headers.add("Authorization", "Basic ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ=");
    request.headers.add("Cookie", "session=abcdef");
    request.headers.add("Content-Type", "application/x-www-form-urlencoded");
    request.headers.add("Accept", "application/json");
    request.body = "grant_type=client_credentials&client_id=demo&client_secret=demo-secret";

    const auto shown = redacted(request);
    CHECK(shown.method == "POST");
    CHECK_FALSE(contains(shown.url, "SECRETCODE"));
    CHECK_FALSE(contains(shown.url, "FRAGTOKEN"));
    CHECK(contains(shown.url, "state=abc"));
    CHECK(contains(shown.url, "token_type=Bearer"));
    CHECK(shown.headers.get("Authorization") == "Basic " + std::string(k_redacted));
    CHECK(shown.headers.get("Cookie") == std::string(k_redacted));
    CHECK(shown.headers.get("Accept") == "application/json");
    CHECK_FALSE(contains(shown.body, "demo-secret"));
    CHECK(contains(shown.body, "client_id=demo"));
    CHECK(contains(shown.body, "grant_type=client_credentials"));
    // The original is untouched.
    CHECK(contains(request.body, "demo-secret"));

    Request bearer;
    bearer.headers.add("authorization", "Bearer " + token);
    const auto bearer_shown = redacted(bearer);
    const auto value = bearer_shown.headers.get("Authorization");
    REQUIRE(value.has_value());
    CHECK(value->rfind("Bearer eyJhbG", 0) == 0);
    CHECK_FALSE(contains(*value, "signature"));
  }

  TEST_CASE("redacted(Response)") {
    Response response;
    response.status = 200;
    response.elapsed_ms = 3;
    response.headers.add("Content-Type", "application/json; charset=utf-8");
    response.headers.add("Set-Cookie", "sid=xyz; HttpOnly");
    response.headers.add("Location", "http://127.0.0.1/callback?code=abcdefgh&state=s");
    response.body =
      R"({"access_token":"eyJhbGciOiJSUzI1NiJ9.abcdefghijklmnop.sig","token_type":"Bearer","expires_in":300})";
    const auto shown = redacted(response);
    CHECK(shown.status == 200);
    CHECK(shown.elapsed_ms == doctest::Approx(3));
    CHECK_FALSE(contains(shown.body, "abcdefghijklmnop"));
    CHECK(contains(shown.body, "\"token_type\":\"Bearer\""));
    CHECK(shown.headers.get("Set-Cookie") == std::string(k_redacted));
    CHECK_FALSE(contains(*shown.headers.get("Location"), "abcdefgh"));
    CHECK(contains(*shown.headers.get("Location"), "state=s"));
  }

  TEST_CASE("redacted hostile input") {
    Request request;
    request.url = "http://h/?&&=&code&%zz=1&code=x&&";
    request.headers.add("Authorization", "NoSpaceHere");
    request.headers.add("Content-Type", "application/json");
    request.body = "{not json";
    const auto shown = redacted(request);
    CHECK_FALSE(contains(shown.url, "code=x"));
    CHECK(shown.headers.get("Authorization") == std::string(k_redacted));
    CHECK(shown.body == "{not json");
  }
}
