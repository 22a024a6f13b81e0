// SPDX-License-Identifier: MIT
// The check table's contract (every check explained and tied to a spec section, stable
// ids under their group), selection, baselines, and the JUnit/JSON reports.
#include <oauthctl/oauth/check.hpp>
#include <oauthctl/oauth/metadata_audit.hpp>

#include <doctest/doctest.h>

#include <set>
#include <string>

using namespace oauthctl::oauth;
using namespace oauthctl::oauth::check;

TEST_SUITE("oauth") {
  TEST_CASE("every check has an id under its group, a spec reference, explain text and a run function") {
    std::set<std::string_view> ids;
    for (const auto& info : check_table()) {
      CAPTURE(info.id);
      CHECK(ids.insert(info.id).second);
      CHECK(info.id.substr(0, info.group.size() + 1) == std::string(info.group) + ".");
      CHECK(info.spec.size() >= 6);
      CHECK((info.spec.find("RFC") != std::string_view::npos ||
             info.spec.find("OpenID") != std::string_view::npos ||
             info.spec.find("SMART") != std::string_view::npos));
      CHECK(info.explain.size() >= 40);
      CHECK((info.run != nullptr));
      CHECK(find_check(info.id) == &info);
    }
    CHECK(check_table().size() >= 50);
    CHECK(find_check("no.such-check") == nullptr);
  }

  TEST_CASE("selection by id and group, and unknown names") {
    const auto* issuer = find_check("discovery.issuer-exact");
    const auto* state = find_check("authorization-code.state");
    REQUIRE(issuer != nullptr);
    REQUIRE(state != nullptr);
    CHECK(selected(*issuer, {}));
    CHECK(selected(*issuer, {{"discovery"}, {}}));
    CHECK_FALSE(selected(*state, {{"discovery"}, {}}));
    CHECK(selected(*state, {{"discovery", "authorization-code.state"}, {}}));
    CHECK_FALSE(selected(*issuer, {{"discovery"}, {"discovery.issuer-exact"}}));
    CHECK(unknown_names({{"discovery", "nope"}, {"token.nope"}}) ==
          std::vector<std::string>{"nope", "token.nope"});
  }

  TEST_CASE("parse_baseline: one id a line, comments and blanks ignored") {
    const auto baseline = parse_baseline("# known\n discovery.jwks \r\n\ntoken.no-store # ticket 12\n#x\n");
    CHECK(baseline == Baseline{"discovery.jwks", "token.no-store"});
    CHECK(parse_baseline("").empty());
  }

  TEST_CASE("tally, summary line and reports") {
    std::vector<Result> results(5);
    results[0] = {find_check("discovery.jwks"), Status::pass, "ok", 1.5, {}, false, true};
    results[1] = {find_check("token.no-store"),
                  Status::fail,
                  "no <Cache-Control> & \"x\"",
                  2,
                  {"> POST x\n< HTTP 200\n"},
                  false,
                  false};
    results[2] = {find_check("token.wrong-secret"), Status::fail, "known", 1, {}, true, false};
    results[3] = {find_check("refresh.grant"), Status::skip, "no refresh", 0, {}, false, false};
    results[4] = {find_check("discovery.rfc9700-audit"), Status::warn, "implicit", 0, {}, false, false};
    const auto counts = tally(results);
    CHECK(summary_line(counts) == "2 passed, 1 failed, 1 skipped");
    CHECK(counts.known == 1);
    CHECK(counts.fixed == 1);
    const auto xml = junit_xml(results, "http://127.0.0.1:1");
    CHECK(xml.find("<testcase name=\"token.no-store\" classname=\"token\"") != std::string::npos);
    CHECK(xml.find("message=\"no &lt;Cache-Control&gt; &amp; &quot;x&quot;\"") != std::string::npos);
    CHECK(xml.find("<property name=\"spec\" value=\"RFC 6749 §5.1\"/>") != std::string::npos);
    CHECK(xml.find("&gt; POST x") != std::string::npos);
    CHECK(xml.find("<skipped message=\"no refresh\"/>") != std::string::npos);
    const auto json = results_json(results, "http://127.0.0.1:1");
    CHECK(json["summary"]["failed"] == 1);
    CHECK(json["checks"][1]["exchanges"].size() == 1);
    CHECK(json["checks"][0]["baseline_fixed"] == true);
  }

  TEST_CASE("audit_metadata: the RFC 9700 findings discover and check share") {
    CHECK(audit_metadata({{"code_challenge_methods_supported", {"S256"}}}).empty());
    const auto findings = audit_metadata({{"grant_types_supported", {"password", "implicit"}},
                                          {"code_challenge_methods_supported", {"S256", "plain"}},
                                          {"token_endpoint", "http://as.example/token"},
                                          {"jwks_uri", "http://127.0.0.1:8080/jwks"}});
    REQUIRE(findings.size() == 4);
    CHECK(findings[0].find("implicit") != std::string::npos);
    CHECK(findings[1].find("password") != std::string::npos);
    CHECK(findings[2].find("plain") != std::string::npos);
    CHECK(findings[3].find("token_endpoint") != std::string::npos);
    CHECK(audit_metadata(nlohmann::json::array()).empty());
    // A response type with the word "token" is the implicit grant, whatever its position.
    const auto implicit = audit_metadata({{"response_types_supported", {"code", "code id_token token"}},
                                          {"code_challenge_methods_supported", {"S256"}}});
    REQUIRE(implicit.size() == 1);
    CHECK(implicit[0].find("implicit") != std::string::npos);
    CHECK(audit_metadata(
            {{"response_types_supported", {"code", "code id_token", "tokens", "token_x id_token", " "}},
             {"code_challenge_methods_supported", {"S256"}}})
            .empty());
  }
}
