// SPDX-License-Identifier: MIT
#include "server_test_support.hpp"

#include <oauthctl/util/base64url.hpp>

#include <doctest/doctest.h>

using namespace oauthctl;
using test::body_json;
using test::TestServer;

TEST_SUITE("server.fhir") {
  TEST_CASE("metadata needs no token") {
    const TestServer server;
    const auto response = server.get("/fhir/metadata");
    REQUIRE(response.status == 200);
    CHECK(response.content_type == "application/fhir+json");
    const auto capability = body_json(response);
    CHECK(capability["resourceType"] == "CapabilityStatement");
    const auto& security = capability["rest"][0]["security"];
    CHECK(security["extension"][0]["url"] ==
          "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris");
    CHECK(security["extension"][0]["extension"][0]["valueUri"] ==
          std::string(test::k_issuer) + "/auth/token");
  }

  TEST_CASE("search and read") {
    const TestServer server;
    const auto token = server.token();
    const auto bundle_response = server.get("/fhir/Patient", "", token);
    REQUIRE(bundle_response.status == 200);
    CHECK(bundle_response.content_type == "application/fhir+json");
    const auto bundle = body_json(bundle_response);
    CHECK(bundle["resourceType"] == "Bundle");
    CHECK(bundle["type"] == "searchset");
    CHECK(bundle["total"] == 5);
    CHECK(bundle["entry"].size() == 5);
    CHECK(bundle["entry"][0]["fullUrl"] == std::string(test::k_issuer) + "/fhir/Patient/pt-1");
    CHECK(bundle["entry"][0]["search"]["mode"] == "match");
    CHECK(bundle["link"][0]["url"] == std::string(test::k_issuer) + "/fhir/Patient");

    auto total = [&](const std::string& type, const std::string& query) {
      const auto response = server.get("/fhir/" + type, query, token);
      REQUIRE(response.status == 200);
      return body_json(response)["total"].get<int>();
    };
    CHECK(total("Patient", "name=garc") == 1);
    CHECK(total("Patient", "name=MARIA") == 1);
    CHECK(total("Patient", "name=zzz") == 0);
    CHECK(total("Patient", "_id=pt-1,pt-3") == 2);
    CHECK(total("Observation", "") == 10);
    CHECK(total("Observation", "patient=pt-1") == 2);
    CHECK(total("Observation", "subject=Patient%2Fpt-2") == 2);
    CHECK(total("Observation", "code=http://loinc.org|29463-7") == 2);
    CHECK(total("Observation", "code=8867-4") == 2);
    CHECK(total("Observation", "unknown=1") == 10);
    const auto page = body_json(server.get("/fhir/Observation", "_count=3", token));
    CHECK(page["total"] == 10);
    CHECK(page["entry"].size() == 3);
    CHECK(body_json(server.get("/fhir/Observation", "_count=0", token))["entry"].empty());
    CHECK(server.get("/fhir/Observation", "_count=-1", token).status == 400);
    CHECK(server.get("/fhir/Observation", "_count=x", token).status == 400);
    CHECK(server.get("/fhir/Observation", "a=%zz", token).status == 400);

    const auto read = server.get("/fhir/Patient/pt-2", "", token);
    REQUIRE(read.status == 200);
    CHECK(body_json(read)["id"] == "pt-2");
    const auto observation = body_json(server.get("/fhir/Observation/obs-1", "", token));
    CHECK(observation["subject"]["reference"] == "Patient/pt-1");
    CHECK(observation["code"]["coding"][0]["system"] == "http://loinc.org");

    const auto missing = server.get("/fhir/Patient/nope", "", token);
    CHECK(missing.status == 404);
    CHECK(body_json(missing)["issue"][0]["code"] == "not-found");
    const auto unknown_type = server.get("/fhir/Medication", "", token);
    CHECK(unknown_type.status == 404);
    CHECK(body_json(unknown_type)["issue"][0]["code"] == "not-supported");
    CHECK(server.get("/fhir/Patient/pt-1/extra", "", token).status == 404);
    CHECK(server.get("/fhir/Patient/", "", token).status == 404);
  }

  TEST_CASE("401 for missing, malformed, tampered, expired and foreign tokens") {
    const TestServer server;
    const auto missing = server.get("/fhir/Patient");
    CHECK(missing.status == 401);
    CHECK(missing.headers.get("WWW-Authenticate") == R"(Bearer realm="oauthctl")");

    auto challenge = [&](const std::string& authorization) {
      server::ServerRequest request;
      request.path = "/fhir/Patient";
      request.headers.add("Authorization", authorization);
      const auto response = server.send(request);
      CHECK(response.status == 401);
      return response.headers.get("WWW-Authenticate").value_or("");
    };
    CHECK(challenge("Basic ZGVtbzpkZW1v") == R"(Bearer realm="oauthctl")");
    const auto token = server.token();
    for (const std::string& bad : std::vector<std::string>{
           "Bearer", "Bearer ", "Bearer a b", "Bearer \"x\"", "Bearer abc", "Bearer " + token + "x",
           "Bearer " + token.substr(0, token.size() - 5), "Bearer " + token.substr(0, token.find('.'))}) {
      CAPTURE(bad);
      const auto header = challenge(bad);
      if (bad.size() > 7) {
        CHECK(header.find(R"(error="invalid_token")") != std::string::npos);
      }
    }
    // Re-signed by another key with the same kid.
    auto other = oauth::SigningKey::generate_rsa(2048);
    REQUIRE(other.has_value());
    const auto foreign = other->sign({{"iss", test::k_issuer},
                                      {"aud", "http://127.0.0.1:8080/fhir"},
                                      {"exp", 1'800'000'000},
                                      {"scope", "system/*.read"}});
    CHECK(challenge("Bearer " + *foreign).find("invalid_token") != std::string::npos);

    // Our key, wrong audience / issuer.
    const auto wrong_aud = server.context->key.sign({{"iss", test::k_issuer},
                                                     {"aud", "https://elsewhere"},
                                                     {"exp", 1'800'000'000},
                                                     {"scope", "system/*.read"}});
    CHECK(challenge("Bearer " + *wrong_aud).find("audience") != std::string::npos);
    const auto wrong_iss = server.context->key.sign({{"iss", "https://other"},
                                                     {"aud", "http://127.0.0.1:8080/fhir"},
                                                     {"exp", 1'800'000'000},
                                                     {"scope", "system/*.read"}});
    CHECK(challenge("Bearer " + *wrong_iss).find("invalid_token") != std::string::npos);

    // Expired: the clock moves past exp without sleeping.
    server.clock->store(1'700'003'600);
    CHECK(challenge("Bearer " + token).find("expired") != std::string::npos);
  }

  TEST_CASE("403 when the scope does not cover the request") {
    const TestServer server;
    auto status_with = [&](const std::string& scope, const std::string& path) {
      return server.get(path, "", server.token(scope)).status;
    };
    CHECK(status_with("system/Patient.read", "/fhir/Patient") == 200);
    CHECK(status_with("system/Patient.rs", "/fhir/Patient/pt-1") == 200);
    CHECK(status_with("system/*.read", "/fhir/Observation") == 200);
    CHECK(status_with("system/Patient.r", "/fhir/Patient/pt-1") == 200);
    CHECK(status_with("system/Patient.r", "/fhir/Patient") == 403);
    CHECK(status_with("system/Patient.s", "/fhir/Patient/pt-1") == 403);
    CHECK(status_with("system/Observation.rs", "/fhir/Patient") == 403);
    CHECK(status_with("system/*.cud", "/fhir/Patient") == 403);

    const auto response = server.get("/fhir/Patient", "", server.token("system/Observation.rs"));
    CHECK(body_json(response)["issue"][0]["code"] == "forbidden");
    CHECK(response.headers.get("WWW-Authenticate") ==
          R"(Bearer realm="oauthctl", error="insufficient_scope", scope="system/Patient.s")");

    // patient/ scopes grant nothing until a patient context exists (signed here directly).
    const auto patient_token = server.context->key.sign({{"iss", test::k_issuer},
                                                         {"aud", "http://127.0.0.1:8080/fhir"},
                                                         {"exp", 1'800'000'000},
                                                         {"scope", "patient/*.read"}});
    CHECK(server.get("/fhir/Patient", "", *patient_token).status == 403);
    const auto user_token = server.context->key.sign({{"iss", test::k_issuer},
                                                      {"aud", test::k_issuer},
                                                      {"exp", 1'800'000'000},
                                                      {"scope", "user/Patient.rs"}});
    CHECK(server.get("/fhir/Patient", "", *user_token).status == 200);
  }

  TEST_CASE("writes are not supported") {
    const TestServer server;
    server::ServerRequest request;
    request.method = "POST";
    request.path = "/fhir/Patient";
    request.headers.add("Authorization", "Bearer " + server.token());
    CHECK(server.send(request).status == 405);
  }
}
