// SPDX-License-Identifier: MIT
#pragma once

#include "server/fhir/dataset.hpp"

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace oauthctl::server {

// The patients whose data a token may see: everyone, or the listed ids (whose compartment
// is the Patient itself and the Observations about them).
struct PatientSet {
  bool everyone = false;
  std::set<std::string, std::less<>> ids;

  [[nodiscard]] bool contains(std::string_view patient_id) const {
    return everyone || ids.find(patient_id) != ids.end();
  }
  void add(const PatientSet& other) {
    everyone = everyone || other.everyone;
    ids.insert(other.ids.begin(), other.ids.end());
  }
};

// What SMART `user/` scopes grant (SMART App Launch 2 §3.0.1: what the user may access),
// decided by the user's `fhirUser`:
// - Patient/X: patient X's compartment, as patient/ scopes with X in context;
// - Practitioner/Y: the patients whose generalPractitioner references Practitioner/Y; when
//   no Patient in `patients` names a generalPractitioner at all, every patient (the data
//   says nothing to restrict by);
// - anything else, or no fhirUser: nobody.
PatientSet user_patients(std::string_view fhir_user, const std::vector<FhirResource>& patients);

} // namespace oauthctl::server
