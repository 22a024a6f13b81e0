// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/token_management.hpp>
#include <oauthctl/util/base64url.hpp>
#include <oauthctl/util/form.hpp>

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

ClientConfig demo_config() {
  ClientConfig config;
  config.server = "http://127.0.0.1:8080/";
  config.client_id = "demo-client";
  config.client_secret = "demo-secret";
  return config;
}

http::Response json_answer(int status, std::string body) {
  http::Response response;
  response.status = status;
  response.headers.add("Content-Type", "application/json");
  response.body = std::move(body);
  return response;
}

const std::string k_endpoint = "http://127.0.0.1:8080/auth/introspect";

} // namespace

TEST_SUITE("oauth.token_management") {
  TEST_CASE("endpoints: published, else Aidbox's paths under --server") {
    ServerMetadata metadata;
    CHECK(introspection_endpoint(metadata, demo_config()) == "http://127.0.0.1:8080/auth/introspect");
    CHECK(revocation_endpoint(metadata, demo_config()) == "http://127.0.0.1:8080/auth/revoke");
    metadata.introspection_endpoint = "https://as.example/token/introspection";
    metadata.revocation_endpoint = "https://as.example/token/revocation";
    CHECK(introspection_endpoint(metadata, demo_config()) == metadata.introspection_endpoint);
    CHECK(revocation_endpoint(metadata, demo_config()) == metadata.revocation_endpoint);
    CHECK(introspection_endpoint({}, {}).empty());
  }

  TEST_CASE("introspect_token: the request and an active answer") {
    OneAnswerClient client;
    client.answer = json_answer(200, R"({"active":true,"client_id":"demo-client","exp":1})");
    const auto result = introspect_token(client, demo_config(), k_endpoint, "tok en", "access_token");
    REQUIRE(result.has_value());
    CHECK(result->active);
    CHECK(result->raw["client_id"] == "demo-client");
    REQUIRE(client.sent.size() == 1);
    const auto& request = client.sent[0];
    CHECK(request.method == "POST");
    CHECK(request.url == k_endpoint);
    // RFC 7662 §2.1: the client authenticates as at the token endpoint (Basic by default).
    CHECK(request.headers.get("Authorization") == "Basic " + util::base64_encode("demo-client:demo-secret"));
    const auto form = util::form_decode(request.body);
    REQUIRE(form.has_value());
    CHECK(util::form_get(*form, "token") == "tok en");
    CHECK(util::form_get(*form, "token_type_hint") == "access_token");
    CHECK_FALSE(util::form_get(*form, "client_secret").has_value());
  }

  TEST_CASE("introspect_token: inactive, errors and malformed answers") {
    OneAnswerClient client;
    client.answer = json_answer(200, R"({"active":false})");
    auto result = introspect_token(client, demo_config(), k_endpoint, "t", "");
    REQUIRE(result.has_value());
    CHECK_FALSE(result->active);
    const auto form = util::form_decode(client.sent[0].body);
    CHECK_FALSE(util::form_get(*form, "token_type_hint").has_value());

    client.answer = json_answer(401, R"({"error":"invalid_client","error_description":"no"})");
    result = introspect_token(client, demo_config(), k_endpoint, "t", "");
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().kind == util::ErrorKind::oauth);
    CHECK(result.error().oauth_error == "invalid_client");

    for (const char* body : {"", "[]", "{}", R"({"active":"true"})", R"({"active":1})", "not json"}) {
      CAPTURE(body);
      client.answer = json_answer(200, body);
      result = introspect_token(client, demo_config(), k_endpoint, "t", "");
      REQUIRE_FALSE(result.has_value());
      CHECK(result.error().kind == util::ErrorKind::bad_response);
    }
    // Without a client secret the request is not sent at all.
    auto config = demo_config();
    config.client_secret.clear();
    const auto before = client.sent.size();
    result = introspect_token(client, config, k_endpoint, "t", "");
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().kind == util::ErrorKind::usage);
    CHECK(client.sent.size() == before);
  }

  TEST_CASE("revoke_token: 200 is success whatever the body, errors are OAuth errors") {
    OneAnswerClient client;
    client.answer = json_answer(200, "");
    auto config = demo_config();
    config.auth_method = AuthMethod::client_secret_post;
    CHECK(
      revoke_token(client, config, "http://127.0.0.1:8080/auth/revoke", "t", "refresh_token").has_value());
    const auto form = util::form_decode(client.sent[0].body);
    REQUIRE(form.has_value());
    CHECK(util::form_get(*form, "client_id") == "demo-client");
    CHECK(util::form_get(*form, "client_secret") == "demo-secret");
    CHECK(util::form_get(*form, "token_type_hint") == "refresh_token");

    client.answer = json_answer(400, R"({"error":"unsupported_token_type"})");
    const auto refused = revoke_token(client, config, "http://127.0.0.1:8080/auth/revoke", "t", "");
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().oauth_error == "unsupported_token_type");
    // Not an http(s) endpoint: nothing is sent.
    const auto before = client.sent.size();
    CHECK_FALSE(revoke_token(client, config, "javascript:alert(1)", "t", "").has_value());
    CHECK(client.sent.size() == before);
  }
}
