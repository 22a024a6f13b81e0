// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/client_auth.hpp>
#include <oauthctl/oauth/grants.hpp>
#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/oauth/token_endpoint.hpp>
#include <oauthctl/util/base64url.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace oauthctl;
using namespace oauthctl::oauth;

namespace {

// Answers every request with one response and keeps the requests.
class OneAnswerClient final : public http::Client {
public:
  http::Response answer;
  std::vector<http::Request> sent;
  util::Result<http::Response> send(const http::Request& request) override {
    sent.push_back(request);
    return answer;
  }
};

class RecordingObserver final : public FlowObserver {
public:
  std::vector<std::string> warnings;
  void on_step(std::string_view, std::string_view) override {}
  void on_warning(std::string_view message) override { warnings.emplace_back(message); }
};

ClientConfig demo_config() {
  ClientConfig config;
  config.client_id = "demo-client";
  config.client_secret = "demo-secret";
  return config;
}

} // namespace

TEST_SUITE("oauth") {
  TEST_CASE("basic_authorization") {
    CHECK(basic_authorization("demo-client", "demo-secret") ==
          "Basic " + util::base64_encode("demo-client:demo-secret"));
    // RFC 6749 §2.3.1: form-urlencode before base64, so ':' in the id survives.
    CHECK(basic_authorization("a:b", "p w+%") == "Basic " + util::base64_encode("a%3Ab:p%20w%2B%25"));
    CHECK(basic_authorization("é", "") == "Basic " + util::base64_encode("%C3%A9:"));
  }

  TEST_CASE("apply_client_auth") {
    auto config = demo_config();
    util::FormFields form;
    http::Headers headers;
    SUBCASE("client_secret_basic") {
      REQUIRE(apply_client_auth(config, form, headers).has_value());
      CHECK(headers.get("Authorization") == basic_authorization("demo-client", "demo-secret"));
      CHECK(form.empty());
    }
    SUBCASE("client_secret_post") {
      config.auth_method = AuthMethod::client_secret_post;
      REQUIRE(apply_client_auth(config, form, headers).has_value());
      CHECK_FALSE(headers.get("Authorization").has_value());
      CHECK(util::form_get(form, "client_id") == "demo-client");
      CHECK(util::form_get(form, "client_secret") == "demo-secret");
    }
    SUBCASE("none") {
      config.auth_method = AuthMethod::none;
      config.client_secret.clear();
      REQUIRE(apply_client_auth(config, form, headers).has_value());
      CHECK(util::form_get(form, "client_id") == "demo-client");
      CHECK_FALSE(util::form_get(form, "client_secret").has_value());
    }
    SUBCASE("missing pieces") {
      config.client_secret.clear();
      auto result = apply_client_auth(config, form, headers);
      REQUIRE_FALSE(result.has_value());
      CHECK(result.error().kind == util::ErrorKind::usage);
      config.client_id.clear();
      result = apply_client_auth(config, form, headers);
      REQUIRE_FALSE(result.has_value());
      CHECK(result.error().message.find("--client-id") != std::string::npos);
    }
    SUBCASE("private_key_jwt: a fresh signed assertion, no secret") {
      config.auth_method = AuthMethod::private_key_jwt;
      config.client_secret.clear();
      // Without a key: a usage error naming the option.
      auto result = apply_client_auth(config, "https://as/auth/token", form, headers);
      REQUIRE_FALSE(result.has_value());
      CHECK(result.error().kind == util::ErrorKind::usage);
      CHECK(result.error().message.find("--private-key") != std::string::npos);
      config.assertion.private_key_pem = SigningKey::generate_ec(JwsAlg::es256)->to_pem();
      // The three-argument form takes the audience from --token-url; there is none here.
      CHECK(apply_client_auth(config, form, headers).error().kind == util::ErrorKind::usage);
      REQUIRE(apply_client_auth(config, "https://as/auth/token", form, headers).has_value());
      CHECK_FALSE(headers.get("Authorization").has_value());
      CHECK(util::form_get(form, "client_id") == "demo-client");
      CHECK(util::form_get(form, "client_assertion_type") ==
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
      CHECK_FALSE(util::form_get(form, "client_secret").has_value());
      const auto jwt = decode_jwt(*util::form_get(form, "client_assertion"));
      REQUIRE(jwt.has_value());
      CHECK(jwt->header["alg"] == "ES256");
      CHECK(jwt->claims["aud"] == "https://as/auth/token");
      CHECK(jwt->claims["iss"] == "demo-client");
      CHECK(jwt->claims["sub"] == "demo-client");
    }
  }

  TEST_CASE("client_credentials_form") {
    auto config = demo_config();
    CHECK(client_credentials_form(config) == util::FormFields{{"grant_type", "client_credentials"}});
    config.scope = "system/*.read";
    config.audience = "https://fhir";
    config.resource = "https://fhir/r4";
    const auto form = client_credentials_form(config);
    CHECK(util::form_get(form, "scope") == "system/*.read");
    CHECK(util::form_get(form, "audience") == "https://fhir");
    CHECK(util::form_get(form, "resource") == "https://fhir/r4");
  }

  TEST_CASE("build_token_request") {
    const auto config = demo_config();
    ServerMetadata metadata;
    metadata.token_endpoint = "http://127.0.0.1:8080/auth/token";
    const auto request = build_token_request(config, metadata, client_credentials_form(config));
    REQUIRE(request.has_value());
    CHECK(request->method == "POST");
    CHECK(request->url == metadata.token_endpoint);
    CHECK(request->headers.get("Content-Type") == "application/x-www-form-urlencoded");
    CHECK(request->body == "grant_type=client_credentials");

    metadata.token_endpoint = "javascript:alert(1)";
    const auto bad = build_token_request(config, metadata, {});
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().kind == util::ErrorKind::bad_response);
  }

  TEST_CASE("run_client_credentials") {
    OneAnswerClient client;
    client.answer.status = 200;
    client.answer.body =
      R"({"access_token":"tok","token_type":"Bearer","expires_in":60,"scope":"system/Patient.read"})";
    auto config = demo_config();
    config.scope = "system/Patient.read system/Observation.read";
    ServerMetadata metadata;
    metadata.token_endpoint = "https://as.example.com/auth/token";
    RecordingObserver observer;
    const FlowContext context{client, config, metadata, observer};
    const auto token = run_grant(context, GrantType::client_credentials);
    REQUIRE(token.has_value());
    CHECK(token->access_token == "tok");
    REQUIRE(client.sent.size() == 1);
    CHECK(client.sent[0].body.find("grant_type=client_credentials") == 0);
    REQUIRE(observer.warnings.size() == 1);
    CHECK(observer.warnings[0].find("system/Observation.read") != std::string::npos);

    SUBCASE("plain http to a remote host warns") {
      metadata.token_endpoint = "http://as.example.com/auth/token";
      config.scope.clear();
      observer.warnings.clear();
      REQUIRE(run_client_credentials(context).has_value());
      REQUIRE(observer.warnings.size() == 1);
      CHECK(observer.warnings[0].find("plain http") != std::string::npos);
    }
    SUBCASE("a public client cannot use it") {
      config.auth_method = AuthMethod::none;
      const auto refused = run_client_credentials(context);
      REQUIRE_FALSE(refused.has_value());
      CHECK(refused.error().kind == util::ErrorKind::usage);
    }
  }

  TEST_CASE("grant table") {
    CHECK(grant_table().size() == 8);
    REQUIRE(find_grant("client_credentials") != nullptr);
    CHECK((find_grant("client_credentials")->run != nullptr));
    REQUIRE(find_grant("urn:ietf:params:oauth:grant-type:device_code") != nullptr);
    CHECK(find_grant("nope") == nullptr);
    CHECK(grant_names().find("jwt_bearer") != std::string::npos);

    OneAnswerClient client;
    const auto config = demo_config();
    ServerMetadata metadata;
    SilentFlowObserver observer;
    const FlowContext context{client, config, metadata, observer};
    const auto result = run_grant(context, GrantType::password);
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().kind == util::ErrorKind::usage);
    // The password grant wants a username before it sends anything.
    CHECK(result.error().message.find("--username") != std::string::npos);
    CHECK(client.sent.empty());
  }
}
