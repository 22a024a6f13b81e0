// SPDX-License-Identifier: MIT
#include <oauthctl/server/demo.hpp>
#include <oauthctl/server/seed.hpp>

#include <doctest/doctest.h>

using namespace oauthctl::server;
using Json = nlohmann::json;

TEST_SUITE("server.seed") {
  TEST_CASE("an Aidbox Client resource as it is") {
    const auto document = Json::parse(R"({
      "resourceType": "Client", "id": "backend", "secret": "s", "first_party": true,
      "grant_types": ["client_credentials", "code", "basic"],
      "scope": ["system/*.read"],
      "meta": {"lastUpdated": "2024-01-01"},
      "auth": {
        "client_credentials": {"access_token_expiration": 300, "token_format": "jwt", "audience": "https://api"},
        "authorization_code": {"redirect_uri": "http://localhost/cb", "pkce": true, "refresh_token": true}
      }})");
    const auto seed = parse_seed(document, "serve.json");
    REQUIRE(seed.has_value());
    REQUIRE(seed->clients.size() == 1);
    const auto& client = seed->clients[0];
    CHECK(client.id == "backend");
    CHECK(client.secret == "s");
    CHECK(client.first_party);
    CHECK(client.allows_grant("authorization_code"));
    CHECK(client.allows_grant("client_credentials"));
    CHECK(client.scopes == std::vector<std::string>{"system/*.read"});
    CHECK(client.settings("client_credentials").access_token_expiration == 300);
    CHECK(client.settings("client_credentials").audience == std::vector<std::string>{"https://api"});
    CHECK(client.settings("authorization_code").redirect_uris ==
          std::vector<std::string>{"http://localhost/cb"});
    CHECK(client.settings("authorization_code").pkce == true);
    CHECK_FALSE(client.settings("password").access_token_expiration.has_value());

    // What the store keeps parses back to the same client, without the secret.
    const auto stored = to_resource(client);
    CHECK_FALSE(stored.contains("secret"));
    const auto again = parse_client(stored, "store");
    REQUIRE(again.has_value());
    CHECK(again->grant_types == client.grant_types);
    CHECK(again->settings("client_credentials").audience == client.settings("client_credentials").audience);
  }

  TEST_CASE("three document shapes") {
    const auto lists = parse_seed(Json::parse(R"({"clients":[{"id":"a"}],"users":[{"id":"u","password":"p",
      "email":"u@example.org","name":{"givenName":"U"},"fhirUser":{"resourceType":"Patient","id":"pt-1"}}]})"),
                                  "f");
    REQUIRE(lists.has_value());
    CHECK(lists->clients.size() == 1);
    REQUIRE(lists->users.size() == 1);
    CHECK(lists->users[0].password == "p");
    CHECK(lists->users[0].fhir_user["id"] == "pt-1");

    const auto bundle = parse_seed(Json::parse(R"({"resourceType":"Bundle","type":"transaction","entry":[
      {"resource":{"resourceType":"Client","id":"a"},"request":{"method":"PUT","url":"Client/a"}},
      {"resource":{"resourceType":"User","id":"u"}}]})"),
                                   "f");
    REQUIRE(bundle.has_value());
    CHECK(bundle->clients.size() == 1);
    CHECK(bundle->users.size() == 1);

    const auto array = parse_seed(Json::parse(R"([{"resourceType":"User","id":"u"},
                                                  {"resourceType":"Client","id":"c"}])"),
                                  "f");
    REQUIRE(array.has_value());
    CHECK(array->clients.size() == 1);
  }

  TEST_CASE("malformed seeds name the file and the problem") {
    auto error_of = [](const char* text) {
      const auto document = Json::parse(text, nullptr, false);
      const auto seed = parse_seed(document, "serve.json");
      REQUIRE_FALSE(seed.has_value());
      CHECK(seed.error().kind == oauthctl::util::ErrorKind::config);
      CHECK(seed.error().message.find("serve.json") == 0);
      return seed.error().message;
    };
    CHECK(error_of("42").find("expected") != std::string::npos);
    CHECK(error_of(R"({"clients":{}})").find("clients") != std::string::npos);
    CHECK(error_of(R"({"clients":[{"secret":"x"}]})").find("`id`") != std::string::npos);
    CHECK(error_of(R"({"clients":[{"id":""}]})").find("`id`") != std::string::npos);
    CHECK(error_of(R"({"clients":[{"id":"a b"}]})").find("`id`") != std::string::npos);
    CHECK(error_of(R"({"clients":[{"id":"a","grant_types":[1]}]})").find("grant_types") != std::string::npos);
    CHECK(error_of(R"({"clients":[{"id":"a","secret":5}]})").find("secret") != std::string::npos);
    CHECK(error_of(R"({"clients":[{"id":"a","auth":[]}]})").find("auth") != std::string::npos);
    CHECK(error_of(R"({"clients":[{"id":"a","auth":{"client_credentials":{"access_token_expiration":-1}}}]})")
            .find("access_token_expiration") != std::string::npos);
    CHECK(error_of(R"({"clients":[{"id":"a","first_party":"yes"}]})").find("first_party") !=
          std::string::npos);
    CHECK(error_of(R"({"clients":[{"id":"a","jwks":"x"}]})").find("jwks") != std::string::npos);
    CHECK(error_of(R"({"users":[{"id":"u","name":5}]})").find("name") != std::string::npos);
    CHECK(error_of(R"([{"resourceType":"Patient","id":"p"}])").find("resourceType") != std::string::npos);
    CHECK(error_of(R"([5])").find("[0]") != std::string::npos);
    CHECK(error_of(R"({"resourceType":"Bundle","entry":[5]})").find("entry[0]") != std::string::npos);
  }

  TEST_CASE("load_seed_file") {
    const auto missing = load_seed_file("/nonexistent/serve.json");
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().message.find("/nonexistent/serve.json") == 0);
  }

  TEST_CASE("demo seed and banner") {
    const auto seed = demo_seed();
    REQUIRE(seed.clients.size() == 2);
    const auto& confidential = seed.clients[0];
    CHECK(confidential.id == k_demo_client_id);
    CHECK(confidential.secret == std::string(k_demo_client_secret));
    for (const char* grant : {"client_credentials", "authorization_code", "password", "refresh_token",
                              "token_exchange", "device_code", "jwt_bearer"}) {
      CHECK(confidential.allows_grant(grant));
    }
    const auto& public_client = seed.clients[1];
    CHECK(public_client.id == k_demo_public_client_id);
    CHECK_FALSE(public_client.secret.has_value());
    CHECK(public_client.settings("authorization_code").pkce == true);
    CHECK(public_client.settings("authorization_code").redirect_uris ==
          std::vector<std::string>{"http://127.0.0.1/callback", "http://localhost/callback"});
    REQUIRE(seed.users.size() == 1);
    CHECK(seed.users[0].id == k_demo_username);
    CHECK(seed.users[0].password == std::string(k_demo_password));

    const auto banner = demo_banner("http://127.0.0.1:9000");
    CHECK(banner.find("oauthctl token --grant client_credentials --server http://127.0.0.1:9000 "
                      "--client-id demo-client\n") != std::string::npos);
    // No secret in the ready-to-paste commands (they teach what users copy).
    const auto try_lines = banner.substr(banner.find("try"));
    CHECK(try_lines.find(std::string(k_demo_client_secret)) == std::string::npos);
  }
}
