// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/metadata.hpp>

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

const std::string k_document =
  R"({"issuer":"http://h:1","token_endpoint":"http://h:1/auth/token",)"
  R"("jwks_uri":"http://h:1/.well-known/jwks.json","grant_types_supported":["client_credentials"]})";

} // namespace

TEST_SUITE("oauth") {
  TEST_CASE("aidbox_defaults") {
    const auto metadata = aidbox_defaults("http://h:8080/");
    CHECK(metadata.token_endpoint == "http://h:8080/auth/token");
    CHECK(metadata.authorization_endpoint == "http://h:8080/auth/authorize");
    CHECK(metadata.jwks_uri == "http://h:8080/.well-known/jwks.json");
    CHECK(metadata.source == "defaults");
  }

  TEST_CASE("discovery_urls") {
    CHECK(discovery_urls("http://h:1") ==
          std::vector<std::string>{"http://h:1/.well-known/oauth-authorization-server",
                                   "http://h:1/.well-known/openid-configuration"});
    // RFC 8414 §3.1 inserts, OIDC appends.
    CHECK(discovery_urls("https://h/tenant/") ==
          std::vector<std::string>{"https://h/.well-known/oauth-authorization-server/tenant",
                                   "https://h/tenant/.well-known/openid-configuration"});
    CHECK(discovery_urls("not a url").empty());
  }

  TEST_CASE("parse_metadata") {
    const auto metadata = parse_metadata(k_document, "src");
    REQUIRE(metadata.has_value());
    CHECK(metadata->issuer == "http://h:1");
    CHECK(metadata->token_endpoint == "http://h:1/auth/token");
    CHECK(metadata->source == "src");
    CHECK(metadata->raw["grant_types_supported"][0] == "client_credentials");
  }

  TEST_CASE("parse_metadata hostile input") {
    const auto bad = [](const std::string& body) {
      const auto result = parse_metadata(body, "src");
      return !result.has_value() && result.error().kind == util::ErrorKind::bad_response;
    };
    CHECK(bad(""));
    CHECK(bad("<html>"));
    CHECK(bad("[]"));
    CHECK(bad("{}"));
    CHECK(bad(R"({"issuer":"http://h"})"));
    CHECK(bad(R"({"token_endpoint":"http://h/t"})"));
    CHECK(bad(R"({"issuer":"http://h","token_endpoint":42})"));
    CHECK(bad(R"({"issuer":"http://h","token_endpoint":"/relative"})"));
    CHECK(bad(R"J({"issuer":"http://h","token_endpoint":"javascript:alert(1)"})J"));
    CHECK(bad(R"({"issuer":"http://h","token_endpoint":"http://u:p@evil/t"})"));
    CHECK(bad(R"({"issuer":"http://h","token_endpoint":"http://h/t","jwks_uri":["x"]})"));
  }

  TEST_CASE("discover") {
    SUBCASE("RFC 8414 document first") {
      TableClient client;
      client.answers["http://h:1/.well-known/oauth-authorization-server"] = json_response(k_document);
      const auto metadata = discover(client, "http://h:1");
      REQUIRE(metadata.has_value());
      CHECK(metadata->source == "http://h:1/.well-known/oauth-authorization-server");
      CHECK(client.asked.size() == 1);
    }
    SUBCASE("OpenID configuration second") {
      TableClient client;
      client.answers["http://h:1/.well-known/openid-configuration"] = json_response(k_document);
      const auto metadata = discover(client, "http://h:1/");
      REQUIRE(metadata.has_value());
      CHECK(metadata->source == "http://h:1/.well-known/openid-configuration");
      CHECK(client.asked.size() == 2);
    }
    SUBCASE("Aidbox defaults when nothing is published") {
      TableClient client;
      client.answers["http://h:1/.well-known/oauth-authorization-server"] = json_response("<html>spa</html>");
      const auto metadata = discover(client, "http://h:1");
      REQUIRE(metadata.has_value());
      CHECK(metadata->source == "defaults");
      CHECK(metadata->token_endpoint == "http://h:1/auth/token");
    }
    SUBCASE("broken published metadata is an error") {
      TableClient client;
      client.answers["http://h:1/.well-known/oauth-authorization-server"] = json_response(R"({"issuer":1})");
      const auto metadata = discover(client, "http://h:1");
      REQUIRE_FALSE(metadata.has_value());
      CHECK(metadata.error().kind == util::ErrorKind::bad_response);
    }
  }

  TEST_CASE("resolve_metadata") {
    TableClient client;
    ClientConfig config;
    SUBCASE("nothing to go on") {
      const auto metadata = resolve_metadata(client, config, Discovery::always);
      REQUIRE_FALSE(metadata.has_value());
      CHECK(metadata.error().kind == util::ErrorKind::usage);
    }
    SUBCASE("--token-url skips discovery") {
      config.server = "http://h:1";
      config.token_url = "http://other/token";
      const auto metadata = resolve_metadata(client, config, Discovery::unless_overridden);
      REQUIRE(metadata.has_value());
      CHECK(metadata->token_endpoint == "http://other/token");
      CHECK(client.asked.empty());
    }
    SUBCASE("--token-url overrides a discovered endpoint") {
      config.server = "http://h:1";
      config.token_url = "http://other/token";
      client.answers["http://h:1/.well-known/oauth-authorization-server"] = json_response(k_document);
      const auto metadata = resolve_metadata(client, config, Discovery::always);
      REQUIRE(metadata.has_value());
      CHECK(metadata->token_endpoint == "http://other/token");
      CHECK(metadata->jwks_uri == "http://h:1/.well-known/jwks.json");
    }
    SUBCASE("with a client certificate, mtls_endpoint_aliases replace the endpoints (RFC 8705 section 5)") {
      config.server = "https://h:1";
      auto document = nlohmann::json::parse(k_document);
      document["issuer"] = "https://h:1";
      document["authorization_endpoint"] = "https://h:1/auth/authorize";
      document["mtls_endpoint_aliases"] = {
        {"token_endpoint", "https://h:2/auth/token"},
        {"introspection_endpoint", "https://h:2/auth/introspect"},
        {"revocation_endpoint", "https://h:2/auth/revoke"},
        {"device_authorization_endpoint", "https://h:2/auth/device"},
        {"userinfo_endpoint", "https://h:2/auth/userinfo"},
        // Not one of the five, and a certificate never goes over plain HTTP: ignored.
        {"authorization_endpoint", "https://h:2/auth/authorize"},
      };
      client.answers["https://h:1/.well-known/oauth-authorization-server"] = json_response(document.dump());
      const auto plain = resolve_metadata(client, config, Discovery::always);
      REQUIRE(plain.has_value());
      CHECK(plain->token_endpoint == document["token_endpoint"]);
      config.mutual_tls = true;
      const auto metadata = resolve_metadata(client, config, Discovery::always);
      REQUIRE(metadata.has_value());
      CHECK(metadata->token_endpoint == "https://h:2/auth/token");
      CHECK(metadata->introspection_endpoint == "https://h:2/auth/introspect");
      CHECK(metadata->revocation_endpoint == "https://h:2/auth/revoke");
      CHECK(metadata->device_authorization_endpoint == "https://h:2/auth/device");
      CHECK(metadata->userinfo_endpoint == "https://h:2/auth/userinfo");
      CHECK(metadata->authorization_endpoint == "https://h:1/auth/authorize");
      // --token-url still wins over an alias.
      config.token_url = "https://other/token";
      CHECK(resolve_metadata(client, config, Discovery::always)->token_endpoint == "https://other/token");
    }
    SUBCASE("hostile mtls_endpoint_aliases change nothing they should not") {
      ServerMetadata metadata;
      metadata.token_endpoint = "https://h:1/auth/token";
      for (const char* aliases : {R"x(null)x", R"x("https://h:2")x", R"x([1,2])x",
                                  R"x({"token_endpoint":"http://h:2/auth/token"})x",
                                  R"x({"token_endpoint":"javascript:alert(1)"})x",
                                  R"x({"token_endpoint":42})x", R"x({"token_endpoint":{"x":1}})x"}) {
        const std::string shown = aliases;
        CAPTURE(shown);
        metadata.raw = {{"mtls_endpoint_aliases", nlohmann::json::parse(aliases)}};
        use_mtls_endpoint_aliases(metadata);
        CHECK(metadata.token_endpoint == "https://h:1/auth/token");
      }
      metadata.raw = nullptr;
      use_mtls_endpoint_aliases(metadata);
      CHECK(metadata.token_endpoint == "https://h:1/auth/token");
    }
    SUBCASE("bad server URL") {
      config.server = "javascript:alert(1)";
      const auto metadata = resolve_metadata(client, config, Discovery::always);
      REQUIRE_FALSE(metadata.has_value());
      CHECK(metadata.error().kind == util::ErrorKind::usage);
    }
  }

  TEST_CASE("the discovered issuer must be the server asked (RFC 8414 section 3.3)") {
    TableClient client;
    ClientConfig config;
    config.server = "http://h:1";
    const auto evil = R"({"issuer":"http://evil.example","token_endpoint":"http://h:1/auth/token"})";
    SUBCASE("another issuer is refused as a mix-up") {
      client.answers["http://h:1/.well-known/oauth-authorization-server"] = json_response(evil);
      const auto metadata = resolve_metadata(client, config, Discovery::always);
      REQUIRE_FALSE(metadata.has_value());
      CHECK(metadata.error().kind == util::ErrorKind::bad_response);
      CHECK(
        metadata.error().message ==
        "http://h:1/.well-known/oauth-authorization-server says its issuer is http://evil.example, not "
        "http://h:1: refused (RFC 8414 §3.3, mix-up defence); if http://evil.example is this server's real "
        "issuer (behind a proxy or gateway), give --issuer http://evil.example");
    }
    SUBCASE("the OpenID document too") {
      client.answers["http://h:1/.well-known/openid-configuration"] = json_response(evil);
      CHECK_FALSE(resolve_metadata(client, config, Discovery::always).has_value());
    }
    SUBCASE("--issuer states the expected issuer") {
      client.answers["http://h:1/.well-known/oauth-authorization-server"] = json_response(evil);
      config.issuer = "http://evil.example/";
      const auto metadata = resolve_metadata(client, config, Discovery::always);
      REQUIRE(metadata.has_value());
      CHECK(metadata->issuer == "http://evil.example");
      config.issuer = "http://other.example";
      CHECK_FALSE(resolve_metadata(client, config, Discovery::always).has_value());
    }
    SUBCASE("the same URL written differently is the same issuer") {
      client.answers["http://h:1/.well-known/oauth-authorization-server"] = json_response(k_document);
      config.server = "HTTP://H:1/";
      CHECK(resolve_metadata(client, config, Discovery::always).has_value());
    }
    SUBCASE("a SMART configuration from a FHIR base may name another origin") {
      config.server = "http://h:1/fhir";
      client.answers["http://h:1/fhir/.well-known/smart-configuration"] =
        json_response(R"({"issuer":"http://auth.example","token_endpoint":"http://auth.example/token",)"
                      R"("authorization_endpoint":"http://auth.example/authorize"})");
      const auto metadata = resolve_metadata(client, config, Discovery::always);
      REQUIRE(metadata.has_value());
      CHECK(metadata->issuer == "http://auth.example");
      config.issuer = "http://elsewhere.example";
      CHECK_FALSE(resolve_metadata(client, config, Discovery::always).has_value());
    }
    SUBCASE("--issuer names the issuer of the defaults") {
      config.issuer = "http://proxy.example";
      const auto metadata = resolve_metadata(client, config, Discovery::always);
      REQUIRE(metadata.has_value());
      CHECK(metadata->source == "defaults");
      CHECK(metadata->issuer == "http://proxy.example");
    }
  }
}
