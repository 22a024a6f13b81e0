// SPDX-License-Identifier: MIT
#include "server/fhir/capability.hpp"

#include "server/fhir/search_query.hpp"

namespace oauthctl::server {

namespace {

using Json = nlohmann::json;

Json search_params(const std::string& type) {
  Json params = Json::array();
  for (const auto& param : supported_search_params(type)) {
    params.push_back({{"name", param.name}, {"type", param.type}});
  }
  return params;
}

} // namespace

Json capability_statement(const std::string& issuer, const FhirDataset& dataset) {
  Json resources = Json::array();
  for (const auto& type : dataset.types()) {
    resources.push_back({{"type", type},
                         {"interaction", Json::array({{{"code", "read"}}, {{"code", "search-type"}}})},
                         {"searchParam", search_params(type)}});
  }
  // SMART App Launch 2.0 §2.0.8: the oauth-uris extension tells clients where to get tokens.
  const Json oauth_uris{
    {"url", "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"},
    {"extension", Json::array({{{"url", "token"}, {"valueUri", issuer + "/auth/token"}}})},
  };
  return {
    {"resourceType", "CapabilityStatement"},
    {"status", "active"},
    {"date", "2024-01-01"},
    {"kind", "instance"},
    {"software", {{"name", "oauthctl serve"}}},
    {"implementation", {{"description", "oauthctl mock FHIR server"}, {"url", issuer + "/fhir"}}},
    {"fhirVersion", "4.0.1"},
    {"format", Json::array({"json"})},
    {"rest", Json::array(
               {{{"mode", "server"},
                 {"security",
                  {{"extension", Json::array({oauth_uris})},
                   {"service",
                    Json::array({{{"coding", Json::array({{{"system", "http://terminology.hl7.org/CodeSystem/"
                                                                      "restful-security-service"},
                                                           {"code", "SMART-on-FHIR"}}})}}})},
                   {"description", "OAuth 2.0 bearer tokens with SMART scopes"}}},
                 {"resource", resources}}})},
  };
}

} // namespace oauthctl::server
