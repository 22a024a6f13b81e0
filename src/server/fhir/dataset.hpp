// SPDX-License-Identifier: MIT
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace oauthctl::server {

// One FHIR resource of the synthetic data set, serialised once at start-up.
struct FhirResource {
  std::string type;
  std::string id;
  nlohmann::json resource;
  std::string json;                  // `resource` serialised: what a read returns
  std::string entry_json;            // a searchset Bundle entry (fullUrl, resource, search.mode)
  std::string patient_id;            // Observation: the id of its subject; Patient: its own id
  std::vector<std::string> families; // Patient: lower-cased family names
  std::vector<std::string> givens;   // Patient: lower-cased given names
  std::string codes;                 // Observation: " system|code " tokens of its code
  std::string identifiers;           // " system|value " tokens of its identifiers
  std::string gender;                // Patient: the administrative gender code
  std::string date;                  // Patient: birthDate; Observation: effectiveDateTime
  // Patient: the generalPractitioner references ("Practitioner/pr-1"): who cares for them.
  std::vector<std::string> practitioners;
};

// The small, deterministic data set `serve` answers FHIR requests from: 5 Patients (pt-1
// to pt-3 under general practitioner Practitioner/pr-1, pt-4 and pt-5 under pr-2) and 10
// Observations (LOINC vital signs and labs) that reference them. Read-only, so it is
// shared by all request threads without locking.
class FhirDataset {
public:
  // Builds the data set, with fullUrls under `fhir_base`.
  explicit FhirDataset(const std::string& fhir_base);

  // True for the resource types served (Patient, Observation).
  [[nodiscard]] bool supports(std::string_view type) const;
  // Every resource of `type` in id order; empty for an unsupported type.
  [[nodiscard]] const std::vector<FhirResource>& all(std::string_view type) const;
  // The resource `type`/`id`, or null.
  [[nodiscard]] const FhirResource* find(std::string_view type, std::string_view id) const;
  // The supported types, for the CapabilityStatement.
  [[nodiscard]] std::vector<std::string> types() const;

private:
  std::map<std::string, std::vector<FhirResource>, std::less<>> m_by_type;
};

} // namespace oauthctl::server
