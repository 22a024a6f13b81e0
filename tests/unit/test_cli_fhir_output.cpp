// SPDX-License-Identifier: MIT
#include "cli/fhir_output.hpp"

#include <doctest/doctest.h>

#include <map>
#include <sstream>
#include <string>

using namespace oauthctl;
using namespace oauthctl::cli;

namespace {

using OrderedJson = nlohmann::ordered_json;

struct FhirPrint {
  int code;
  std::string out;
  std::string err;
};

// On a terminal (tty) without colour (NO_COLOR, or `colour`).
FhirPrint print_body(std::string_view body, FhirOutput output, bool tty, bool colour = false) {
  std::istringstream in;
  std::ostringstream out;
  std::ostringstream err;
  std::map<std::string, std::string> env;
  if (!colour) {
    env["NO_COLOR"] = "1";
  }
  Io io{in, out, err, env, tty};
  const int code = print_fhir_body(io, body, output);
  return {code, out.str(), err.str()};
}

} // namespace

TEST_SUITE("cli") {
  TEST_CASE("fhir_label: a person's name, else a code, else a name or title") {
    CHECK(fhir_label(OrderedJson::parse(
            R"({"resourceType":"Patient","name":[{"given":["Ann","B."],"family":"Lee"}]})")) == "Ann B. Lee");
    CHECK(fhir_label(OrderedJson::parse(R"({"name":[{"text":"Dr. Who","family":"X"}]})")) == "Dr. Who");
    CHECK(fhir_label(OrderedJson::parse(
            R"({"code":{"coding":[{"code":"8867-4","display":"Heart rate"}]}})")) == "Heart rate");
    CHECK(fhir_label(OrderedJson::parse(R"({"code":{"text":"BP","coding":[{"display":"x"}]}})")) == "BP");
    CHECK(fhir_label(OrderedJson::parse(R"({"code":{"coding":[{"code":"8867-4"}]}})")) == "8867-4");
    CHECK(fhir_label(OrderedJson::parse(R"({"resourceType":"Organization","name":"ACME"})")) == "ACME");
    CHECK(fhir_label(OrderedJson::parse(R"({"title":"A study"})")) == "A study");
    // Hostile shapes: wrong types give no label, never an exception.
    CHECK(fhir_label(OrderedJson::parse(R"({"name":[1],"code":"x","title":3})")).empty());
    CHECK(fhir_label(OrderedJson::parse(R"({"name":[{"given":"Ann","family":7}]})")).empty());
    CHECK(fhir_label(OrderedJson::parse(R"([1,2])")).empty());
  }

  TEST_CASE("fhir_table: a row per Bundle entry, server text made printable") {
    const auto bundle = OrderedJson::parse(R"({"resourceType":"Bundle","entry":[
      {"resource":{"resourceType":"Patient","id":"pt-1","name":[{"given":["John"],"family":"Smith"}]}},
      {"resource":{"resourceType":"Observation","id":"obs-10","code":{"text":"Heart\u001b[31m rate"}}},
      {"search":{"mode":"include"}}, 7]})");
    CHECK(fhir_table(bundle, Style(false)) == "TYPE         ID      LABEL\n"
                                              "Patient      pt-1    John Smith\n"
                                              "Observation  obs-10  Heart [31m rate\n");
    CHECK(fhir_table(OrderedJson::parse(R"({"resourceType":"Bundle","entry":[]})"), Style(false)) ==
          "TYPE  ID  LABEL\n(no entries)\n");
    CHECK(fhir_table(OrderedJson::parse(R"({"resourceType":"Patient","id":"p"})"), Style(false)) ==
          "TYPE     ID  LABEL\nPatient  p   \n");
  }

  TEST_CASE("print_fhir_body: pretty on a terminal, compact in a pipe, raw when not JSON") {
    const std::string body = R"({"resourceType":"Patient","id":"p","active":true})";
    CHECK(print_body(body, {}, false).out == body + "\n");
    CHECK(print_body(body, {}, true).out ==
          "{\n  \"resourceType\": \"Patient\",\n  \"id\": \"p\",\n  \"active\": true\n}\n");
    CHECK(print_body(body, {.format = "json", .layout = {.pretty = true, .compact = false}}, false)
            .out.find('\n') < body.size());
    CHECK(print_body(body, {.format = "json", .layout = {.pretty = false, .compact = true}}, true).out ==
          body + "\n");
    CHECK(print_body("not json", {}, true).out == "not json\n");
    // Colour on a terminal unless NO_COLOR; never in a pipe.
    CHECK(print_body(body, {}, true, true).out.find("\x1b[34;1m\"resourceType\"\x1b[0m") !=
          std::string::npos);
    CHECK(print_body(body, {}, false, true).out == body + "\n");
    const auto table = print_body("not json", {.format = "table", .layout = {}}, false);
    CHECK(table.code == 4);
    CHECK(table.err == "oauthctl: the FHIR response is not JSON\n");
  }
}
