// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/fhir_client.hpp>
#include <oauthctl/oauth/www_authenticate.hpp>

#include <doctest/doctest.h>

using namespace oauthctl;
using namespace oauthctl::oauth;

TEST_SUITE("oauth") {
  TEST_CASE("check_fhir_path") {
    CHECK(check_fhir_path("Patient") == "Patient");
    CHECK(check_fhir_path("/Patient/pat-1") == "Patient/pat-1");
    CHECK(check_fhir_path("Patient?name=smith&_count=2") == "Patient?name=smith&_count=2");
    CHECK(check_fhir_path("metadata") == "metadata");
    CHECK(check_fhir_path("Observation?date=ge2020-01-01T00:00:00Z") ==
          "Observation?date=ge2020-01-01T00:00:00Z");
  }

  TEST_CASE("check_fhir_path hostile input") {
    for (const char* path : {"", "/", "Patient/../admin", "../etc", "Patient/..", "Patient/%2e%2e",
                             "Patient/%2E.", "Patient%2F..%2Fx", "Patient/./x", "http://evil.com/Patient",
                             "javascript:alert(1)", "//evil.com/Patient", "Patient name", "Patient\tx",
                             "Patient\n", "Patient#frag", "Patient\\x", "Patient/%zz"}) {
      CAPTURE(path);
      const auto result = check_fhir_path(path);
      REQUIRE_FALSE(result.has_value());
      CHECK(result.error().kind == util::ErrorKind::usage);
    }
  }

  TEST_CASE("parse_www_authenticate") {
    const auto challenge = parse_www_authenticate(
      R"(Bearer realm="fhir", error="insufficient_scope", error_description="needs \"x\"", scope=a)");
    REQUIRE(challenge.has_value());
    CHECK(challenge->scheme == "Bearer");
    CHECK(challenge->params.at("realm") == "fhir");
    CHECK(challenge->params.at("error") == "insufficient_scope");
    CHECK(challenge->params.at("error_description") == "needs \"x\"");
    CHECK(challenge->params.at("scope") == "a");
    CHECK(parse_www_authenticate("Basic")->params.empty());
    // Hostile: nothing breaks, what parses is kept.
    CHECK_FALSE(parse_www_authenticate("").has_value());
    CHECK_FALSE(parse_www_authenticate("  ,").has_value());
    CHECK(parse_www_authenticate(R"(Bearer error="unterminated)")->params.empty());
    CHECK(parse_www_authenticate(R"(Bearer ERROR=x, =y, z)")->params.at("error") == "x");
  }

  TEST_CASE("parse_fhir_error") {
    http::Response response;
    response.status = 403;
    response.headers.add("WWW-Authenticate", R"(Bearer error="insufficient_scope")");
    response.body = R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"forbidden",)"
                    R"("diagnostics":"scope does not allow Patient read"}]})";
    auto error = parse_fhir_error(response);
    CHECK(error.kind == util::ErrorKind::oauth);
    CHECK(util::describe(error) == "insufficient_scope: scope does not allow Patient read (HTTP 403)");

    response.headers = {};
    error = parse_fhir_error(response);
    CHECK(util::describe(error) == "forbidden: scope does not allow Patient read (HTTP 403)");

    response.status = 500;
    response.body = "<html>oops</html>";
    error = parse_fhir_error(response);
    CHECK(util::describe(error) == "FHIR server answered HTTP 500");

    response.body = R"({"resourceType":"OperationOutcome","issue":"not an array"})";
    CHECK(util::describe(parse_fhir_error(response)) == "FHIR server answered HTTP 500");
    response.body = R"({"resourceType":"OperationOutcome","issue":[42]})";
    CHECK(util::describe(parse_fhir_error(response)) == "error (HTTP 500)");
  }

  TEST_CASE("summarize_bundle") {
    const auto summary = summarize_bundle(
      R"({"resourceType":"Bundle","type":"searchset","total":3,"entry":[)"
      R"({"resource":{"resourceType":"Patient","id":"a"}},{"resource":{"resourceType":"Patient","id":"b"}},)"
      R"({"resource":{"resourceType":"Patient","id":"c"}}]})",
      2);
    REQUIRE(summary.has_value());
    CHECK(summary->type == "searchset");
    CHECK(summary->total == 3);
    CHECK(summary->entries == 3);
    CHECK(summary->first_ids == std::vector<std::string>{"Patient/a", "Patient/b"});

    CHECK_FALSE(summarize_bundle("").has_value());
    CHECK_FALSE(summarize_bundle("[]").has_value());
    CHECK_FALSE(summarize_bundle(R"({"resourceType":"Patient"})").has_value());
    const auto odd =
      summarize_bundle(R"({"resourceType":"Bundle","total":"x","entry":[1,{"resource":5},null]})");
    REQUIRE(odd.has_value());
    CHECK_FALSE(odd->total.has_value());
    CHECK(odd->entries == 3);
  }
}
