// SPDX-License-Identifier: MIT
#include "server/fhir/user_access.hpp"

#include <algorithm>

namespace oauthctl::server {

namespace {

// "Type/id" from a relative or absolute reference ("https://host/fhir/Patient/pt-1").
std::string_view relative_reference(std::string_view reference) {
  const auto last = reference.rfind('/');
  if (last == std::string_view::npos || last == 0) {
    return reference;
  }
  const auto type_start = reference.rfind('/', last - 1);
  return type_start == std::string_view::npos ? reference : reference.substr(type_start + 1);
}

} // namespace

PatientSet user_patients(std::string_view fhir_user, const std::vector<FhirResource>& patients) {
  PatientSet out;
  const auto reference = relative_reference(fhir_user);
  const auto slash = reference.find('/');
  if (slash == std::string_view::npos || slash + 1 == reference.size()) {
    return out;
  }
  const auto type = reference.substr(0, slash);
  if (type == "Patient") {
    out.ids.emplace(reference.substr(slash + 1));
    return out;
  }
  if (type != "Practitioner") {
    return out;
  }
  const bool linked = std::any_of(patients.begin(), patients.end(),
                                  [](const FhirResource& patient) { return !patient.practitioners.empty(); });
  if (!linked) {
    out.everyone = true;
    return out;
  }
  for (const auto& patient : patients) {
    if (std::find(patient.practitioners.begin(), patient.practitioners.end(), reference) !=
        patient.practitioners.end()) {
      out.ids.insert(patient.id);
    }
  }
  return out;
}

} // namespace oauthctl::server
