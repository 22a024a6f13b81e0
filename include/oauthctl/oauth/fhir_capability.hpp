// SPDX-License-Identifier: MIT
// What a FHIR server says it serves: the resource types of its CapabilityStatement, for
// `oauthctl fhir --list-types` and the shell completion of `oauthctl fhir <TAB>`.
#pragma once

#include <oauthctl/http/client.hpp>
#include <oauthctl/util/error.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace oauthctl::oauth {

// The `rest[].resource[].type` values of a CapabilityStatement (FHIR R4 §8.2), sorted,
// without duplicates, each a FHIR resource type name (a letter, then letters and digits);
// anything else in a hostile document is skipped. Empty when `capability` is not one.
std::vector<std::string> capability_resource_types(const nlohmann::json& capability);

// GETs `<fhir_base>/metadata` (no token: the CapabilityStatement is public, FHIR R4
// §3.1.0.12) and returns its resource types. `network` errors as the HTTP client's;
// `bad_response` when the answer is not a 200 CapabilityStatement.
[[nodiscard]] util::Result<std::vector<std::string>> fetch_resource_types(http::Client& client,
                                                                          const std::string& fhir_base);

} // namespace oauthctl::oauth
