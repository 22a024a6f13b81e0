// SPDX-License-Identifier: MIT
#pragma once

#include "cli/json_output.hpp"
#include "cli/output.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace oauthctl::cli {

// How `fhir` prints the response: `-o json` (the default) and --pretty/--compact, or `-o table`.
struct FhirOutput {
  std::string format = "json";
  JsonLayoutFlags layout;
};

// Writes the FHIR response `body` to io.out as `output` asks: JSON indented or compact (a
// body that is not JSON as it came), or the table. Returns the exit code: 0, or 4 for a
// table of a body that is not JSON.
int print_fhir_body(Io& io, std::string_view body, const FhirOutput& output);

// `fhir -o table`: one row per resource (each entry of a Bundle, or the resource itself)
// with its resourceType, id and a short label, under a header row; ends in a newline.
std::string fhir_table(const nlohmann::ordered_json& resource, const Style& style);

// The short label of a FHIR resource: a person's name, else its code (text, display or
// code), else its name or title; empty when it has none of these.
std::string fhir_label(const nlohmann::ordered_json& resource);

} // namespace oauthctl::cli
