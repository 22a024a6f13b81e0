// SPDX-License-Identifier: MIT
#include "cli/fhir_output.hpp"

#include "cli/exit_codes.hpp"

#include <oauthctl/util/text.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <ostream>
#include <string_view>
#include <vector>

namespace oauthctl::cli {

namespace {

using OrderedJson = nlohmann::ordered_json;

std::string string_at(const OrderedJson& object, std::string_view key) {
  if (!object.is_object()) {
    return {};
  }
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// FHIR HumanName: its text, else the given names and the family name.
std::string human_name(const OrderedJson& name) {
  if (auto text = string_at(name, "text"); !text.empty()) {
    return text;
  }
  std::vector<std::string> parts;
  if (const auto given = name.find("given"); given != name.end() && given->is_array()) {
    for (const auto& part : *given) {
      if (part.is_string()) {
        parts.push_back(part.get<std::string>());
      }
    }
  }
  if (auto family = string_at(name, "family"); !family.empty()) {
    parts.push_back(std::move(family));
  }
  return fmt::format("{}", fmt::join(parts, " "));
}

// FHIR CodeableConcept: its text, else the first coding's display or code.
std::string concept_label(const OrderedJson& concept_value) {
  if (auto text = string_at(concept_value, "text"); !text.empty()) {
    return text;
  }
  if (const auto coding = concept_value.find("coding");
      coding != concept_value.end() && coding->is_array() && !coding->empty()) {
    if (auto display = string_at(coding->front(), "display"); !display.empty()) {
      return display;
    }
    return string_at(coding->front(), "code");
  }
  return {};
}

struct Row {
  std::string type;
  std::string id;
  std::string label;
};

Row row_of(const OrderedJson& resource) {
  // Server-supplied text goes to a terminal: no control characters, one short line each.
  return Row{util::printable_line(string_at(resource, "resourceType"), 40),
             util::printable_line(string_at(resource, "id"), 64),
             util::printable_line(fhir_label(resource), 80)};
}

} // namespace

std::string fhir_label(const OrderedJson& resource) {
  if (!resource.is_object()) {
    return {};
  }
  if (const auto names = resource.find("name"); names != resource.end()) {
    if (names->is_array() && !names->empty() && names->front().is_object()) {
      return human_name(names->front());
    }
    if (names->is_string()) {
      return names->get<std::string>(); // Organization, Location, ...
    }
  }
  if (const auto code = resource.find("code"); code != resource.end() && code->is_object()) {
    if (auto label = concept_label(*code); !label.empty()) {
      return label;
    }
  }
  return string_at(resource, "title");
}

std::string fhir_table(const OrderedJson& resource, const Style& style) {
  std::vector<Row> rows;
  if (string_at(resource, "resourceType") == "Bundle") {
    if (const auto entries = resource.find("entry"); entries != resource.end() && entries->is_array()) {
      for (const auto& entry : *entries) {
        if (entry.is_object() && entry.contains("resource")) {
          rows.push_back(row_of(entry["resource"]));
        }
      }
    }
  } else {
    rows.push_back(row_of(resource));
  }
  std::size_t type_width = 4;
  std::size_t id_width = 2;
  for (const auto& row : rows) {
    type_width = std::max(type_width, row.type.size());
    id_width = std::max(id_width, row.id.size());
  }
  std::string out =
    style.bold(fmt::format("{:<{}}  {:<{}}  {}", "TYPE", type_width, "ID", id_width, "LABEL")) + "\n";
  for (const auto& row : rows) {
    out += fmt::format("{:<{}}  {:<{}}  {}\n", row.type, type_width, row.id, id_width, row.label);
  }
  if (rows.empty()) {
    out += style.dim("(no entries)") + "\n";
  }
  return out;
}

int print_fhir_body(Io& io, std::string_view body, const FhirOutput& output) {
  // ordered_json: the resource's keys stay in the server's order.
  const auto parsed = OrderedJson::parse(body, nullptr, false);
  if (output.format == "table") {
    if (parsed.is_discarded()) {
      return report(io,
                    util::Error{util::ErrorKind::bad_response, "the FHIR response is not JSON", {}, {}, 0});
    }
    io.out << fhir_table(parsed, Style::for_stdout(io)) << std::flush;
    return k_exit_ok;
  }
  if (parsed.is_discarded()) {
    io.out << body;
    if (!body.empty() && body.back() != '\n') {
      io.out << '\n';
    }
  } else {
    io.out << util::render_json(parsed, json_rendering(io, output.layout)) << '\n';
  }
  io.out << std::flush;
  return k_exit_ok;
}

} // namespace oauthctl::cli
