// SPDX-License-Identifier: MIT
#include "server/config_document.hpp"

#include <oauthctl/server/demo.hpp>
#include <oauthctl/server/seed.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>

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

namespace {

// Parses `text` as the config file `name` (JSON or YAML by its extension) and returns the
// error message, or "" when it loaded.
std::string config_error(const std::string& name, const std::string& text) {
  const bool yaml = name.ends_with(".yaml");
  auto document = yaml ? parse_yaml_config(text, name) : parse_json_config(text, name);
  if (!document) {
    CHECK(document.error().kind == oauthctl::util::ErrorKind::config);
    return document.error().message;
  }
  const auto seed = parse_seed(document->value, name, &document->lines);
  if (!seed) {
    CHECK(seed.error().kind == oauthctl::util::ErrorKind::config);
    return seed.error().message;
  }
  return "";
}

} // namespace

TEST_SUITE("server.seed_validation") {
  TEST_CASE("an unknown member names the file, line, resource and field, with the nearest name") {
    const auto json = config_error("serve.json", R"({"clients": [
  {"id": "billing",
   "secret": "s",
   "grant_type": ["client_credentials"]}
]})");
    CHECK(json == "serve.json:4: Client billing: `grant_type`: unknown member; did you mean `grant_types`?");
    const auto yaml = config_error("serve.yaml", R"(clients:
  - id: billing
    secret: s
    grant_types: [client_credentials]
    auth:
      client_credentials:
        access_token_expiraton: 300
)");
    CHECK(yaml ==
          "serve.yaml:7: Client billing: `auth.client_credentials.access_token_expiraton`: unknown member; "
          "did you mean `access_token_expiration`?");
    CHECK(config_error("serve.json", R"({"users": [{"id": "u", "pasword": "p"}]})") ==
          "serve.json:1: User u: `pasword`: unknown member; did you mean `password`?");
    CHECK(config_error("serve.json", R"({"clients": [], "user": []})")
            .find("`user`: unknown member; did you "
                  "mean `users`?") != std::string::npos);
    CHECK(config_error("serve.yaml", "token_introspectors:\n  - id: ehr\n    type: jwt\n    jwks_url: x\n") ==
          "serve.yaml:4: TokenIntrospector ehr: `jwks_url`: unknown member; did you mean `jwks_uri`?");
  }

  TEST_CASE("Aidbox members that mean nothing here are accepted as they are") {
    CHECK(config_error("serve.yaml", R"(resourceType: Client
id: app
secret: s
grant_types: [basic, client_credentials]
meta: {lastUpdated: '2024-01-01'}
description: the billing app
trusted: true
)") == "");
    CHECK(config_error("serve.json",
                       R"([{"resourceType": "User", "id": "u", "data": {"x": 1}, "active": true}])") == "");
  }

  TEST_CASE("wrong types, with the line of the field") {
    CHECK(config_error("serve.yaml", "clients:\n  - id: a\n    secret: 123\n") ==
          "serve.yaml:3: Client a: `secret`: must be a string");
    // Quoted, the same value is a string.
    CHECK(config_error("serve.yaml",
                       "clients:\n  - id: a\n    secret: '123'\n    grant_types: [client_credentials]\n") ==
          "");
    CHECK(config_error("serve.yaml", "clients:\n  - id: a\n    first_party: yes\n") ==
          "serve.yaml:3: Client a: `first_party`: must be true or false");
    CHECK(
      config_error("serve.json", "{\"clients\": [{\"id\": \"a\",\n \"grant_types\": [\"code\",\n 5]}]}") ==
      "serve.json:3: Client a: `grant_types[1]`: must be a string");
    CHECK(config_error("serve.json", "{\"clients\": {}}") == "serve.json:1: `clients`: must be an array");
  }

  TEST_CASE("unknown grant types, bad redirect URIs and clients that cannot authenticate") {
    CHECK(config_error("serve.json", R"({"clients": [{"id": "b", "secret": "s",
      "grant_types": ["client_credential"]}]})") ==
          "serve.json:2: Client b: `grant_types[0]`: unknown grant type \"client_credential\"; did you mean "
          "`client_credentials`?");
    CHECK(config_error("serve.yaml", "id: b\nresourceType: Client\nauth:\n  authorisation_code: {}\n")
            .starts_with("serve.yaml:4: Client b: `auth.authorisation_code`: unknown grant type"));
    auto redirect = [](const char* uri) {
      return config_error("serve.yaml",
                          fmt::format("resourceType: Client\nid: web\ngrant_types: [code]\n"
                                      "auth:\n  authorization_code:\n    redirect_uri:\n      - {}\n",
                                      uri));
    };
    CHECK(redirect("https://app.example/cb") == "");
    CHECK(redirect("com.example.app:/oauth2redirect") == "");
    CHECK(
      redirect("'https://app.example/cb#x'") ==
      "serve.yaml:7: Client web: `auth.authorization_code.redirect_uri[0]`: a redirect URI must not have a "
      "fragment (RFC 6749 §3.1.2)");
    CHECK(redirect("/callback").find("not an absolute URI") != std::string::npos);
    CHECK(redirect("'https://*.example/cb'").find("no wildcards") != std::string::npos);
    CHECK(redirect("'javascript:alert(1)'").find("javascript") != std::string::npos);
    CHECK(redirect("'https://user@app.example/cb'").find("not a valid https URL") != std::string::npos);
    CHECK(
      config_error("serve.json", R"({"clients": [{"id": "svc", "grant_types": ["client_credentials"]}]})") ==
      "serve.json:1: Client svc: the client_credentials grant needs a confidential client: give `secret`, "
      "`jwks` or `jwks_uri` (RFC 6749 §4.4)");
    CHECK(config_error("serve.json", R"({"clients": [{"id": "c", "grant_types": ["code"],
      "auth": {"authorization_code": {"secret_required": true}}}]})")
            .starts_with("serve.json:2: Client c: `auth.authorization_code.secret_required`: is true"));
    CHECK(config_error("serve.json", R"({"clients": [{"id": "c", "secret": ""}]})") ==
          "serve.json:1: Client c: `secret`: is empty: leave it out for a public client");
  }

  TEST_CASE("duplicate ids and duplicate keys name both lines") {
    CHECK(config_error("serve.json", R"({"clients": [
  {"id": "a"},
  {"id": "a"}]})") == "serve.json:3: Client a: `id`: duplicate id (first on line 2)");
    CHECK(config_error("serve.yaml", "- resourceType: User\n  id: u\n- resourceType: User\n  id: u\n") ==
          "serve.yaml:4: User u: `id`: duplicate id (first on line 2)");
    CHECK(config_error("serve.json",
                       "{\"clients\": [{\"id\": \"a\",\n \"secret\": \"x\",\n \"secret\": \"y\"}]}") ==
          "serve.json:3: key \"secret\" appears twice in one object (first on line 2)");
    CHECK(config_error("serve.yaml", "clients:\n  - id: a\n    secret: x\n    secret: y\n") ==
          "serve.yaml:4: key \"secret\" appears twice in one mapping (first on line 3)");
  }

  TEST_CASE("syntax errors carry the line") {
    const auto trailing = config_error("serve.json", "{\"clients\": [\n  {\"id\": \"a\"},\n]}");
    CHECK(trailing.starts_with("serve.json: not valid JSON: parse error at line 3, column 1"));
    const auto yaml = config_error("serve.yaml", "clients:\n  - id: a\n   secret: [\n");
    CHECK(yaml.starts_with("serve.yaml:3: not valid YAML"));
  }

  TEST_CASE("YAML: a Client as Aidbox users keep it, and several documents") {
    auto document = parse_yaml_config(R"(resourceType: Client
id: billing-service
secret: change-me
grant_types:
  - client_credentials
scope: [system/Patient.read, system/Observation.rs]
auth:
  client_credentials:
    token_format: jwt
    access_token_expiration: 600
---
resourceType: User
id: alice
password: "alice pass"
fhirUser: Patient/pt-2
name: {givenName: Alice, familyName: Smith}
)",
                                      "serve.yaml");
    REQUIRE(document.has_value());
    const auto seed = parse_seed(document->value, "serve.yaml", &document->lines);
    REQUIRE(seed.has_value());
    REQUIRE(seed->clients.size() == 1);
    CHECK(seed->clients[0].id == "billing-service");
    CHECK(seed->clients[0].secret == "change-me");
    CHECK(seed->clients[0].settings("client_credentials").access_token_expiration == 600);
    CHECK(seed->clients[0].scopes ==
          std::vector<std::string>{"system/Patient.read", "system/Observation.rs"});
    REQUIRE(seed->users.size() == 1);
    CHECK(seed->users[0].password == "alice pass");
    CHECK(seed->users[0].fhir_user == "Patient/pt-2");
    CHECK(document->lines.line_of(nlohmann::json::json_pointer("/1/fhirUser")) == 15);
  }

  TEST_CASE("the store member, in JSON and YAML alike") {
    auto yaml = parse_yaml_config("store: sqlite:/var/lib/oauthctl/serve.db\nclients: []\n", "serve.yaml");
    REQUIRE(yaml.has_value());
    CHECK(parse_seed(yaml->value, "serve.yaml", &yaml->lines)->store == "sqlite:/var/lib/oauthctl/serve.db");
    auto json =
      parse_json_config(R"({"store": "postgres://oauth@db:5432/oauth", "users": []})", "serve.json");
    REQUIRE(json.has_value());
    CHECK(parse_seed(json->value, "serve.json", &json->lines)->store == "postgres://oauth@db:5432/oauth");
    CHECK(config_error("serve.yaml", "clients: []\nstore: mysql://db/x\n") ==
          "serve.yaml:2: `store`: must be sqlite:PATH or postgres://USER@HOST:PORT/DB");
    CHECK(config_error("serve.json", "{\"store\": 5}").find("`store`: must be sqlite:PATH") !=
          std::string::npos);
  }
}
