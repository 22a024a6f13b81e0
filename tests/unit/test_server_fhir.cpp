// SPDX-License-Identifier: MIT
#include "server/fhir/user_access.hpp"
#include "server_test_support.hpp"

#include <oauthctl/util/base64url.hpp>

#include <doctest/doctest.h>

#include <map>
#include <set>

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
    // The search parameters listed are the ones search applies.
    std::map<std::string, std::string> patient_params;
    for (const auto& resource : capability["rest"][0]["resource"]) {
      if (resource["type"] == "Patient") {
        for (const auto& param : resource["searchParam"]) {
          patient_params[param["name"].get<std::string>()] = param["type"].get<std::string>();
        }
      }
    }
    CHECK(patient_params["gender"] == "token");
    CHECK(patient_params["birthdate"] == "date");
    CHECK(patient_params["family"] == "string");
    CHECK(patient_params.count("code") == 0);
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
    const auto wrong_aud = server.context->keys.current()->signer.sign({{"iss", test::k_issuer},
                                                                        {"aud", "https://elsewhere"},
                                                                        {"exp", 1'800'000'000},
                                                                        {"scope", "system/*.read"}});
    CHECK(challenge("Bearer " + *wrong_aud).find("audience") != std::string::npos);
    const auto wrong_iss = server.context->keys.current()->signer.sign({{"iss", "https://other"},
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
    const auto patient_token =
      server.context->keys.current()->signer.sign({{"iss", test::k_issuer},
                                                   {"aud", "http://127.0.0.1:8080/fhir"},
                                                   {"exp", 1'800'000'000},
                                                   {"scope", "patient/*.read"}});
    CHECK(server.get("/fhir/Patient", "", *patient_token).status == 403);
    const auto user_token = server.context->keys.current()->signer.sign({{"iss", test::k_issuer},
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

namespace {

// A token of this server signed directly, with `claims` on top of iss, aud and exp.
std::string signed_token(const TestServer& server, nlohmann::json claims) {
  claims["iss"] = test::k_issuer;
  std::string audience(test::k_issuer);
  audience += "/fhir"; // not std::string(...) + "...": a false gcc 12 -Warray-bounds (GCC PR 105329)
  claims["aud"] = audience;
  claims["exp"] = 1'800'000'000;
  auto token = server.context->keys.current()->signer.sign(claims);
  REQUIRE(token.has_value());
  return *token;
}

std::vector<std::string> ids_of(const nlohmann::json& bundle) {
  std::vector<std::string> out;
  for (const auto& entry : bundle["entry"]) {
    if (entry["search"]["mode"] == "match") {
      out.push_back(entry["resource"]["id"].get<std::string>());
    }
  }
  return out;
}

} // namespace

TEST_SUITE("server.fhir") {
  TEST_CASE("search parameters of Patient and Observation") {
    const TestServer server;
    const auto token = server.token();
    auto ids = [&](const std::string& type, const std::string& query) {
      const auto response = server.get("/fhir/" + type, query, token);
      CAPTURE(query);
      REQUIRE(response.status == 200);
      return ids_of(body_json(response));
    };
    using Ids = std::vector<std::string>;
    CHECK(ids("Patient", "gender=female") == Ids{"pt-2", "pt-3", "pt-5"});
    CHECK(ids("Patient", "gender=http://hl7.org/fhir/administrative-gender|male") == Ids{"pt-1", "pt-4"});
    CHECK(ids("Patient", "gender=female&gender=male").empty());
    CHECK(ids("Patient", "gender=female,male").size() == 5);
    CHECK(ids("Patient", "family=Smith") == Ids{"pt-1"});
    CHECK(ids("Patient", "family=smi") == Ids{"pt-1"});
    CHECK(ids("Patient", "family=mith").empty());
    CHECK(ids("Patient", "family:contains=mi") == Ids{"pt-1", "pt-5"});
    CHECK(ids("Patient", "family:exact=Smit").empty());
    CHECK(ids("Patient", "given=anna") == Ids{"pt-5"});
    CHECK(ids("Patient", "name=linh") == Ids{"pt-3"});
    CHECK(ids("Patient", "identifier=MRN-1002") == Ids{"pt-2"});
    CHECK(ids("Patient", "identifier=urn:oauthctl:mrn|MRN-1004") == Ids{"pt-4"});
    CHECK(ids("Patient", "identifier=urn:other|MRN-1004").empty());
    CHECK(ids("Patient", "identifier=urn:oauthctl:mrn|").size() == 5);
    CHECK(ids("Patient", "birthdate=1985-07-02") == Ids{"pt-2"});
    CHECK(ids("Patient", "birthdate=1985") == Ids{"pt-2"});
    CHECK(ids("Patient", "birthdate=eq1985-07") == Ids{"pt-2"});
    CHECK(ids("Patient", "birthdate=ne1985") == Ids{"pt-1", "pt-3", "pt-4", "pt-5"});
    CHECK(ids("Patient", "birthdate=lt1970-03-14") == Ids{"pt-4"});
    CHECK(ids("Patient", "birthdate=le1970-03-14") == Ids{"pt-1", "pt-4"});
    CHECK(ids("Patient", "birthdate=gt1992-11-23") == Ids{"pt-5"});
    CHECK(ids("Patient", "birthdate=ge1992") == Ids{"pt-3", "pt-5"});
    CHECK(ids("Patient", "birthdate=ge1970&birthdate=lt1990") == Ids{"pt-1", "pt-2"});
    CHECK(ids("Observation", "date=2024-01-03") == Ids{"obs-3"});
    CHECK(ids("Observation", "date=2024-01-03T09:00:00Z") == Ids{"obs-3"});
    CHECK(ids("Observation", "date=ge2024-01-09") == Ids{"obs-9", "obs-10"});
    CHECK(ids("Observation", "date=lt2024-01-02T00:00") == Ids{"obs-1"});
    CHECK(ids("Observation", "subject:Patient=pt-3") == Ids{"obs-5", "obs-6"});
    CHECK(ids("Observation", "subject=Group/pt-3").empty());
    CHECK(ids("Observation", "patient=http://127.0.0.1:8080/fhir/Patient/pt-4&code=8480-6") == Ids{"obs-8"});
    CHECK(ids("Observation", "patient=pt-4&code=2093-3").empty());
    CHECK(ids("Observation", "patient=Patient/pt-5&code=http://loinc.org|39156-5") == Ids{"obs-10"});

    auto bad = [&](const std::string& type, const std::string& query) {
      const auto response = server.get("/fhir/" + type, query, token);
      CAPTURE(query);
      CHECK(response.status == 400);
      return body_json(response)["issue"][0]["diagnostics"].get<std::string>();
    };
    CHECK(bad("Patient", "birthdate=1985-7-2").find("not a FHIR date") != std::string::npos);
    CHECK(bad("Patient", "birthdate=sa1985").find("prefix sa") != std::string::npos);
    CHECK(bad("Observation", "date=2024-01-03T09:00:00%2B02:00").find("UTC") != std::string::npos);
    CHECK(bad("Patient", "gender:not=male").find(":not") != std::string::npos);
    CHECK(bad("Patient", "_offset=x").find("_offset") != std::string::npos);
  }

  TEST_CASE("_count pages with next and previous links, _summary=count gives the total only") {
    const TestServer server;
    const auto token = server.token();
    const std::string base = std::string(test::k_issuer) + "/fhir/Observation";
    auto links = [](const nlohmann::json& bundle) {
      std::map<std::string, std::string> out;
      for (const auto& link : bundle["link"]) {
        out[link["relation"].get<std::string>()] = link["url"].get<std::string>();
      }
      return out;
    };
    const auto first =
      body_json(server.get("/fhir/Observation", "code=8867-4,29463-7,8310-5&_count=2", token));
    CHECK(first["total"] == 5);
    CHECK(ids_of(first) == std::vector<std::string>{"obs-1", "obs-2"});
    CHECK(links(first)["self"] == base + "?code=8867-4%2C29463-7%2C8310-5&_count=2");
    CHECK(links(first).count("previous") == 0);
    const auto next = links(first)["next"];
    REQUIRE(next == base + "?code=8867-4%2C29463-7%2C8310-5&_count=2&_offset=2");
    const auto second = body_json(server.get("/fhir/Observation", next.substr(next.find('?') + 1), token));
    CHECK(ids_of(second) == std::vector<std::string>{"obs-3", "obs-6"});
    CHECK(links(second)["previous"] == base + "?code=8867-4%2C29463-7%2C8310-5&_count=2");
    const auto third_url = links(second)["next"];
    const auto third =
      body_json(server.get("/fhir/Observation", third_url.substr(third_url.find('?') + 1), token));
    CHECK(ids_of(third) == std::vector<std::string>{"obs-7"});
    CHECK(links(third).count("next") == 0);

    const auto count = server.get("/fhir/Patient", "gender=female&_summary=count", token);
    REQUIRE(count.status == 200);
    const auto summary = body_json(count);
    CHECK(summary["total"] == 3);
    CHECK_FALSE(summary.contains("entry"));
    CHECK(links(summary)["self"] ==
          std::string(test::k_issuer) + "/fhir/Patient?gender=female&_summary=count");
  }

  TEST_CASE("an unsupported search parameter is left out of the self link and reported, or 400 when strict") {
    const TestServer server;
    const auto token = server.token();
    const auto response =
      server.get("/fhir/Patient", "gender=female&_sort=family&favourite-colour=blue", token);
    REQUIRE(response.status == 200);
    const auto bundle = body_json(response);
    CHECK(bundle["total"] == 3);
    CHECK(bundle["link"][0]["url"] == std::string(test::k_issuer) + "/fhir/Patient?gender=female");
    const auto& outcome = bundle["entry"].back();
    CHECK(outcome["search"]["mode"] == "outcome");
    CHECK(outcome["resource"]["resourceType"] == "OperationOutcome");
    REQUIRE(outcome["resource"]["issue"].size() == 2);
    CHECK(outcome["resource"]["issue"][0]["severity"] == "warning");
    CHECK(outcome["resource"]["issue"][0]["diagnostics"].get<std::string>().find("_sort") !=
          std::string::npos);
    CHECK(outcome["resource"]["issue"][1]["diagnostics"].get<std::string>().find("favourite-colour") !=
          std::string::npos);
    // An Observation parameter is unknown for Patient.
    CHECK(body_json(server.get("/fhir/Patient", "code=8867-4", token))["total"] == 5);

    server::ServerRequest strict;
    strict.path = "/fhir/Patient";
    strict.query = "gender=female&_sort=family";
    strict.headers.add("Authorization", "Bearer " + token);
    strict.headers.add("Prefer", "return=representation, handling=strict");
    const auto refused = server.send(strict);
    CHECK(refused.status == 400);
    CHECK(body_json(refused)["issue"][0]["diagnostics"].get<std::string>().find("_sort") !=
          std::string::npos);
    strict.query = "gender=female";
    CHECK(server.send(strict).status == 200);
  }

  TEST_CASE("user/ scopes grant what the user may access, in read and search alike") {
    const TestServer server;
    // demo is fhirUser Patient/pt-1: a real password grant with user/ scopes.
    const auto granted = server.post_form("grant_type=password&username=demo&password=demo&scope=user/*.rs",
                                          "Basic ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ=");
    REQUIRE(granted.status == 200);
    const auto demo = body_json(granted)["access_token"].get<std::string>();
    CHECK(ids_of(body_json(server.get("/fhir/Patient", "", demo))) == std::vector<std::string>{"pt-1"});
    CHECK(ids_of(body_json(server.get("/fhir/Observation", "", demo))) ==
          std::vector<std::string>{"obs-1", "obs-2"});
    CHECK(server.get("/fhir/Patient/pt-1", "", demo).status == 200);
    CHECK(server.get("/fhir/Patient/pt-2", "", demo).status == 404);
    CHECK(server.get("/fhir/Observation/obs-3", "", demo).status == 404);
    CHECK(body_json(server.get("/fhir/Patient", "_id=pt-2", demo))["total"] == 0);

    // A practitioner sees the patients whose generalPractitioner they are.
    const auto doctor =
      signed_token(server, {{"sub", "dr"}, {"scope", "user/*.rs"}, {"fhirUser", "Practitioner/pr-2"}});
    CHECK(ids_of(body_json(server.get("/fhir/Patient", "", doctor))) ==
          std::vector<std::string>{"pt-4", "pt-5"});
    CHECK(body_json(server.get("/fhir/Observation", "", doctor))["total"] == 4);
    CHECK(server.get("/fhir/Observation/obs-8", "", doctor).status == 200);
    CHECK(server.get("/fhir/Patient/pt-1", "", doctor).status == 404);
    const auto absolute =
      signed_token(server, {{"sub", "dr"},
                            {"scope", "user/Patient.rs"},
                            {"fhirUser", std::string(test::k_issuer) + "/fhir/Practitioner/pr-1"}});
    CHECK(body_json(server.get("/fhir/Patient", "", absolute))["total"] == 3);

    // Without a fhirUser, or as another kind of user, user/ scopes show nothing.
    const auto nobody = signed_token(server, {{"sub", "x"}, {"scope", "user/*.rs"}});
    CHECK(body_json(server.get("/fhir/Patient", "", nobody))["total"] == 0);
    CHECK(server.get("/fhir/Patient/pt-1", "", nobody).status == 404);
    const auto relative =
      signed_token(server, {{"sub", "x"}, {"scope", "user/*.rs"}, {"fhirUser", "RelatedPerson/r1"}});
    CHECK(body_json(server.get("/fhir/Patient", "", relative))["total"] == 0);

    // Scopes add up: a user/ scope for Patient and a system/ scope for Observation.
    const auto mixed = signed_token(
      server,
      {{"sub", "demo"}, {"scope", "user/Patient.rs system/Observation.rs"}, {"fhirUser", "Patient/pt-1"}});
    CHECK(body_json(server.get("/fhir/Patient", "", mixed))["total"] == 1);
    CHECK(body_json(server.get("/fhir/Observation", "", mixed))["total"] == 10);
  }

  TEST_CASE("a Practitioner user sees every patient when the data links no practitioner") {
    std::vector<server::FhirResource> patients(2);
    patients[0].id = "a";
    patients[1].id = "b";
    CHECK(server::user_patients("Practitioner/pr-9", patients).everyone);
    CHECK_FALSE(server::user_patients("Patient/a", patients).everyone);
    CHECK(server::user_patients("Patient/a", patients).contains("a"));
    CHECK_FALSE(server::user_patients("Patient/a", patients).contains("b"));
    patients[1].practitioners = {"Practitioner/pr-9"};
    const auto linked = server::user_patients("Practitioner/pr-9", patients);
    CHECK_FALSE(linked.everyone);
    CHECK(linked.ids == std::set<std::string, std::less<>>{"b"});
    CHECK(server::user_patients("", patients).ids.empty());
    CHECK(server::user_patients("Patient/", patients).ids.empty());
  }

  TEST_CASE("no existence oracle: another patient's resource and an unknown id answer alike") {
    const TestServer server;
    const auto patient_token =
      signed_token(server, {{"sub", "demo"}, {"scope", "patient/*.rs"}, {"patient", "pt-1"}});
    const auto other = server.get("/fhir/Patient/pt-2", "", patient_token);
    const auto unknown = server.get("/fhir/Patient/pt-9", "", patient_token);
    CHECK(other.status == 404);
    CHECK(unknown.status == other.status);
    CHECK(body_json(other)["issue"][0]["code"] == body_json(unknown)["issue"][0]["code"]);
    CHECK(other.headers.get("WWW-Authenticate") == unknown.headers.get("WWW-Authenticate"));
    CHECK(server.get("/fhir/Observation/obs-3", "", patient_token).status == 404);
    CHECK(server.get("/fhir/Observation/obs-1", "", patient_token).status == 200);
  }
}
