// SPDX-License-Identifier: MIT
#include "server/access_token.hpp"
#include "server/endpoints/token_endpoint.hpp"
#include "server_test_support.hpp"

#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/util/base64url.hpp>
#include <oauthctl/util/form.hpp>

#include <doctest/doctest.h>

using namespace oauthctl;
using test::body_json;
using test::TestServer;

namespace {

std::string basic(const std::string& id, const std::string& secret) {
  return "Basic " + util::base64_encode(util::percent_encode(id) + ":" + util::percent_encode(secret));
}

const std::string k_grant = "grant_type=client_credentials";

void check_error(const server::ServerResponse& response, int status, const std::string& error) {
  CAPTURE(response.body);
  CHECK(response.status == status);
  CHECK(body_json(response)["error"] == error);
  CHECK(response.headers.get("Cache-Control") == "no-store");
}

} // namespace

TEST_SUITE("server.token") {
  TEST_CASE("client_credentials with client_secret_basic") {
    const TestServer server;
    const auto response = server.post_form(k_grant, basic("demo-client", "demo-secret"));
    REQUIRE(response.status == 200);
    CHECK(response.headers.get("Cache-Control") == "no-store");
    CHECK(response.headers.get("Pragma") == "no-cache");
    const auto body = body_json(response);
    CHECK(body["token_type"] == "Bearer");
    CHECK(body["expires_in"] == 3600);
    CHECK(body["scope"] == "system/*.read system/*.rs system/*.cruds system/*.*");

    const auto jwt = oauth::decode_jwt(body["access_token"].get<std::string>());
    REQUIRE(jwt.has_value());
    CHECK(jwt->header["kid"] == server.context->keys.current()->signer.kid());
    CHECK(server.context->keys.current()->verifier.verify_signature(*jwt).has_value());
    const auto& claims = jwt->claims;
    CHECK(claims["iss"] == test::k_issuer);
    CHECK(claims["sub"] == "demo-client");
    CHECK(claims["client_id"] == "demo-client");
    CHECK(claims["aud"] == std::string(test::k_issuer) + "/fhir");
    CHECK(claims["iat"] == 1'700'000'000);
    CHECK(claims["exp"] == 1'700'003'600);
    CHECK(claims["jti"].is_string());
  }

  TEST_CASE("access token claims: extra claims replace ours, a certificate binding replaces both") {
    const auto key = oauth::SigningKey::generate_rsa(2048);
    REQUIRE(key.has_value());
    server::AccessTokenGrant grant{"app",
                                   "user-1",
                                   "https://fhir.example",
                                   {"openid", "patient/*.rs"},
                                   300,
                                   "jti-1",
                                   nlohmann::json{{"patient", "p1"}, {"sub", "replaced"}, {"cnf", "x"}}};
    auto token = server::issue_access_token(*key, "https://issuer.example", 1'700'000'000, grant);
    REQUIRE(token.has_value());
    auto jwt = oauth::decode_jwt(*token);
    REQUIRE(jwt.has_value());
    CHECK(jwt->claims == nlohmann::json{{"iss", "https://issuer.example"},
                                        {"sub", "replaced"},
                                        {"aud", "https://fhir.example"},
                                        {"exp", 1'700'000'300},
                                        {"iat", 1'700'000'000},
                                        {"jti", "jti-1"},
                                        {"scope", "openid patient/*.rs"},
                                        {"client_id", "app"},
                                        {"patient", "p1"},
                                        {"cnf", "x"}});
    grant.certificate_thumbprint = "thumb";
    grant.subject = "tab\there \"quoted\"";
    grant.extra_claims = nullptr;
    token = server::issue_access_token(*key, "https://issuer.example", 1'700'000'000, grant);
    REQUIRE(token.has_value());
    jwt = oauth::decode_jwt(*token);
    REQUIRE(jwt.has_value());
    CHECK(jwt->claims["sub"] == "tab\there \"quoted\"");
    CHECK(jwt->claims["cnf"] == nlohmann::json{{"x5t#S256", "thumb"}});
    CHECK_FALSE(jwt->claims.contains("patient"));
  }

  TEST_CASE("client_secret_post, JSON bodies and the verification cache") {
    const TestServer server;
    CHECK(server.post_form(k_grant + "&client_id=demo-client&client_secret=demo-secret").status == 200);
    // Second time through the HMAC cache; a wrong secret must still fail afterwards.
    CHECK(server.post_form(k_grant + "&client_id=demo-client&client_secret=demo-secret").status == 200);
    check_error(server.post_form(k_grant + "&client_id=demo-client&client_secret=demo-secreT"), 401,
                "invalid_client");

    server::ServerRequest request;
    request.method = "POST";
    request.path = "/auth/token";
    request.headers.add("Content-Type", "application/json; charset=utf-8");
    request.body =
      R"({"grant_type":"client_credentials","client_id":"demo-client","client_secret":"demo-secret",
                      "scope":["system/Patient.rs"]})";
    const auto response = server.send(request);
    REQUIRE(response.status == 200);
    CHECK(body_json(response)["scope"] == "system/Patient.rs");
  }

  TEST_CASE("Basic credentials are form-urlencoded (RFC 6749 §2.3.1)") {
    server::ClientSpec odd;
    odd.id = "odd:client";
    odd.secret = "s3cret+/ =%";
    odd.grant_types = {"client_credentials"};
    const TestServer server({odd});
    CHECK(server.post_form(k_grant, basic("odd:client", "s3cret+/ =%")).status == 200);
    // Unencoded, the colon in the id splits at the wrong place.
    CHECK(server.post_form(k_grant, "Basic " + util::base64_encode("odd:client:s3cret+/ =%")).status != 200);
  }

  TEST_CASE("client authentication failures") {
    const TestServer server;
    SUBCASE("wrong secret with Basic: 401 and a Basic challenge") {
      const auto response = server.post_form(k_grant, basic("demo-client", "wrong"));
      check_error(response, 401, "invalid_client");
      CHECK(response.headers.get("WWW-Authenticate") == R"(Basic realm="oauthctl")");
    }
    SUBCASE("unknown client with post: no challenge") {
      const auto response = server.post_form(k_grant + "&client_id=nobody&client_secret=x");
      check_error(response, 401, "invalid_client");
      CHECK_FALSE(response.headers.get("WWW-Authenticate").has_value());
    }
    SUBCASE("no credentials") {
      check_error(server.post_form(k_grant), 401, "invalid_client");
      check_error(server.post_form(k_grant + "&client_id=demo-client"), 401, "invalid_client");
    }
    SUBCASE("public client cannot use client_credentials") {
      check_error(server.post_form(k_grant + "&client_id=demo-public"), 400, "unauthorized_client");
    }
    SUBCASE("two methods at once") {
      check_error(
        server.post_form(k_grant + "&client_secret=demo-secret", basic("demo-client", "demo-secret")), 400,
        "invalid_request");
      check_error(server.post_form(k_grant + "&client_id=other", basic("demo-client", "demo-secret")), 400,
                  "invalid_request");
    }
  }

  TEST_CASE("Authorization header garbage") {
    const TestServer server;
    for (const char* header : {"Basic ", "Basic !!!!", "Basic ZGVtbw==", "Basic Og==", "basic %%%",
                               "Basic ZGVtby1jbGllbnQ6JXp6"}) {
      CAPTURE(header);
      check_error(server.post_form(k_grant, header), 400, "invalid_request");
    }
    for (const char* header : {"Basic", "Bearer abc", "Digest x", "x", "\x01\x02"}) {
      CAPTURE(header);
      const auto response = server.post_form(k_grant, header);
      check_error(response, 401, "invalid_client");
      CHECK(response.headers.get("WWW-Authenticate") == R"(Basic realm="oauthctl")");
    }
  }

  TEST_CASE("grant types") {
    const TestServer server;
    const auto auth = basic("demo-client", "demo-secret");
    check_error(server.post_form("", auth), 400, "invalid_request");
    check_error(server.post_form("grant_type=", auth), 400, "invalid_request");
    for (const char* grant : {"implicit", "token_exchange", "device_code", "magic", "client_credentials "}) {
      CAPTURE(grant);
      check_error(server.post_form(std::string("grant_type=") + util::percent_encode(grant), auth), 400,
                  "unsupported_grant_type");
    }
    server::ClientSpec code_only;
    code_only.id = "code-only";
    code_only.secret = "x";
    code_only.grant_types = {"authorization_code"};
    const TestServer other({code_only});
    check_error(other.post_form(k_grant, basic("code-only", "x")), 400, "unauthorized_client");
  }

  TEST_CASE("malformed bodies") {
    const TestServer server;
    const auto auth = basic("demo-client", "demo-secret");
    check_error(server.post_form("grant_type=%zz", auth), 400, "invalid_request");
    check_error(server.post_form(k_grant + "&" + k_grant, auth), 400, "invalid_request");
    check_error(server.post_form(k_grant + "&scope=a&scope=b", auth), 400, "invalid_request");
    check_error(server.post_form(std::string(70'000, 'a'), auth), 400, "invalid_request");

    auto send = [&](const std::string& type, const std::string& body) {
      server::ServerRequest request;
      request.method = "POST";
      request.path = "/auth/token";
      if (!type.empty()) {
        request.headers.add("Content-Type", type);
      }
      request.headers.add("Authorization", auth);
      request.body = body;
      return server.send(request);
    };
    check_error(send("", k_grant), 400, "invalid_request");
    check_error(send("text/plain", k_grant), 400, "invalid_request");
    check_error(send("multipart/form-data; boundary=x", k_grant), 400, "invalid_request");
    for (const char* json :
         {"", "{", "[]", "\"x\"", "null", R"({"grant_type":5.5})", R"({"grant_type":{}})",
          R"({"grant_type":["client_credentials"]})", R"({"scope":[1]})", "{\"a\":\"\xff\"}"}) {
      CAPTURE(json);
      check_error(send("application/json", json), 400, "invalid_request");
    }
    // Unknown members are ignored, as in form bodies.
    CHECK(send("application/json", R"({"grant_type":"client_credentials","x":true})").status == 200);
  }

  TEST_CASE("scopes") {
    server::ClientSpec narrow;
    narrow.id = "narrow";
    narrow.secret = "x";
    narrow.grant_types = {"client_credentials"};
    narrow.scopes = std::vector<std::string>{"system/Patient.rs", "system/Observation.read", "openid"};
    server::ClientSpec open;
    open.id = "open";
    open.secret = "x";
    open.grant_types = {"client_credentials"};
    const TestServer server({narrow, open});
    const auto auth = basic("narrow", "x");

    CHECK(body_json(server.post_form(k_grant, auth))["scope"] == "system/Patient.rs system/Observation.read");
    CHECK(body_json(server.post_form(k_grant + "&scope=system%2FPatient.r", auth))["scope"] ==
          "system/Patient.r");
    CHECK(body_json(server.post_form(k_grant + "&scope=system/Observation.rs+system/Observation.rs",
                                     auth))["scope"] == "system/Observation.rs");
    const auto refused = server.post_form(k_grant + "&scope=system/Patient.cruds", auth);
    check_error(refused, 400, "invalid_scope");
    CHECK(body_json(refused)["error_description"].get<std::string>().find("system/Patient.cruds") !=
          std::string::npos);
    check_error(server.post_form(k_grant + "&scope=openid", auth), 400, "invalid_scope");
    check_error(server.post_form(k_grant + "&scope=user/Patient.rs", auth), 400, "invalid_scope");
    check_error(server.post_form(k_grant + "&scope=patient/*.rs", basic("demo-client", "demo-secret")), 400,
                "invalid_scope");
    // A client without a scope list may ask for any system scope.
    CHECK(body_json(server.post_form(k_grant + "&scope=system/Observation.cruds",
                                     basic("open", "x")))["scope"] == "system/Observation.cruds");
    CHECK(body_json(server.post_form(k_grant, basic("open", "x")))["scope"] == "system/*.read");
  }

  TEST_CASE("audience and resource") {
    server::ClientSpec client;
    client.id = "aud-client";
    client.secret = "x";
    client.grant_types = {"client_credentials"};
    client.auth["client_credentials"].audience = {"https://api.example.org"};
    client.auth["client_credentials"].access_token_expiration = 60;
    const TestServer server({client});
    const auto auth = basic("aud-client", "x");
    auto aud_of = [&](const std::string& params) {
      const auto response = server.post_form(k_grant + params, auth);
      REQUIRE(response.status == 200);
      const auto body = body_json(response);
      CHECK(body["expires_in"] == 60);
      return oauth::decode_jwt(body["access_token"].get<std::string>())->claims["aud"];
    };
    CHECK(aud_of("") == "http://127.0.0.1:8080/fhir");
    CHECK(aud_of("&audience=http%3A%2F%2F127.0.0.1%3A8080") == "http://127.0.0.1:8080");
    CHECK(aud_of("&resource=http%3A%2F%2F127.0.0.1%3A8080%2Ffhir%2F") == "http://127.0.0.1:8080/fhir");
    CHECK(aud_of("&audience=https%3A%2F%2Fapi.example.org") == "https://api.example.org");
    check_error(server.post_form(k_grant + "&audience=https%3A%2F%2Fevil.example", auth), 400,
                "invalid_target");
    check_error(server.post_form(k_grant + "&resource=https%3A%2F%2Fevil.example", auth), 400,
                "invalid_target");
    check_error(server.post_form(k_grant + "&audience=https%3A%2F%2Fapi.example.org&resource=x", auth), 400,
                "invalid_request");
  }

  TEST_CASE("routing") {
    const TestServer server;
    CHECK(server.get("/auth/token").status == 405);
    CHECK(server.get("/auth/token").headers.get("Allow") == "POST");
    CHECK(server.get("/nowhere").status == 404);
    for (const char* path : {"/.well-known/jwks.json", "/auth/jwks", "/.well-known/openid-configuration",
                             "/.well-known/oauth-authorization-server", "/.well-known/smart-configuration",
                             "/fhir/.well-known/smart-configuration"}) {
      CAPTURE(path);
      const auto response = server.get(path);
      CHECK(response.status == 200);
      CHECK_FALSE(body_json(response).is_discarded());
    }
    const auto jwks = body_json(server.get("/.well-known/jwks.json"));
    REQUIRE(jwks["keys"].size() == 1);
    CHECK_FALSE(jwks["keys"][0].contains("d"));
    CHECK_FALSE(jwks["keys"][0].contains("p"));
    const auto metadata = body_json(server.get("/.well-known/oauth-authorization-server"));
    CHECK(metadata["issuer"] == test::k_issuer);
    CHECK(metadata["token_endpoint"] == std::string(test::k_issuer) + "/auth/token");
    CHECK(metadata["grant_types_supported"] == nlohmann::json(server::served_grant_types()));
    CHECK(metadata["authorization_response_iss_parameter_supported"] == true);
    const auto smart = body_json(server.get("/.well-known/smart-configuration"));
    CHECK(smart["code_challenge_methods_supported"] == nlohmann::json::array({"S256"}));
  }
}
