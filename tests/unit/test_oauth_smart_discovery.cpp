// SPDX-License-Identifier: MIT
#include "server/fhir/capability.hpp"

#include <oauthctl/oauth/smart_discovery.hpp>

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

using namespace oauthctl;
using namespace oauthctl::oauth;

namespace {

// Answers from a table and records what was asked: no sockets in unit tests.
class TableClient final : public http::Client {
public:
  std::map<std::string, http::Response> answers;
  std::vector<std::string> asked;
  util::Result<http::Response> send(const http::Request& request) override {
    asked.push_back(request.url);
    const auto it = answers.find(request.url);
    if (it != answers.end()) {
      return it->second;
    }
    http::Response not_found;
    not_found.status = 404;
    return not_found;
  }
};

http::Response json_response(std::string body) {
  http::Response response;
  response.status = 200;
  response.headers.add("Content-Type", "application/json");
  response.body = std::move(body);
  return response;
}

const std::string k_smart =
  R"({"authorization_endpoint":"http://h:1/auth/authorize",)"
  R"("token_endpoint":"http://h:1/auth/token","capabilities":["launch-standalone"]})";

} // namespace

TEST_SUITE("oauth") {
  TEST_CASE("parse_oauth_uris reads serve's own CapabilityStatement") {
    const server::FhirDataset dataset("http://h:1/fhir");
    const auto capability = server::capability_statement("http://h:1", dataset);
    const auto metadata = parse_oauth_uris(capability, "http://h:1/fhir/metadata", "http://h:1/fhir");
    REQUIRE(metadata.has_value());
    CHECK(metadata->token_endpoint == "http://h:1/auth/token");
    CHECK(metadata->source == "http://h:1/fhir/metadata");
    CHECK(metadata->raw["token_endpoint"] == "http://h:1/auth/token");
  }

  TEST_CASE("parse_oauth_uris hostile input") {
    const auto uris = [](const std::string& text) {
      return parse_oauth_uris(nlohmann::json::parse(text), "src", "http://h/fhir");
    };
    CHECK_FALSE(uris("{}"));
    CHECK_FALSE(uris(R"({"resourceType":"Patient"})"));
    CHECK_FALSE(uris(R"({"resourceType":"CapabilityStatement","rest":{}})"));
    CHECK_FALSE(uris(R"({"resourceType":"CapabilityStatement","rest":[{"security":[]}]})"));
    const std::string prefix =
      R"({"resourceType":"CapabilityStatement","rest":[{"security":{"extension":[{"url":)"
      R"("http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris","extension":)";
    // A token URI that is not an absolute http(s) URL is never used.
    CHECK_FALSE(uris(prefix + R"J([{"url":"token","valueUri":"javascript:alert(1)"}]}]}}]})J"));
    CHECK_FALSE(uris(prefix + R"([{"url":"token","valueUri":42}]}]}}]})"));
    CHECK_FALSE(uris(prefix + R"("x"}]}}]})"));
    const auto ok = uris(prefix + R"([{"url":"token","valueUri":"https://as/token"}]}]}}]})");
    REQUIRE(ok.has_value());
    CHECK(ok->token_endpoint == "https://as/token");
    CHECK(ok->issuer == "http://h/fhir");
  }

  TEST_CASE("parse_smart_configuration without issuer") {
    const auto metadata = parse_smart_configuration(k_smart, "src", "http://h:1/fhir/");
    REQUIRE(metadata.has_value());
    CHECK(metadata->issuer == "http://h:1/fhir");
    CHECK(metadata->token_endpoint == "http://h:1/auth/token");
    CHECK_FALSE(metadata->raw.contains("issuer")); // raw is the document as published
    CHECK_FALSE(parse_smart_configuration(R"({"token_endpoint":"/relative"})", "src", "http://h/fhir"));
    CHECK_FALSE(parse_smart_configuration("<html>", "src", "http://h/fhir"));
  }

  TEST_CASE("discover from a FHIR base") {
    SUBCASE("smart-configuration before the OAuth documents") {
      TableClient client;
      client.answers["http://h:1/fhir/.well-known/smart-configuration"] = json_response(k_smart);
      const auto metadata = discover(client, "http://h:1/fhir/");
      REQUIRE(metadata.has_value());
      CHECK(metadata->token_endpoint == "http://h:1/auth/token");
      CHECK(metadata->source == "http://h:1/fhir/.well-known/smart-configuration");
      CHECK(client.asked.size() == 1);
    }
    SUBCASE("then the CapabilityStatement's oauth-uris") {
      TableClient client;
      const server::FhirDataset dataset("http://h:1/fhir");
      client.answers["http://h:1/fhir/metadata"] =
        json_response(server::capability_statement("http://h:1", dataset).dump());
      const auto metadata = discover(client, "http://h:1/fhir");
      REQUIRE(metadata.has_value());
      CHECK(metadata->token_endpoint == "http://h:1/auth/token");
      CHECK(client.asked == std::vector<std::string>{"http://h:1/fhir/.well-known/smart-configuration",
                                                     "http://h:1/fhir/metadata"});
    }
    SUBCASE("a bare origin asks the OAuth documents first, SMART's after them") {
      TableClient client;
      client.answers["http://h:1/.well-known/smart-configuration"] = json_response(k_smart);
      const auto metadata = discover(client, "http://h:1");
      REQUIRE(metadata.has_value());
      CHECK(metadata->source == "http://h:1/.well-known/smart-configuration");
      CHECK(client.asked.size() == 3);
    }
    SUBCASE("--fhir-url alone") {
      TableClient client;
      ClientConfig config;
      config.fhir_url = "http://h:1/fhir";
      CHECK_FALSE(resolve_metadata(client, config, Discovery::always).has_value());
      client.answers["http://h:1/fhir/.well-known/smart-configuration"] = json_response(k_smart);
      const auto metadata = resolve_metadata(client, config, Discovery::always);
      REQUIRE(metadata.has_value());
      CHECK(metadata->token_endpoint == "http://h:1/auth/token");
    }
  }

  TEST_CASE("default_fhir_base") {
    ClientConfig config;
    config.server = "http://h:1";
    CHECK(default_fhir_base(config) == "http://h:1/fhir");
    config.server = "http://h:1/fhir/";
    CHECK(default_fhir_base(config) == "http://h:1/fhir");
    config.server = "http://h:1/base/FHIR";
    CHECK(default_fhir_base(config) == "http://h:1/base/FHIR");
    config.fhir_url = "http://other/r4";
    CHECK(default_fhir_base(config) == "http://other/r4");
  }
}
