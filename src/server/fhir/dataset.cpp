// SPDX-License-Identifier: MIT
#include "server/fhir/dataset.hpp"

#include <oauthctl/util/text.hpp>

#include <fmt/format.h>

#include <array>
#include <cctype>

namespace oauthctl::server {

namespace {

using Json = nlohmann::json;

constexpr std::string_view k_loinc = "http://loinc.org";
constexpr std::string_view k_mrn_system = "urn:oauthctl:mrn";
constexpr std::string_view k_last_updated = "2024-01-01T00:00:00Z";

struct PatientRow {
  const char* family;
  const char* given;
  const char* gender;
  const char* birth_date;
};

constexpr std::array<PatientRow, 5> k_patients{{
  {"Smith", "John", "male", "1970-03-14"},
  {"Garcia", "Maria", "female", "1985-07-02"},
  {"Nguyen", "Linh", "female", "1992-11-23"},
  {"Okafor", "Chinedu", "male", "1964-01-30"},
  {"Schmidt", "Anna", "female", "2001-05-09"},
}};

struct ObservationRow {
  const char* code;
  const char* display;
  const char* category;
  double value;
  const char* unit;
  const char* ucum;
};

// Two observations per patient, alternating vital signs and laboratory results.
constexpr std::array<ObservationRow, 10> k_observations{{
  {"29463-7", "Body weight", "vital-signs", 82.5, "kg", "kg"},
  {"8867-4", "Heart rate", "vital-signs", 72, "beats/minute", "/min"},
  {"8310-5", "Body temperature", "vital-signs", 36.8, "Cel", "Cel"},
  {"2339-0", "Glucose [Mass/volume] in Blood", "laboratory", 95, "mg/dL", "mg/dL"},
  {"4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "laboratory", 5.6, "%", "%"},
  {"29463-7", "Body weight", "vital-signs", 61.2, "kg", "kg"},
  {"8867-4", "Heart rate", "vital-signs", 64, "beats/minute", "/min"},
  {"8480-6", "Systolic blood pressure", "vital-signs", 128, "mmHg", "mm[Hg]"},
  {"2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "laboratory", 187, "mg/dL", "mg/dL"},
  {"39156-5", "Body mass index (BMI) [Ratio]", "vital-signs", 24.1, "kg/m2", "kg/m2"},
}};

FhirResource finish(FhirResource item, const std::string& fhir_base) {
  item.json = item.resource.dump();
  item.entry_json =
    fmt::format(R"({{"fullUrl":{},"resource":{},"search":{{"mode":"match"}}}})",
                Json(fmt::format("{}/{}/{}", fhir_base, item.type, item.id)).dump(), item.json);
  return item;
}

} // namespace

FhirDataset::FhirDataset(const std::string& fhir_base) {
  auto& patients = m_by_type["Patient"];
  for (std::size_t i = 0; i < k_patients.size(); ++i) {
    const auto& row = k_patients[i];
    FhirResource item;
    item.type = "Patient";
    item.id = fmt::format("pt-{}", i + 1);
    item.patient_id = item.id;
    item.families = {util::ascii_lower(row.family)};
    item.givens = {util::ascii_lower(row.given)};
    item.gender = row.gender;
    item.date = row.birth_date;
    const auto mrn = fmt::format("MRN-{:04}", 1001 + i);
    item.identifiers = fmt::format(" {}|{} ", k_mrn_system, mrn);
    item.practitioners = {fmt::format("Practitioner/pr-{}", i < 3 ? 1 : 2)};
    item.resource = {
      {"resourceType", "Patient"},
      {"id", item.id},
      {"meta", {{"versionId", "1"}, {"lastUpdated", k_last_updated}}},
      {"identifier", Json::array({{{"system", k_mrn_system}, {"value", mrn}}})},
      {"active", true},
      {"name",
       Json::array({{{"use", "official"}, {"family", row.family}, {"given", Json::array({row.given})}}})},
      {"gender", row.gender},
      {"birthDate", row.birth_date},
      {"generalPractitioner", Json::array({{{"reference", item.practitioners.front()}}})},
    };
    patients.push_back(finish(std::move(item), fhir_base));
  }
  auto& observations = m_by_type["Observation"];
  for (std::size_t i = 0; i < k_observations.size(); ++i) {
    const auto& row = k_observations[i];
    FhirResource item;
    item.type = "Observation";
    item.id = fmt::format("obs-{}", i + 1);
    item.patient_id = fmt::format("pt-{}", i / 2 + 1);
    item.codes = fmt::format(" {}|{} ", k_loinc, row.code);
    item.date = fmt::format("2024-01-{:02}T09:00:00Z", i + 1);
    item.resource = {
      {"resourceType", "Observation"},
      {"id", item.id},
      {"meta", {{"versionId", "1"}, {"lastUpdated", k_last_updated}}},
      {"status", "final"},
      {"category",
       Json::array(
         {{{"coding", Json::array({{{"system", "http://terminology.hl7.org/CodeSystem/observation-category"},
                                    {"code", row.category}}})}}})},
      {"code",
       {{"coding", Json::array({{{"system", k_loinc}, {"code", row.code}, {"display", row.display}}})},
        {"text", row.display}}},
      {"subject", {{"reference", fmt::format("Patient/{}", item.patient_id)}}},
      {"effectiveDateTime", item.date},
      {"valueQuantity",
       {{"value", row.value},
        {"unit", row.unit},
        {"system", "http://unitsofmeasure.org"},
        {"code", row.ucum}}},
    };
    observations.push_back(finish(std::move(item), fhir_base));
  }
}

bool FhirDataset::supports(std::string_view type) const {
  return m_by_type.find(type) != m_by_type.end();
}

const std::vector<FhirResource>& FhirDataset::all(std::string_view type) const {
  static const std::vector<FhirResource> k_none;
  const auto it = m_by_type.find(type);
  return it == m_by_type.end() ? k_none : it->second;
}

const FhirResource* FhirDataset::find(std::string_view type, std::string_view id) const {
  for (const auto& item : all(type)) {
    if (item.id == id) {
      return &item;
    }
  }
  return nullptr;
}

std::vector<std::string> FhirDataset::types() const {
  std::vector<std::string> out;
  for (const auto& [type, items] : m_by_type) {
    out.push_back(type);
  }
  return out;
}

} // namespace oauthctl::server
