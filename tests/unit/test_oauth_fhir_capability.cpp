// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/fhir_capability.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace oauthctl::oauth;
using Json = nlohmann::json;

TEST_SUITE("oauth") {
  TEST_CASE("capability_resource_types") {
    const auto capability = Json::parse(R"({"resourceType": "CapabilityStatement", "rest": [
      {"mode": "server", "resource": [{"type": "Patient"}, {"type": "Observation"}, {"type": "Patient"}]},
      {"mode": "client", "resource": [{"type": "Encounter"}]}]})");
    CHECK(capability_resource_types(capability) ==
          std::vector<std::string>{"Encounter", "Observation", "Patient"});
  }

  TEST_CASE("capability_resource_types hostile input") {
    // Completion prints these into a shell: only plain type names get through.
    for (const char* text :
         {"null", "[]", "\"CapabilityStatement\"", R"({"resourceType": "Bundle", "rest": []})",
          R"({"resourceType": "CapabilityStatement"})",
          R"({"resourceType": "CapabilityStatement", "rest": {}})",
          R"({"resourceType": "CapabilityStatement", "rest": [5, null, {"resource": "Patient"}]})",
          R"json({"resourceType": "CapabilityStatement", "rest": [{"resource": [5, {"type": 7}, {"type": ""},
             {"type": "patient"}, {"type": "Pa tient"}, {"type": "$(rm -rf ~)"}, {"type": "Pat;ient"},
             {"type": "Patient\n"}, {"type": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}]
}]
})json"}) {
      CAPTURE(text);
      CHECK(capability_resource_types(Json::parse(text)).empty());
    }
  }
}
